"""The routes behind emailed links: email verification (and email change) and password reset (WIRE-ACCOUNT.md §1, §4).

Every emailed token is ours: random, stored as a digest, single-use, and short-lived (verification 24 h, reset
1 h). Requests that send email only queue it, so they answer at once and the same whether the address is known.
Relative callback URLs are pages of the front end (``PUBLIC_APP_URL``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.responses import RedirectResponse, Response

from auth import accounts, email_tokens
from auth.better_auth.body import Fields, read_body
from auth.better_auth.session import (
    find_caller,
    guard,
    rate_limit,
    redirect,
    resolve_url,
    with_query,
)
from auth.better_auth.sign_in import NEW_PASSWORD_ERRORS, check_new_password
from auth.better_auth.wire import (
    BetterAuthError,
    RequestPasswordResetIn,
    ResetPasswordIn,
    ResetRequestOut,
    SendVerificationEmailIn,
    StatusOut,
    VerifyEmailOut,
    docs,
    json_response,
    user_out,
)
from auth.deps import ClientIpDep, DbDep, RuntimeDep
from auth.email_tokens import Purpose

__all__ = ["router"]

router = APIRouter(prefix="/api/auth", tags=["better-auth"])


def _required_query(name: str, description: str) -> dict[str, Any]:
    """Document a query parameter as required, as Better Auth has it; it is read as optional, so that its absence
    gets Better Auth's 400 (``_missing_query``) rather than the app's 422."""
    parameter = {"name": name, "in": "query", "required": True, "schema": {"type": "string"}}
    return {"parameters": [{**parameter, "description": description}]}


def _missing_query(name: str) -> BetterAuthError:
    return BetterAuthError(
        400, "VALIDATION_ERROR", f"[query.{name}] Invalid input: expected string, received undefined"
    )


RESET_MESSAGE = "If this email exists in our system, check your email for the reset link"
# Where a reset link leads when the request named no page: the front end's reset page.
DEFAULT_RESET_PAGE = "/reset-password"


@router.post(
    "/send-verification-email",
    response_model=StatusOut,
    summary="Better Auth: email a verification link",
    **docs(
        {
            400: "VALIDATION_ERROR, EMAIL_MISMATCH (signed in as another address) or EMAIL_ALREADY_VERIFIED",
            403: "Untrusted Origin or callbackURL",
            429: "Too many emails asked for from this address or for this account; see Retry-After",
            503: "Redis or the database is unreachable",
        },
        SendVerificationEmailIn,
    ),
)
async def send_verification_email(request: Request, db: DbDep, runtime: RuntimeDep, ip: ClientIpDep) -> Response:
    """Queue a verification link for ``email``: 200 ``{"status": true}`` at once, signed in or not.

    Signed out, the answer is the same whether the address is known, unknown or already verified.
    """
    fields = Fields(await read_body(request))
    email = fields.email("email")
    callback_url = fields.optional_string("callbackURL")
    fields.check()
    guard(request, runtime, callback_url=callback_url)
    caller = await find_caller(request, db, runtime)
    if caller is not None:
        if caller.user.email.lower() != email:
            raise BetterAuthError(400, "EMAIL_MISMATCH", "Email mismatch")
        if caller.user.email_verified:
            raise BetterAuthError(400, "EMAIL_ALREADY_VERIFIED", "Email is already verified")
    await rate_limit(runtime, ip=ip, action="email_send", email=email)
    runtime.emails.verification(email=email, callback_url=callback_url or "/")
    return json_response(StatusOut(status=True))


@router.get(
    "/verify-email",
    response_model=VerifyEmailOut,
    summary="Better Auth: open an emailed verification or email-change link",
    **docs(
        {
            400: "VALIDATION_ERROR: no token; USER_ALREADY_EXISTS: the new address was taken meanwhile",
            401: "INVALID_TOKEN (unknown or used) or TOKEN_EXPIRED; INVALID_USER: another account is signed in",
            403: "Untrusted callbackURL",
            503: "The database is unreachable",
        },
        redirect="With callbackURL: on to it, with ?error=<CODE> on failure",
    ),
    openapi_extra=_required_query("token", "The emailed token"),
)
async def verify_email(
    request: Request,
    db: DbDep,
    runtime: RuntimeDep,
    token: Annotated[str | None, Query(include_in_schema=False)] = None,
    callback_url: Annotated[str | None, Query(alias="callbackURL")] = None,
) -> Response:
    """Spend the token and make its change: verify the address, approve an email change, or complete one."""
    if token is None:
        raise _missing_query("token")
    guard(request, runtime, callback_url=callback_url)
    caller = await find_caller(request, db, runtime)
    try:
        applied = await accounts.apply_email_token(
            db, token=token, session_user_id=None if caller is None else caller.user.id
        )
    except accounts.InvalidEmailToken as exc:
        failure = BetterAuthError(401, "TOKEN_EXPIRED" if exc.expired else "INVALID_TOKEN", exc.detail)
    except accounts.OtherAccountSignedIn:
        failure = BetterAuthError(401, "INVALID_USER", "Invalid user")
    except accounts.EmailUnavailable:
        failure = BetterAuthError(400, "USER_ALREADY_EXISTS", "User already exists")
    else:
        if applied.new_email is not None:
            runtime.emails.new_address_verification(
                user_id=applied.user.id, new_email=applied.new_email, callback_url=callback_url or "/"
            )
        if callback_url:
            return redirect(resolve_url(callback_url, runtime))
        if applied.purpose is Purpose.VERIFY_EMAIL:
            return json_response(VerifyEmailOut(status=True, user=None))
        if applied.purpose is Purpose.CHANGE_EMAIL_CONFIRM:
            return json_response(StatusOut(status=True))
        return json_response(VerifyEmailOut(status=True, user=user_out(applied.user)))
    if callback_url:
        return redirect(with_query(resolve_url(callback_url, runtime), error=failure.code))
    raise failure


@router.post(
    "/request-password-reset",
    response_model=ResetRequestOut,
    summary="Better Auth: email a password-reset link",
    **docs(
        {
            400: "VALIDATION_ERROR",
            403: "INVALID_REDIRECT_URL, or an untrusted Origin",
            429: "Too many emails asked for from this address or for this account; see Retry-After",
            503: "Redis is unreachable",
        },
        RequestPasswordResetIn,
    ),
)
async def request_password_reset(request: Request, runtime: RuntimeDep, ip: ClientIpDep) -> Response:
    """Queue a reset link (valid 1 h, once) for the account with ``email``, if there is one.

    The answer is the same, and as fast, for known and unknown addresses: nothing is looked up before it.
    """
    fields = Fields(await read_body(request))
    email = fields.email("email")
    redirect_to = fields.optional_string("redirectTo")
    fields.check()
    guard(request, runtime, redirect_to=redirect_to)
    await rate_limit(runtime, ip=ip, action="email_send", email=email)
    runtime.emails.password_reset(email=email, redirect_to=redirect_to or DEFAULT_RESET_PAGE)
    return json_response(ResetRequestOut(status=True, message=RESET_MESSAGE))


@router.get(
    "/reset-password/{token}",
    summary="Better Auth: open an emailed reset link",
    status_code=302,
    **docs(
        {400: "VALIDATION_ERROR: no callbackURL", 403: "Untrusted callbackURL", 503: "The database is unreachable"},
        redirect="To callbackURL?token=<token>, or callbackURL?error=INVALID_TOKEN",
    ),
    response_class=RedirectResponse,
    openapi_extra=_required_query(
        "callbackURL",
        "The app's reset page: relative to PUBLIC_APP_URL or on a trusted origin (empty: /reset-password)",
    ),
)
async def reset_password_link(
    request: Request,
    db: DbDep,
    runtime: RuntimeDep,
    token: str,
    callback_url: Annotated[str | None, Query(alias="callbackURL", include_in_schema=False)] = None,
) -> Response:
    """Send the browser to the front end's reset page with the token, without spending it."""
    if callback_url is None:
        raise _missing_query("callbackURL")
    page = callback_url or DEFAULT_RESET_PAGE
    guard(request, runtime, callback_url=page)
    valid = await email_tokens.peek(db, token=token, purposes=[Purpose.RESET_PASSWORD]) is not None
    target = resolve_url(page, runtime)
    return redirect(with_query(target, token=token) if valid else with_query(target, error="INVALID_TOKEN"))


