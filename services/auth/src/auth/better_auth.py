"""Better Auth's email/password protocol under ``/api/auth``, on the same users and sessions as ``routes``.

Statuses, bodies, cookies, headers and error codes follow WIRE.md (better-auth 1.7.25 as observed on the wire).
Bodies are read here, not by FastAPI, so bad input gets Better Auth's 400s rather than the app's 422 envelope.
Errors Better Auth defines carry its UPPER_SNAKE code; the rest (429, 503) keep the contract's codes.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, NotRequired
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, TypeAdapter
from pydantic.alias_generators import to_camel
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import JSONResponse, Response
from typing_extensions import TypedDict  # pydantic reads typing's TypedDict only from Python 3.12

from auth import opaque, service
from auth.deps import ClientIpDep, DbDep, RuntimeDep, UserAgentDep
from auth.models import EMAIL_MAX, NAME_MAX, Session, User
from auth.origin_check import check_callback_url, check_origin
from auth.password_policy import is_common_password
from auth.runtime import Runtime
from auth.schemas import PASSWORD_MAX, PASSWORD_MIN, normalise_email
from auth.session_cookie import SessionCookie, new_session_token
from todo_shared.errors import AppError, TooManyRequests
from todo_shared.schemas import ErrorOut
from todo_shared.text import UNSTORABLE

__all__ = ["BetterAuthError", "router"]

router = APIRouter(prefix="/api/auth", tags=["better-auth"])

_UNDEFINED: Any = object()  # JavaScript's undefined: a body or a key that is not there
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


class BetterAuthError(AppError):
    """An error with Better Auth's status, UPPER_SNAKE code and message."""

    def __init__(self, status_code: int, code: str, message: str) -> None:
        super().__init__(message, code=code)
        self.status_code = status_code


# --- wire models (camelCase, timestamps as ISO 8601 with milliseconds and "Z") ---------------------------------


