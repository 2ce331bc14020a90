"""Request dependencies: the runtime, a database session, the client's address and the signed-in principal."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, cast

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from auth.ratelimit import client_ip
from auth.runtime import Runtime
from todo_shared.auth import authenticate
from todo_shared.postgres import postgres_down
from todo_shared.tokens import AccessClaims, bearer_token
from todo_shared.unavailable import dependency_unavailable

__all__ = ["ClaimsDep", "ClientIpDep", "DbDep", "PrincipalDep", "RuntimeDep", "UserAgentDep"]

# Dependencies are async even where nothing is awaited: FastAPI runs sync ones in its thread pool, a hop each.

# Declared for the OpenAPI "Authorize" button only; `authenticate` reads and judges the header itself.
_bearer = HTTPBearer(auto_error=False, description="An access token from /api/auth/login or /api/auth/signup")


async def get_runtime(request: Request) -> Runtime:
    """Return the resources the lifespan opened."""
    return cast(Runtime, request.state.runtime)


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


async def get_db(runtime: RuntimeDep) -> AsyncIterator[AsyncSession]:
    """Yield one session per request (rolled back when it closes); a database outage under it becomes a 503."""
    try:
        async with runtime.sessionmaker() as session:
            yield session
    except Exception as exc:
        if postgres_down(exc):
            raise dependency_unavailable("postgres", exc) from exc
        raise


DbDep = Annotated[AsyncSession, Depends(get_db)]


async def get_client_ip(request: Request, runtime: RuntimeDep) -> str:
    """Return the client's address, believing X-Forwarded-For only from a trusted proxy."""
    peer = request.client.host if request.client else None
    forwarded = ",".join(request.headers.getlist("x-forwarded-for")) or None
    return client_ip(peer, forwarded, runtime.settings.trusted_proxies)


ClientIpDep = Annotated[str, Depends(get_client_ip)]


async def get_user_agent(request: Request) -> str | None:
    """Return the User-Agent header, if any."""
    return request.headers.get("user-agent")


UserAgentDep = Annotated[str | None, Depends(get_user_agent)]


async def get_principal(
    request: Request,
    runtime: RuntimeDep,
    _: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> AccessClaims:
    """Return the claims of a valid, unrevoked access token (401 otherwise, 503 if revocation cannot be checked)."""
    return await authenticate(
        request.headers.get("authorization"), verifier=runtime.verifier, denylist=runtime.denylist
    )


PrincipalDep = Annotated[AccessClaims, Depends(get_principal)]


async def get_claims(
    request: Request,
    runtime: RuntimeDep,
    _: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> AccessClaims:
    """Return the claims of a valid access token, revoked or not: enough to name the session a logout revokes."""
    return runtime.verifier.verify(bearer_token(request.headers.get("authorization")))


ClaimsDep = Annotated[AccessClaims, Depends(get_claims)]
