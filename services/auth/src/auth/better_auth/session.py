"""Who is calling, and the HTTP rules around it: session lookup, cookies, the origin rule, limits, redirects.

A Better Auth route finds its session from the cookie or a Better Auth bearer (``token.sig`` or the raw token).
The account routes also take our own access token, ``Authorization: Bearer <JWT>``: it names a session by its
``sid``, and is believed only if it is valid, not in the denylist, and its session is live in the record.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from urllib.parse import urlencode

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import RedirectResponse, Response

from auth import opaque, service
from auth.better_auth.wire import BetterAuthError
from auth.models import Session, User
from auth.origin_check import check_callback_url, check_origin
from auth.ratelimit import AccountAction
from auth.runtime import Runtime
from auth.session_cookie import SessionCookie, new_session_token
from todo_shared.errors import Forbidden, TooManyRequests, Unauthorized

__all__ = [
    "Caller",
    "Lookup",
    "as_better_auth_429",
    "clear_cookies",
    "find_caller",
    "guard",
    "lookup",
    "open_session",
    "rate_limit",
    "redirect",
    "require_caller",
    "resolve_url",
    "session_token",
    "set_session_cookie",
    "with_query",
]

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


@dataclass(frozen=True, slots=True)
class Lookup:
    """What a request's bearer or cookie led to."""

    token: str | None  # the session token whose signature checked out
    found: tuple[Session, User] | None  # that token's live session and its user


def _bearer(request: Request) -> str:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def session_token(request: Request, cookie: SessionCookie) -> tuple[str | None, bool]:
    """Return the session token of the request's valid bearer, else of its valid cookie; and whether it sent one.

    An invalid bearer is ignored in favour of the cookie, as Better Auth does.
    """
    bearer = _bearer(request)
    raw_cookie = request.cookies.get(cookie.name)
    token = (cookie.from_bearer(bearer) if bearer else None) or cookie.from_cookie(raw_cookie)
    return token, bool(bearer or raw_cookie)


async def lookup(request: Request, db: AsyncSession, cookie: SessionCookie) -> Lookup:
    """Find the request's session (to change it: the read-only routes use ``session_reads``)."""
    token, _ = session_token(request, cookie)
    found = await service.find_session_by_token_hash(db, token_hash=opaque.digest(token)) if token else None
    return Lookup(token=token, found=found)


@dataclass(frozen=True, slots=True)
class Caller:
    """The signed-in session behind a request to an account route."""

    session: Session
    user: User
    token: str | None  # its Better Auth session token, if it came as one (``None`` for our access token)


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


async def _by_access_token(bearer: str, db: AsyncSession, runtime: Runtime) -> Caller | None:
    try:
        claims = runtime.verifier.verify(bearer)
    except Unauthorized:
        return None
    # Redis down or the denylist lost: 503 here (fail closed), never a pass.
    if await runtime.denylist.is_revoked(claims):
        return None
    user_id, session_id = _uuid(claims.sub), _uuid(claims.sid)
    if user_id is None or session_id is None:
        return None
    found = await service.find_live_session(db, user_id=user_id, session_id=session_id)
    return None if found is None else Caller(session=found[0], user=found[1], token=None)


async def find_caller(request: Request, db: AsyncSession, runtime: Runtime) -> Caller | None:
    """Return the request's live session from our access token, a Better Auth bearer, or the cookie."""
    bearer = _bearer(request)
    if bearer.count(".") == 2:  # a JWT; a signed session token has one dot, a raw one none
        caller = await _by_access_token(bearer, db, runtime)
        if caller is not None:
            return caller
    found = await lookup(request, db, runtime.session_cookie)
    if found.found is None:
        return None
    session, user = found.found
    return Caller(session=session, user=user, token=found.token)


async def require_caller(request: Request, db: AsyncSession, runtime: Runtime) -> Caller:
    """Return the request's live session, or raise Better Auth's 401."""
    caller = await find_caller(request, db, runtime)
    if caller is None:
        raise BetterAuthError(401, "UNAUTHORIZED", "Unauthorized")
    return caller


def guard(
    request: Request,
    runtime: Runtime,
    *,
    is_sign_in: bool = False,
    callback_url: str | None = None,
    redirect_to: str | None = None,
) -> None:
    """Apply Better Auth's origin rule and, to what is given, its callbackURL and redirectTo rules."""
    trusted = runtime.settings.trusted_origins
    check_origin(method=request.method, headers=request.headers, trusted=trusted, is_sign_in=is_sign_in)
    if callback_url:
        check_callback_url(callback_url, trusted=trusted)
    if redirect_to:
        try:
            check_callback_url(redirect_to, trusted=trusted)
        except Forbidden:
            raise Forbidden("Invalid redirectURL", code="INVALID_REDIRECT_URL") from None


def as_better_auth_429(exc: TooManyRequests) -> TooManyRequests:
    """Word a 429 as Better Auth does, which also says ``X-Retry-After``."""
    exc.detail = "Too many requests. Please try again later."
    exc.headers["X-Retry-After"] = exc.headers["Retry-After"]
    return exc


async def rate_limit(runtime: Runtime, *, ip: str, action: AccountAction | None = None, email: str = "") -> None:
    """Count a request in the per-IP sign-up limit, or, with ``action``, in that action's per-IP and per-address one."""
    try:
        if action is None:
            await runtime.rate_limiter.check(ip=ip)
        else:
            await runtime.account_limiter.check(action, ip=ip, email=email)
    except TooManyRequests as exc:
        raise as_better_auth_429(exc) from None


async def open_session(db: AsyncSession, runtime: Runtime, *, user: User, ip: str, user_agent: str | None) -> str:
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


def set_session_cookie(response: Response, cookie: SessionCookie, token: str, *, remember: bool) -> None:
    """Set the session cookie and its bearer twin, ``set-auth-token``, as the bearer plugin does."""
    response.headers.append("set-cookie", cookie.set_header(token, remember=remember))
    if not remember:
        response.headers.append("set-cookie", cookie.dont_remember_header())
    response.headers["set-auth-token"] = cookie.sign(token)


def clear_cookies(response: Response, cookie: SessionCookie) -> None:
    """Add the three clearing cookies Better Auth sends when a session ends."""
    for header in cookie.clear_headers():
        response.headers.append("set-cookie", header)


def resolve_url(url: str, runtime: Runtime) -> str:
    """Make a trusted callbackURL absolute: a relative one is a page of the front end (``PUBLIC_APP_URL``)."""
    return runtime.settings.public_app_url + url if url.startswith("/") else url


def with_query(url: str, **params: str) -> str:
    """Append query parameters to a URL that may already have some."""
    return f"{url}{'&' if '?' in url else '?'}{urlencode(params)}"


def redirect(url: str) -> Response:
    """Send the browser on with a 302 and an empty body, as Better Auth's links do."""
    return RedirectResponse(url, status_code=302)
