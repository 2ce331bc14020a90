"""The signed-in user's sessions: list-sessions, revoke-session, revoke-other-sessions, revoke-sessions (§5).

A session's ``token`` in the list is not its secret: it is the session's id, a handle that revoke-session takes
back (as well as a raw session token). Page scripts never receive another device's bearer secret this way.
Every revocation is recorded in PostgreSQL first, then in the denylist, and reaches the tasks service at once.
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from starlette.responses import Response

from auth import opaque, service
from auth.better_auth.body import Fields, read_body
from auth.better_auth.session import clear_cookies, guard, require_caller
from auth.better_auth.wire import BetterAuthSession, RevokeSessionIn, StatusOut, docs, json_response, session_out
from auth.deps import DbDep, RuntimeDep
from todo_shared.metrics import ACCOUNT_CHANGES

__all__ = ["router"]

router = APIRouter(prefix="/api/auth", tags=["better-auth"])

_SESSION = "UNAUTHORIZED: no valid session (cookie, Better Auth bearer, or access token)"
_ORIGIN = "A cookie was sent from an untrusted or missing Origin"
_UNAVAILABLE = "Redis or the database is unreachable; what was revoked stays revoked in the record"


def _handle(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


@router.get(
    "/list-sessions",
    response_model=list[BetterAuthSession],
    summary="Better Auth: the user's live sessions, oldest first",
    **docs({401: _SESSION, 503: "The database (or, for an access token, Redis) is unreachable"}),
)
async def list_sessions(request: Request, db: DbDep, runtime: RuntimeDep) -> Response:
    """List every live session of the user; each ``token`` is a non-secret handle (the session's id)."""
    caller = await require_caller(request, db, runtime)
    sessions = await service.list_live_sessions(db, user_id=caller.user.id)
    return json_response([session_out(s, str(s.id)) for s in sessions], {"Cache-Control": "no-store"})


@router.post(
    "/revoke-session",
    response_model=StatusOut,
    summary="Better Auth: sign one session out",
    **docs({400: "VALIDATION_ERROR", 401: _SESSION, 403: _ORIGIN, 503: _UNAVAILABLE}, RevokeSessionIn),
)
async def revoke_session(request: Request, db: DbDep, runtime: RuntimeDep) -> Response:
    """Revoke the user's session named by ``token``; 200 ``{"status": true}`` also for an unknown or foreign one."""
    fields = Fields(await read_body(request))
    token = fields.string("token")
    fields.check()
    guard(request, runtime)
    caller = await require_caller(request, db, runtime)
    session_id = _handle(token)
    target = await service.find_user_session(
        db,
        user_id=caller.user.id,
        session_id=session_id,
        token_hash=opaque.digest(token) if session_id is None else None,
    )
    response = json_response(StatusOut(status=True))
    if target is None:
        return response
    await service.revoke_session(db, denylist=runtime.denylist, user_id=caller.user.id, session_id=target.id)
    ACCOUNT_CHANGES.labels("sessions_revoked").inc()
    if target.id == caller.session.id:
        clear_cookies(response, runtime.session_cookie)
    return response


@router.post(
    "/revoke-other-sessions",
    response_model=StatusOut,
    summary="Better Auth: sign every other session out",
    **docs({401: _SESSION, 403: _ORIGIN, 503: _UNAVAILABLE}),
)
async def revoke_other_sessions(request: Request, db: DbDep, runtime: RuntimeDep) -> Response:
    """Revoke every session of the user but this one."""
    guard(request, runtime)
    caller = await require_caller(request, db, runtime)
    await service.revoke_other_sessions(
        db, denylist=runtime.denylist, user_id=caller.user.id, keep_session_id=caller.session.id
    )
    ACCOUNT_CHANGES.labels("sessions_revoked").inc()
    return json_response(StatusOut(status=True))


@router.post(
    "/revoke-sessions",
    response_model=StatusOut,
    summary="Better Auth: sign every session out, this one included",
    **docs({401: _SESSION, 403: _ORIGIN, 503: _UNAVAILABLE}),
)
async def revoke_sessions(request: Request, db: DbDep, runtime: RuntimeDep) -> Response:
    """Revoke every session and access token of the user, and clear this one's cookies."""
    guard(request, runtime)
    caller = await require_caller(request, db, runtime)
    await service.revoke_all_sessions(db, denylist=runtime.denylist, user_id=caller.user.id)
    ACCOUNT_CHANGES.labels("sessions_revoked").inc()
    response = json_response(StatusOut(status=True))
    clear_cookies(response, runtime.session_cookie)
    return response
