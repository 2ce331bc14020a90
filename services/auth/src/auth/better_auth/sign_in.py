"""Signing in and out: sign-up, sign-in, get-session, sign-out, token and jwks (WIRE.md §2)."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from auth import opaque, service, session_reads
from auth.better_auth.body import Fields, normalised_email, read_body
from auth.better_auth.session import (
    NO_STORE,
    as_better_auth_429,
    clear_cookies,
    guard,
    lookup,
    open_session,
    rate_limit,
    session_token,
    set_session_cookie,
)
from auth.better_auth.wire import (
    BetterAuthError,
    SessionOut,
    SignInEmailIn,
    SignInOut,
    SignUpEmailIn,
    SignUpOut,
    SuccessOut,
    TokenOnlyOut,
    docs,
    json_response,
    session_out,
    user_out,
)
from auth.deps import ClientIpDep, DbDep, RuntimeDep, UserAgentDep
from auth.models import IMAGE_MAX, NAME_MAX
from auth.password_policy import is_common_password
from auth.runtime import Runtime
from auth.schemas import PASSWORD_MAX, PASSWORD_MIN
from todo_shared.errors import TooManyRequests
from todo_shared.postgres import postgres_call

__all__ = ["router"]

router = APIRouter(prefix="/api/auth", tags=["better-auth"])

BANNED_MESSAGE = "You have been banned from this application. Please contact support if you believe this is an error."


# What sign-up, change-password and reset-password say about a new password they refuse.
NEW_PASSWORD_ERRORS = "PASSWORD_TOO_SHORT, PASSWORD_TOO_LONG, PASSWORD_COMPROMISED (a common password)"  # noqa: S105


def check_new_password(password: str) -> None:
    """Refuse a new password that is too short, too long or common, before anything else about the request."""
    if len(password) < PASSWORD_MIN:
        raise BetterAuthError(400, "PASSWORD_TOO_SHORT", "Password too short")
    if len(password) > PASSWORD_MAX:
        raise BetterAuthError(400, "PASSWORD_TOO_LONG", "Password too long")
    if is_common_password(password):
        # The code and message of Better Auth's haveIBeenPwned plugin, which its clients already handle.
        message = "The password you entered has been compromised. Please choose a different password."
        raise BetterAuthError(400, "PASSWORD_COMPROMISED", message)


@router.post(
    "/sign-up/email",
    response_model=SignUpOut,
    summary="Better Auth: create an account and sign in",
    **docs(
        {
            400: f"VALIDATION_ERROR, {NEW_PASSWORD_ERRORS} or BAD_REQUEST (invalid JSON)",
            403: "Untrusted Origin or callbackURL",
            422: "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL",
            429: "Too many attempts; see Retry-After",
            503: "Redis (rate limit) or the database is unreachable",
        },
        SignUpEmailIn,
    ),
)
async def sign_up_email(
    request: Request, db: DbDep, runtime: RuntimeDep, ip: ClientIpDep, user_agent: UserAgentDep
) -> Response:
    """Register a user, open a session and email a verification link: 200 ``{token, user}`` with the cookie."""
    fields = Fields(await read_body(request))
    name = fields.string("name")
    if len(name) > NAME_MAX:
        fields.issue("name", f"Too big: expected string to have <={NAME_MAX} characters")
    email = fields.email("email")
    password = fields.string("password")
    image = fields.optional_nullable_string("image", max_length=IMAGE_MAX)
    callback_url = fields.optional_string("callbackURL")
    remember = fields.optional_boolean("rememberMe") is not False
    fields.check()
    guard(request, runtime, is_sign_in=True, callback_url=callback_url)
    check_new_password(password)
    await rate_limit(runtime, ip=ip)
    try:
        user = await service.create_user(
            db, passwords=runtime.passwords, email=email, password=password, name=name, image=image
        )
    except service.EmailTaken:
        raise BetterAuthError(
            422, "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL", "User already exists. Use another email."
        ) from None
    token = await open_session(db, runtime, user=user, ip=ip, user_agent=user_agent)
    runtime.emails.verification(user_id=user.id, callback_url=callback_url or "/")
    response = json_response(
        SignUpOut(token=token, user=user_out(user)), {"Access-Control-Expose-Headers": "set-auth-token"}
    )
    set_session_cookie(response, runtime.session_cookie, token, remember=remember)
    return response


@router.post(
    "/sign-in/email",
    response_model=SignInOut,
    summary="Better Auth: sign in with a password",
    **docs(
        {
            400: "VALIDATION_ERROR, INVALID_EMAIL or BAD_REQUEST (invalid JSON)",
            401: "INVALID_EMAIL_OR_PASSWORD",
            403: "Untrusted Origin or callbackURL; BANNED_USER: the account is disabled",
            429: "Too many attempts; see Retry-After",
            503: "Redis (rate limit) or the database is unreachable",
        },
        SignInEmailIn,
    ),
)
async def sign_in_email(
    request: Request, db: DbDep, runtime: RuntimeDep, ip: ClientIpDep, user_agent: UserAgentDep
) -> Response:
    """Check the password and open a session: 200 ``{redirect, token, url?, user}`` with the session cookie."""
    fields = Fields(await read_body(request))
    raw_email = fields.string("email")
    password = fields.string("password")
    callback_url = fields.optional_string("callbackURL")
    remember = fields.optional_boolean("rememberMe") is not False
    fields.check()
    guard(request, runtime, is_sign_in=True, callback_url=callback_url)
    email = normalised_email(raw_email)
    if email is None:
        raise BetterAuthError(400, "INVALID_EMAIL", "Invalid email")
    try:
        user = await service.sign_in(
            db, passwords=runtime.passwords, limiter=runtime.rate_limiter, email=email, password=password, ip=ip
        )
    except TooManyRequests as exc:
        raise as_better_auth_429(exc) from None
    except service.InvalidCredentials:
        raise BetterAuthError(401, "INVALID_EMAIL_OR_PASSWORD", "Invalid email or password") from None
    except service.AccountDisabled:
        raise BetterAuthError(403, "BANNED_USER", BANNED_MESSAGE) from None
    token = await open_session(db, runtime, user=user, ip=ip, user_agent=user_agent)
    body = SignInOut(redirect=bool(callback_url), token=token, url=callback_url, user=user_out(user))
    headers = {"Access-Control-Expose-Headers": "set-auth-token"}
    if callback_url:
        headers["Location"] = callback_url
    response = json_response(body, headers)
    set_session_cookie(response, runtime.session_cookie, token, remember=remember)
    return response


@router.get(
    "/get-session",
    response_model=SessionOut | None,
    summary="Better Auth: the signed-in session, or null",
    **docs({503: "The database is unreachable"}),
)
async def get_session(request: Request, runtime: RuntimeDep) -> Response:
    """Return ``{session, user}`` with a fresh access token in ``set-auth-jwt``; ``null`` (still 200) without one."""
    cookie = runtime.session_cookie
    token, presented = session_token(request, cookie)
    found = await session_reads.find_live_session(runtime.read_pool, token_hash=opaque.digest(token)) if token else None
    if found is None or token is None:
        response = json_response(None, NO_STORE)
        if presented:
            clear_cookies(response, cookie)
        return response
    session, user = found
    settings = runtime.settings
    ttl, update_age = settings.session_ttl_seconds, settings.session_update_age_seconds
    refreshed = service.extension_due(session.expires_at, ttl_seconds=ttl, update_age_seconds=update_age)
    if refreshed:
        extended = await _extend(runtime, session.id)
        if extended is None:
            return json_response(None, NO_STORE)  # signed out while we looked
        session = replace(session, expires_at=extended[0], updated_at=extended[1])
    access_token, _ = service.mint_access_token(runtime.signer, user=user, session_id=session.id)
    exposed = "set-auth-jwt, set-auth-token" if refreshed else "set-auth-jwt"
    headers: dict[str, str] = {**NO_STORE, "set-auth-jwt": access_token, "Access-Control-Expose-Headers": exposed}
    response = json_response(SessionOut(session=session_out(session, token), user=user_out(user)), headers)
    if refreshed:
        remember = cookie.from_cookie(request.cookies.get(cookie.dont_remember_name)) != "true"
        set_session_cookie(response, cookie, token, remember=remember)
    return response


@postgres_call
async def _extend(runtime: Runtime, session_id: uuid.UUID) -> tuple[datetime, datetime] | None:
    async with runtime.sessionmaker() as db:
        return await service.extend_session(db, session_id=session_id, ttl_seconds=runtime.settings.session_ttl_seconds)


@router.post(
    "/sign-out",
    response_model=SuccessOut,
    summary="Better Auth: sign out of this session",
    **docs({403: "A cookie was sent from an untrusted or missing Origin", 503: "Redis or the database is unreachable"}),
)
async def sign_out(request: Request, db: DbDep, runtime: RuntimeDep) -> Response:
    """Revoke the session and every access token of it (denylist first), clear the cookies; 200 even without one."""
    guard(request, runtime)
    found = await lookup(request, db, runtime.session_cookie)
    if found.found is not None:
        session, user = found.found
        await service.revoke_session(db, denylist=runtime.denylist, user_id=user.id, session_id=session.id)
    response = json_response(SuccessOut(success=True))
    clear_cookies(response, runtime.session_cookie)
    return response


@router.get(
    "/token",
    response_model=TokenOnlyOut,
    summary="Better Auth: an access token for the tasks API",
    **docs({401: "UNAUTHORIZED: no valid session", 503: "The database is unreachable"}),
)
async def token(request: Request, runtime: RuntimeDep) -> Response:
    """Mint our access token (HS256 ``at+jwt``, ``sid`` = this session) for the signed-in session."""
    token, _ = session_token(request, runtime.session_cookie)
    found = await session_reads.find_live_session(runtime.read_pool, token_hash=opaque.digest(token)) if token else None
    if found is None:
        raise BetterAuthError(401, "UNAUTHORIZED", "Unauthorized")
    session, user = found
    access_token, _ = service.mint_access_token(runtime.signer, user=user, session_id=session.id)
    return json_response(TokenOnlyOut(token=access_token), {"Cache-Control": "no-store"})


@router.get("/jwks", summary="Better Auth: public keys (none: access tokens are HS256)")
async def jwks() -> dict[str, list[Any]]:
    """Publish no keys: an HS256 secret has no public half."""
    return {"keys": []}
