"""Request dependencies and the route class that authenticates every task route."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any, cast

import asyncpg
from fastapi import Path, Request, Response
from fastapi.routing import APIRoute
from fastapi.security import HTTPBearer

from tasks.runtime import Runtime
from todo_shared.auth import authenticate
from todo_shared.errors import Forbidden

__all__ = ["AuthenticatedRoute", "Bearer", "UserId", "get_runtime", "pool_of"]

# Only documents the scheme in OpenAPI (so /docs has "Authorize"); ``AuthenticatedRoute`` does the checking.
Bearer = HTTPBearer(auto_error=False, description="An access token from the auth service")


class AuthenticatedRoute(APIRoute):
    """A route under ``/api/{user_id}/...`` that only the owner of a valid, unrevoked token may call.

    The check runs before FastAPI reads the body, so a caller without a valid token gets 401 whatever it
    sent (a dependency would run after a malformed body had already become a 422).

    Raises:
        Unauthorized: no, bad, expired or revoked token (401, ``WWW-Authenticate: Bearer``).
        ServiceUnavailable: the denylist cannot be read (503): an unchecked token is never let through.
        Forbidden: a valid token of another user (403).
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def authenticated(request: Request) -> Response:
            runtime = get_runtime(request)
            claims = await authenticate(
                request.headers.get("authorization"), verifier=runtime.verifier, denylist=runtime.denylist
            )
            if claims.sub != request.path_params["user_id"]:
                raise Forbidden()
            return await handle(request)

        return authenticated


def get_runtime(request: Request) -> Runtime:
    """Return the resources the lifespan opened."""
    return cast(Runtime, request.state.runtime)


def pool_of(request: Request) -> asyncpg.Pool:
    """Return the lifespan's connection pool.

    Handlers call this rather than declare a dependency: each dependency FastAPI solves costs every request
    (a plain call and the path parameter instead of two dependencies took ~100 µs off a task read).
    """
    return get_runtime(request).pool


# The path's ``{user_id}``, which ``AuthenticatedRoute`` has matched against the token before the handler runs.
UserId = Annotated[str, Path(description="The signed-in user's id (the access token's subject)")]
