"""The auth API under ``/api/auth`` (the same paths the gateway exposes); thin handlers over ``service``."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, status
from sqlalchemy.ext.asyncio import AsyncSession

from auth import service
from auth.deps import ClaimsDep, ClientIpDep, DbDep, PrincipalDep, RuntimeDep, UserAgentDep
from auth.models import User
from auth.runtime import Runtime
from auth.schemas import (
    LoginIn,
    MeOut,
    MessageOut,
    RefreshIn,
    SignupIn,
    TokenOut,
    UserOut,
)
from todo_shared.errors import Unauthorized
from todo_shared.schemas import ErrorOut, ValidationErrorOut

__all__ = ["router"]

router = APIRouter(prefix="/api/auth", tags=["auth"])


def _errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    described = {
        400: "Email already registered",
        401: "Missing, invalid, expired or revoked credentials",
        403: "Account is disabled",
        422: "The body is not valid JSON or a field is missing, of the wrong type or out of bounds",
        429: "Too many attempts; see Retry-After",
        503: "Redis (revocation or rate limit) or the database is unreachable",
    }
    return {s: {"model": ValidationErrorOut if s == 422 else ErrorOut, "description": described[s]} for s in statuses}


def _token_out(issued: service.IssuedTokens, expires_in: int) -> TokenOut:
    user = issued.user
    return TokenOut(
        access_token=issued.access_token,
        expires_in=expires_in,
        refresh_token=issued.refresh_token,
        user=UserOut(id=user.id, email=user.email, name=user.name),
    )


def _claim_uuid(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise Unauthorized("Invalid or expired token", code="invalid_token") from None


async def _start_session(
    db: AsyncSession, runtime: Runtime, *, user: User, ip: str, user_agent: str | None
) -> TokenOut:
    issued = await service.start_session(
        db,
        signer=runtime.signer,
        user=user,
        refresh_ttl_seconds=runtime.settings.refresh_token_ttl_seconds,
        ip_address=ip,
        user_agent=user_agent,
    )
    return _token_out(issued, runtime.settings.access_token_ttl_seconds)


@router.post(
    "/signup",
    status_code=status.HTTP_201_CREATED,
    response_model=TokenOut,
    responses=_errors(400, 422, 429, 503),
    summary="Create an account and sign in",
)
async def signup(body: SignupIn, db: DbDep, runtime: RuntimeDep, ip: ClientIpDep, user_agent: UserAgentDep) -> TokenOut:
    """Register a user, return a token pair, and email a link to verify the address."""
    await runtime.rate_limiter.check(ip=ip)
    user = await service.create_user(
        db, passwords=runtime.passwords, email=body.email, password=body.password, name=body.name
    )
    tokens = await _start_session(db, runtime, user=user, ip=ip, user_agent=user_agent)
    runtime.emails.verification(user_id=user.id, callback_url="/")
    return tokens


@router.post(
    "/login", response_model=TokenOut, responses=_errors(401, 403, 422, 429, 503), summary="Sign in with a password"
)
async def login(body: LoginIn, db: DbDep, runtime: RuntimeDep, ip: ClientIpDep, user_agent: UserAgentDep) -> TokenOut:
    """Check the password and return a token pair."""
    user = await service.sign_in(
        db, passwords=runtime.passwords, limiter=runtime.rate_limiter, email=body.email, password=body.password, ip=ip
    )
    return await _start_session(db, runtime, user=user, ip=ip, user_agent=user_agent)


@router.get("/me", response_model=MeOut, responses=_errors(401, 503), summary="The signed-in user")
async def me(principal: PrincipalDep, db: DbDep) -> MeOut:
    """Return the user the access token belongs to, if the record says its session is still live."""
    user = await service.find_live_session_user(
        db, user_id=_claim_uuid(principal.sub), session_id=_claim_uuid(principal.sid)
    )
    if user is None:
        raise Unauthorized("Token has been revoked", code="token_revoked")
    return MeOut.model_validate({"id": user.id, "email": user.email, "name": user.name, "created_at": user.created_at})


@router.post("/logout", response_model=MessageOut, responses=_errors(401, 503), summary="Sign out of this session")
async def logout(claims: ClaimsDep, db: DbDep, runtime: RuntimeDep) -> MessageOut:
    """Revoke this session's access and refresh tokens everywhere, before answering.

    A token already revoked is accepted here (and the answer is the same), so a logout that failed half-way
    with a 503 can simply be retried.
    """
    await service.revoke_session(
        db,
        denylist=runtime.denylist,
        user_id=_claim_uuid(claims.sub),
        session_id=_claim_uuid(claims.sid),
        jtis=[claims.jti],
    )
    return MessageOut(message="Successfully logged out")


@router.post("/refresh", response_model=TokenOut, responses=_errors(401, 403, 422, 503), summary="Swap a refresh token")
async def refresh(body: RefreshIn, db: DbDep, runtime: RuntimeDep) -> TokenOut:
    """Spend a refresh token and return a new pair; a replayed one revokes its session."""
    issued = await service.rotate_refresh_token(
        db,
        signer=runtime.signer,
        denylist=runtime.denylist,
        refresh_token=body.refresh_token,
        ttl_seconds=runtime.settings.refresh_token_ttl_seconds,
    )
    return _token_out(issued, runtime.settings.access_token_ttl_seconds)


@router.post("/logout-all", response_model=MessageOut, responses=_errors(401, 503), summary="Sign out of every session")
async def logout_all(claims: ClaimsDep, db: DbDep, runtime: RuntimeDep) -> MessageOut:
    """Revoke every session and access token of the user, before answering.

    A token whose session is already revoked may retry a logout-all that failed half-way: it re-records the
    user's revocations, and never revokes sessions opened since.
    """
    user_id, session_id = _claim_uuid(claims.sub), _claim_uuid(claims.sid)
    if await service.find_live_session_user(db, user_id=user_id, session_id=session_id) is None:
        await service.reindex_revocations(db, denylist=runtime.denylist, user_id=user_id)
    else:
        await service.revoke_all_sessions(db, denylist=runtime.denylist, user_id=user_id)
    return MessageOut(message="Logged out of all sessions")