@router.post(
    "/reset-password",
    response_model=StatusOut,
    summary="Better Auth: set a new password with an emailed token",
    **docs(
        {
            400: f"VALIDATION_ERROR, {NEW_PASSWORD_ERRORS}, or INVALID_TOKEN (missing, used, expired)",
            403: "A cookie was sent from an untrusted or missing Origin",
            503: "Redis or the database is unreachable; a reset that happened stays done",
        },
        ResetPasswordIn,
    ),
)
async def reset_password(
    request: Request,
    db: DbDep,
    runtime: RuntimeDep,
    query_token: Annotated[str | None, Query(alias="token")] = None,
) -> Response:
    """Spend the token, set ``newPassword``, and sign the account out everywhere: 200 ``{"status": true}``."""
    fields = Fields(await read_body(request))
    new_password = fields.string("newPassword")
    token = fields.optional_string("token") or query_token
    fields.check()
    guard(request, runtime)
    check_new_password(new_password)
    if not token:
        raise BetterAuthError(400, "INVALID_TOKEN", "Invalid token")
    try:
        await accounts.reset_password(
            db, passwords=runtime.passwords, denylist=runtime.denylist, token=token, new_password=new_password
        )
    except accounts.InvalidEmailToken:
        raise BetterAuthError(400, "INVALID_TOKEN", "Invalid token") from None
    return json_response(StatusOut(status=True))