def _timestamp(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


Timestamp = Annotated[datetime, PlainSerializer(_timestamp, return_type=str)]


class _Wire(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, serialize_by_alias=True)


class BetterAuthUser(_Wire):
    id: uuid.UUID
    email: str
    name: str
    email_verified: bool = False
    image: str | None = None
    created_at: Timestamp
    updated_at: Timestamp


class BetterAuthSession(_Wire):
    id: uuid.UUID
    token: str
    user_id: uuid.UUID
    expires_at: Timestamp
    created_at: Timestamp
    updated_at: Timestamp
    ip_address: str
    user_agent: str


class SignUpOut(_Wire):
    token: str
    user: BetterAuthUser


class SignInOut(_Wire):
    redirect: bool
    token: str
    url: str | None = Field(default=None, exclude_if=lambda url: url is None)
    user: BetterAuthUser


class SessionOut(_Wire):
    session: BetterAuthSession
    user: BetterAuthUser


class TokenOnlyOut(_Wire):
    token: str


class SuccessOut(_Wire):
    success: bool


# What an email field must hold to be accepted (``_normalised_email``); anything else is a 400.
_EmailDoc = Annotated[str, Field(max_length=EMAIL_MAX, json_schema_extra={"format": "email"})]


class SignUpEmailIn(TypedDict):
    """The sign-up body, for the docs only: ``_Fields`` reads it, with Better Auth's messages."""

    name: Annotated[str, Field(max_length=NAME_MAX)]
    email: _EmailDoc
    password: Annotated[str, Field(min_length=PASSWORD_MIN, max_length=PASSWORD_MAX)]
    image: NotRequired[str]
    callbackURL: NotRequired[str]
    rememberMe: NotRequired[bool]


class SignInEmailIn(TypedDict):
    """The sign-in body, for the docs only, like ``SignUpEmailIn``."""

    email: _EmailDoc
    password: str
    callbackURL: NotRequired[str]
    rememberMe: NotRequired[bool]


def _user_out(user: User) -> BetterAuthUser:
    return BetterAuthUser(
        id=user.id, email=user.email, name=user.name, created_at=user.created_at, updated_at=user.updated_at
    )


def _session_out(session: Session, token: str) -> BetterAuthSession:
    return BetterAuthSession(
        id=session.id,
        token=token,
        user_id=session.user_id,
        expires_at=session.expires_at,
        created_at=session.created_at,
        updated_at=session.updated_at,
        ip_address=session.ip_address or "",
        user_agent=session.user_agent or "",
    )


def _json(model: BaseModel | None, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(None if model is None else model.model_dump(mode="json"), headers=headers)


def _docs(errors: dict[int, str], body: TypeAdapter[Any] | None = None) -> dict[str, Any]:
    """OpenAPI extras for a route: its errors and its JSON body (read by hand, so FastAPI cannot see it)."""
    extra: dict[str, Any] = {"responses": {s: {"model": ErrorOut, "description": d} for s, d in errors.items()}}
    if body is not None:
        schema = body.json_schema()
        extra["openapi_extra"] = {
            "requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}
        }
    return extra


# --- reading a body as better-call and zod do -------------------------------------------------------------------


def _type_name(value: object) -> str:
    """Name a JSON value's type the way zod's messages do."""
    if value is _UNDEFINED:
        return "undefined"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _not_json(constant: str) -> None:
    # Python's json takes NaN and Infinity; JSON.parse does not.
    raise ValueError(f"{constant} is not JSON")


async def _read_body(request: Request) -> object:
    """Return the body as Better Auth reads it: parsed JSON, a form as a dict, or undefined for anything else."""
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    raw = await request.body()
    if media_type == "application/x-www-form-urlencoded":
        return dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
    # Never text/plain: a page on any origin may post that without a preflight.
    if not (media_type == "application/json" or media_type.endswith("+json")) or not raw.strip():
        return _UNDEFINED
    try:
        return json.loads(raw, parse_constant=_not_json)
    except (ValueError, RecursionError):  # also bad UTF-8, and nesting deeper than the parser's stack
        raise BetterAuthError(400, "BAD_REQUEST", "Invalid JSON in request body") from None


def _normalised_email(value: str) -> str | None:
    """Return the address as ``/signup`` stores it, or ``None`` if it is not one."""
    if len(value) > EMAIL_MAX:
        return None
    try:
        return normalise_email(value)
    except ValueError:
        return None


class _Fields:
    """A body's fields, checked in schema order like Better Auth's zod schema, its messages collected."""

    def __init__(self, body: object) -> None:
        if not isinstance(body, dict):
            raise BetterAuthError(
                400, "VALIDATION_ERROR", f"[body] Invalid input: expected object, received {_type_name(body)}"
            )
        self._body: dict[str, object] = body
        self._issues: list[str] = []

    def issue(self, key: str, message: str) -> None:
        """Record a problem with one field."""
        self._issues.append(f"[body.{key}] {message}")

    def optional_string(self, key: str, *, required: bool = False) -> str | None:
        """Return a string field, or ``None`` when it is absent or has an issue."""
        value = self._body.get(key, _UNDEFINED)
        if value is _UNDEFINED and not required:
            return None
        if not isinstance(value, str):
            self.issue(key, f"Invalid input: expected string, received {_type_name(value)}")
            return None
        if UNSTORABLE.search(value):
            self.issue(key, "Invalid input: NUL and unpaired surrogate characters are not allowed")
            return None
        return value

    def string(self, key: str) -> str:
        """Return a required string field (``""`` after an issue, which ``check`` then reports)."""
        return self.optional_string(key, required=True) or ""

    def email(self, key: str) -> str:
        """Return a required email field, normalised."""
        value = self.optional_string(key, required=True)
        if value is None:
            return ""
        normalised = _normalised_email(value)
        if normalised is None:
            self.issue(key, "Invalid email address")
        return normalised or ""

    def optional_boolean(self, key: str) -> bool | None:
        """Return a boolean field, or ``None`` when it is absent or has an issue."""
        value = self._body.get(key, _UNDEFINED)
        if value is _UNDEFINED:
            return None
        if not isinstance(value, bool):
            self.issue(key, f"Invalid input: expected boolean, received {_type_name(value)}")
            return None
        return value

    def check(self) -> None:
        """Raise Better Auth's 400 naming every issue, if there is any."""
        if self._issues:
            raise BetterAuthError(400, "VALIDATION_ERROR", "; ".join(self._issues))


# --- sessions, cookies and guards -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Lookup:
    """What a request's bearer or cookie led to."""

    presented: bool  # it carried a session credential at all
    token: str | None  # the session token whose signature checked out
    found: tuple[Session, User] | None  # that token's live session and its user


async def _lookup(request: Request, db: AsyncSession, cookie: SessionCookie) -> _Lookup:
    """Find the request's session: a valid bearer wins, an invalid one is ignored in favour of the cookie."""
    scheme, _, bearer = request.headers.get("authorization", "").partition(" ")
    bearer = bearer.strip() if scheme.lower() == "bearer" else ""
    raw_cookie = request.cookies.get(cookie.name)
    token = (cookie.from_bearer(bearer) if bearer else None) or cookie.from_cookie(raw_cookie)
    found = await service.find_session_by_token_hash(db, token_hash=opaque.digest(token)) if token else None
    return _Lookup(presented=bool(bearer or raw_cookie), token=token, found=found)


def _guard(request: Request, runtime: Runtime, *, is_sign_in: bool, callback_url: str | None = None) -> None:
    """Apply Better Auth's origin rule and, when one is given, its callbackURL rule."""
    trusted = runtime.settings.trusted_origins
    check_origin(method=request.method, headers=request.headers, trusted=trusted, is_sign_in=is_sign_in)
    if callback_url:
        check_callback_url(callback_url, trusted=trusted)


def _as_better_auth_429(exc: TooManyRequests) -> TooManyRequests:
    """Word a 429 as Better Auth does, which also says ``X-Retry-After``."""
    exc.detail = "Too many requests. Please try again later."
    exc.headers["X-Retry-After"] = exc.headers["Retry-After"]
    return exc


async def _rate_limit(runtime: Runtime, *, ip: str) -> None:
    """Count a sign-up in the same per-IP limit as ``/login``."""
    try:
        await runtime.rate_limiter.check(ip=ip)
    except TooManyRequests as exc:
        raise _as_better_auth_429(exc) from None


async def _open_session(db: AsyncSession, runtime: Runtime, *, user: User, ip: str, user_agent: str | None) -> str:
    """Open a Better Auth session for ``user`` and return its token; only the token's digest is stored."""
    token = new_session_token()
    await service.open_session(
        db,
        user_id=user.id,
        ttl_seconds=runtime.settings.session_ttl_seconds,
        ip_address=ip,
        user_agent=user_agent,
        token_hash=opaque.digest(token),
    )
    await db.commit()
    return token


def _set_session_cookie(response: Response, cookie: SessionCookie, token: str, *, remember: bool) -> None:
    """Set the session cookie and its bearer twin, ``set-auth-token``, as the bearer plugin does."""
    response.headers.append("set-cookie", cookie.set_header(token, remember=remember))
    if not remember:
        response.headers.append("set-cookie", cookie.dont_remember_header())
    response.headers["set-auth-token"] = cookie.sign(token)


def _clear_cookies(response: Response, cookie: SessionCookie) -> None:
    for header in cookie.clear_headers():
        response.headers.append("set-cookie", header)


# --- routes ----------------------------------------------------------------------------------------------------


@router.post(
    "/sign-up/email",
    response_model=SignUpOut,
    summary="Better Auth: create an account and sign in",
    **_docs(
        {
            400: "VALIDATION_ERROR, PASSWORD_TOO_SHORT, PASSWORD_TOO_LONG, PASSWORD_COMPROMISED (a common password) "
            "or BAD_REQUEST (invalid JSON)",
            403: "Untrusted Origin or callbackURL",
            422: "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL",
            429: "Too many attempts; see Retry-After",
            503: "Redis (rate limit) or the database is unreachable",
        },
        TypeAdapter(SignUpEmailIn),
    ),
)
async def sign_up_email(
    request: Request, db: DbDep, runtime: RuntimeDep, ip: ClientIpDep, user_agent: UserAgentDep
) -> Response:
    """Register a user and open a session: 200 ``{token, user}`` with the session cookie."""
    fields = _Fields(await _read_body(request))
    name = fields.string("name")
    if len(name) > NAME_MAX:
        fields.issue("name", f"Too big: expected string to have <={NAME_MAX} characters")
    email = fields.email("email")
    password = fields.string("password")
    fields.optional_string("image")  # accepted like Better Auth, not kept: users have no image
    callback_url = fields.optional_string("callbackURL")
    remember = fields.optional_boolean("rememberMe") is not False
    fields.check()
    _guard(request, runtime, is_sign_in=True, callback_url=callback_url)
    if len(password) < PASSWORD_MIN:
        raise BetterAuthError(400, "PASSWORD_TOO_SHORT", "Password too short")
    if len(password) > PASSWORD_MAX:
        raise BetterAuthError(400, "PASSWORD_TOO_LONG", "Password too long")
    if is_common_password(password):
        # The code and message of Better Auth's haveIBeenPwned plugin, which its clients already handle.
        message = "The password you entered has been compromised. Please choose a different password."
        raise BetterAuthError(400, "PASSWORD_COMPROMISED", message)
    await _rate_limit(runtime, ip=ip)
    try:
        user = await service.create_user(db, passwords=runtime.passwords, email=email, password=password, name=name)
    except service.EmailTaken:
        raise BetterAuthError(
            422, "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL", "User already exists. Use another email."
        ) from None
    token = await _open_session(db, runtime, user=user, ip=ip, user_agent=user_agent)
    response = _json(SignUpOut(token=token, user=_user_out(user)), {"Access-Control-Expose-Headers": "set-auth-token"})
    _set_session_cookie(response, runtime.session_cookie, token, remember=remember)
    return response


@router.post(
    "/sign-in/email",
    response_model=SignInOut,
    summary="Better Auth: sign in with a password",
    **_docs(
        {
            400: "VALIDATION_ERROR, INVALID_EMAIL or BAD_REQUEST (invalid JSON)",
            401: "INVALID_EMAIL_OR_PASSWORD",
            403: "Untrusted Origin or callbackURL, or the account is disabled",
            429: "Too many attempts; see Retry-After",
            503: "Redis (rate limit) or the database is unreachable",
        },
        TypeAdapter(SignInEmailIn),
    ),
)
async def sign_in_email(
    request: Request, db: DbDep, runtime: RuntimeDep, ip: ClientIpDep, user_agent: UserAgentDep
) -> Response:
    """Check the password and open a session: 200 ``{redirect, token, url?, user}`` with the session cookie."""
    fields = _Fields(await _read_body(request))
    raw_email = fields.string("email")
    password = fields.string("password")
    callback_url = fields.optional_string("callbackURL")
    remember = fields.optional_boolean("rememberMe") is not False
    fields.check()
    _guard(request, runtime, is_sign_in=True, callback_url=callback_url)
    email = _normalised_email(raw_email)
    if email is None:
        raise BetterAuthError(400, "INVALID_EMAIL", "Invalid email")
    try:
        user = await service.sign_in(
            db, passwords=runtime.passwords, limiter=runtime.rate_limiter, email=email, password=password, ip=ip
        )
    except TooManyRequests as exc:
        raise _as_better_auth_429(exc) from None
    except service.InvalidCredentials:
        raise BetterAuthError(401, "INVALID_EMAIL_OR_PASSWORD", "Invalid email or password") from None
    token = await _open_session(db, runtime, user=user, ip=ip, user_agent=user_agent)
    body = SignInOut(redirect=bool(callback_url), token=token, url=callback_url, user=_user_out(user))
    headers = {"Access-Control-Expose-Headers": "set-auth-token"}
    if callback_url:
        headers["Location"] = callback_url
    response = _json(body, headers)
    _set_session_cookie(response, runtime.session_cookie, token, remember=remember)
    return response


@router.get(
    "/get-session",
    response_model=SessionOut | None,
    summary="Better Auth: the signed-in session, or null",
    **_docs({503: "The database is unreachable"}),
)
async def get_session(request: Request, db: DbDep, runtime: RuntimeDep) -> Response:
    """Return ``{session, user}`` with a fresh access token in ``set-auth-jwt``; ``null`` (still 200) without one."""
    cookie = runtime.session_cookie
    lookup = await _lookup(request, db, cookie)
    if lookup.found is None or lookup.token is None:
        response = _json(None, _NO_STORE)
        if lookup.presented:
            _clear_cookies(response, cookie)
        return response
    session, user = lookup.found
    settings = runtime.settings
    ttl = timedelta(seconds=settings.session_ttl_seconds)
    due = session.expires_at - ttl + timedelta(seconds=settings.session_update_age_seconds)
    refresh = due <= datetime.now(UTC)
    if refresh and not await service.extend_session(db, session=session, ttl_seconds=settings.session_ttl_seconds):
        return _json(None, _NO_STORE)  # signed out while we looked
    access_token, _ = service.mint_access_token(runtime.signer, user=user, session_id=session.id)
    exposed = "set-auth-jwt, set-auth-token" if refresh else "set-auth-jwt"
    headers = {**_NO_STORE, "set-auth-jwt": access_token, "Access-Control-Expose-Headers": exposed}
    response = _json(SessionOut(session=_session_out(session, lookup.token), user=_user_out(user)), headers)
    if refresh:
        remember = cookie.from_cookie(request.cookies.get(cookie.dont_remember_name)) != "true"
        _set_session_cookie(response, cookie, lookup.token, remember=remember)
    return response


@router.post(
    "/sign-out",
    response_model=SuccessOut,
    summary="Better Auth: sign out of this session",
    **_docs(
        {403: "A cookie was sent from an untrusted or missing Origin", 503: "Redis or the database is unreachable"}
    ),
)
async def sign_out(request: Request, db: DbDep, runtime: RuntimeDep) -> Response:
    """Revoke the session and every access token of it (denylist first), clear the cookies; 200 even without one."""
    _guard(request, runtime, is_sign_in=False)
    lookup = await _lookup(request, db, runtime.session_cookie)
    if lookup.found is not None:
        session, user = lookup.found
        await service.revoke_session(db, denylist=runtime.denylist, user_id=user.id, session_id=session.id)
    response = _json(SuccessOut(success=True))
    _clear_cookies(response, runtime.session_cookie)
    return response


@router.get(
    "/token",
    response_model=TokenOnlyOut,
    summary="Better Auth: an access token for the tasks API",
    **_docs({401: "UNAUTHORIZED: no valid session", 503: "The database is unreachable"}),
)
async def token(request: Request, db: DbDep, runtime: RuntimeDep) -> Response:
    """Mint our access token (HS256 ``at+jwt``, ``sid`` = this session) for the signed-in session."""
    lookup = await _lookup(request, db, runtime.session_cookie)
    if lookup.found is None:
        raise BetterAuthError(401, "UNAUTHORIZED", "Unauthorized")
    session, user = lookup.found
    access_token, _ = service.mint_access_token(runtime.signer, user=user, session_id=session.id)
    return _json(TokenOnlyOut(token=access_token), {"Cache-Control": "no-store"})


@router.get("/jwks", summary="Better Auth: public keys (none: access tokens are HS256)")
async def jwks() -> dict[str, list[Any]]:
    """Publish no keys: an HS256 secret has no public half."""
    return {"keys": []}
