"""The signed-in user's account: update-user, change-password, change-email, delete-user (WIRE-ACCOUNT.md §2-§7).

Every route here needs a session: the cookie, a Better Auth bearer, or our access token.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, Request
from starlette.responses import Response

from auth import accounts
from auth.better_auth.body import Fields, read_body
from auth.better_auth.session import clear_cookies, guard, rate_limit, require_caller
from auth.better_auth.sign_in import NEW_PASSWORD_ERRORS, check_new_password
from auth.better_auth.wire import (
    BetterAuthError,
    ChangeEmailIn,
    ChangePasswordIn,
    ChangePasswordOut,
    DeleteUserIn,
    DeleteUserOut,
    StatusOut,
    UpdateUserIn,
    docs,
    json_response,
    user_out,
)
from auth.deps import ClientIpDep, DbDep, RuntimeDep
from auth.models import IMAGE_MAX, NAME_MAX

__all__ = ["router"]

router = APIRouter(prefix="/api/auth", tags=["better-auth"])

_SESSION = "UNAUTHORIZED: no valid session (cookie, Better Auth bearer, or access token)"


@router.post(
    "/update-user",
    response_model=StatusOut,
    summary="Better Auth: change the name or image",
    **docs(
        {
            400: "VALIDATION_ERROR, EMAIL_CAN_NOT_BE_UPDATED or NO_FIELDS_TO_UPDATE",
            401: _SESSION,
            403: "A cookie was sent from an untrusted or missing Origin",
            503: "The database (or, for an access token, Redis) is unreachable",
        },
        UpdateUserIn,
    ),
)
async def update_user(request: Request, db: DbDep, runtime: RuntimeDep) -> Response:
    """Set ``name`` and/or ``image`` (``null`` clears it): 200 ``{"status": true}``; the email is changed elsewhere."""
    fields = Fields(await read_body(request))
    name = fields.optional_string("name")
    if name is not None and len(name) > NAME_MAX:
        fields.issue("name", f"Too big: expected string to have <={NAME_MAX} characters")
    image = fields.optional_nullable_string("image", max_length=IMAGE_MAX)
    fields.check()
    guard(request, runtime)
    caller = await require_caller(request, db, runtime)
    if fields.has("email"):
        raise BetterAuthError(400, "EMAIL_CAN_NOT_BE_UPDATED", "Email can not be updated")
    if name is None and not fields.has("image"):
        raise BetterAuthError(400, "NO_FIELDS_TO_UPDATE", "No fields to update")
    await accounts.update_profile(db, user=caller.user, name=name, image=image, set_image=fields.has("image"))
    return json_response(StatusOut(status=True))


@router.post(
    "/change-password",
    response_model=ChangePasswordOut,
    summary="Better Auth: change the password (and sign out every other session)",
    **docs(
        {
            400: f"VALIDATION_ERROR, {NEW_PASSWORD_ERRORS}, or INVALID_PASSWORD (the current one)",
            401: _SESSION,
            403: "A cookie was sent from an untrusted or missing Origin",
            429: "Too many attempts from this address or for this account; see Retry-After",
            503: "Redis or the database is unreachable; other sessions stay revoked in the record",
        },
        ChangePasswordIn,
    ),
)
async def change_password(request: Request, db: DbDep, runtime: RuntimeDep, ip: ClientIpDep) -> Response:
    """Check ``currentPassword``, store ``newPassword``; ``revokeOtherSessions`` ends every other session at once.

    This session is kept, so ``token`` is ``null`` and no cookie is set.
    """
    fields = Fields(await read_body(request))
    new_password = fields.string("newPassword")
    current_password = fields.string("currentPassword")
    revoke_others = fields.optional_boolean("revokeOtherSessions") is True
    fields.check()
    guard(request, runtime)
    check_new_password(new_password)
    caller = await require_caller(request, db, runtime)
    await rate_limit(runtime, ip=ip, action="password_check", email=caller.user.email)
    try:
        await accounts.change_password(
            db,
            passwords=runtime.passwords,
            denylist=runtime.denylist,
            user=caller.user,
            current_password=current_password,
            new_password=new_password,
            keep_only_session=caller.session.id if revoke_others else None,
        )
    except accounts.WrongPassword:
        raise BetterAuthError(400, "INVALID_PASSWORD", "Invalid password") from None
    return json_response(ChangePasswordOut(token=None, user=user_out(caller.user)))


@router.post(
    "/change-email",
    response_model=StatusOut,
    summary="Better Auth: start changing the email address (by emailed links)",
    **docs(
        {
            400: "VALIDATION_ERROR or EMAIL_IS_THE_SAME",
            401: _SESSION,
            403: "Untrusted Origin or callbackURL",
            429: "Too many emails asked for from this address or for this account; see Retry-After",
            503: "Redis or the database is unreachable",
        },
        ChangeEmailIn,
    ),
)
async def change_email(request: Request, db: DbDep, runtime: RuntimeDep, ip: ClientIpDep) -> Response:
    """Email a link: to the old address to approve the change if it is verified, else to the new one to prove it.

    Always 200 ``{"status": true}``, also when the address belongs to another account (then nothing is sent).
    """
    fields = Fields(await read_body(request))
    new_email = fields.email("newEmail")
    callback_url = fields.optional_string("callbackURL")
    fields.check()
    guard(request, runtime, callback_url=callback_url)
    caller = await require_caller(request, db, runtime)
    if new_email == caller.user.email.lower():
        raise BetterAuthError(400, "EMAIL_IS_THE_SAME", "Email is the same")
    await rate_limit(runtime, ip=ip, action="email_send", email=caller.user.email)
    runtime.emails.email_change(user_id=caller.user.id, new_email=new_email, callback_url=callback_url or "/")
    return json_response(StatusOut(status=True))


@router.post(
    "/delete-user",
    response_model=DeleteUserOut,
    summary="Better Auth: delete the account, its sessions and its tasks",
    **docs(
        {
            400: "VALIDATION_ERROR, INVALID_PASSWORD, or SESSION_EXPIRED (no password and an old session)",
            401: _SESSION,
            403: "Untrusted Origin or callbackURL",
            404: "INVALID_TOKEN: deletion by emailed token is not offered",
            429: "Too many password attempts; see Retry-After",
            503: "Redis or the database is unreachable; a deletion that happened stays done",
        },
        DeleteUserIn,
    ),
)
async def delete_user(request: Request, db: DbDep, runtime: RuntimeDep, ip: ClientIpDep) -> Response:
    """Delete the account after checking ``password`` (or, without one, a session signed in within a day).

    Every session and access token dies at once; the tasks service deletes the user's tasks from the event.
    """
    fields = Fields(await read_body(request))
    password = fields.optional_string("password")
    token = fields.optional_string("token")
    callback_url = fields.optional_string("callbackURL")
    fields.check()
    guard(request, runtime, callback_url=callback_url)
    caller = await require_caller(request, db, runtime)
    if token is not None:
        raise BetterAuthError(404, "INVALID_TOKEN", "Invalid token")
    if password is not None:
        await rate_limit(runtime, ip=ip, action="password_check", email=caller.user.email)
        try:
            await accounts.check_password(db, passwords=runtime.passwords, user=caller.user, password=password)
        except accounts.WrongPassword:
            raise BetterAuthError(400, "INVALID_PASSWORD", "Invalid password") from None
    else:
        fresh_since = datetime.now(UTC) - timedelta(seconds=runtime.settings.session_fresh_age_seconds)
        if caller.session.created_at < fresh_since:
            raise BetterAuthError(400, "SESSION_EXPIRED", "Session expired. Re-authenticate to perform this action.")
    await accounts.delete_account(db, denylist=runtime.denylist, user_id=caller.user.id)
    runtime.outbox.wake()
    response = json_response(DeleteUserOut(success=True, message="User deleted"))
    clear_cookies(response, runtime.session_cookie)
    return response
