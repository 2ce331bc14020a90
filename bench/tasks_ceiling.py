"""The ceiling for the tasks benchmark: the tasks service's stack with a route that only checks the token.

Same settings, middleware, error handlers and auth dependency as ``tasks.main``, but no database: what a
request costs before it does any work. Bench-only; the production app has no such route.
Run from the repo root: ``uvicorn bench.tasks_ceiling:create_app --factory``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TypedDict

from fastapi import APIRouter, FastAPI
from pydantic import BaseModel

from tasks.config import Settings
from tasks.deps import AuthenticatedRoute, UserId
from todo_shared.denylist import Denylist
from todo_shared.handlers import install_error_handlers
from todo_shared.health import health_router
from todo_shared.redis import RedisClient, open_redis
from todo_shared.request_id import install_request_id
from todo_shared.settings import load_settings
from todo_shared.tokens import TokenVerifier


class State(TypedDict):
    redis: RedisClient
    verifier: TokenVerifier
    denylist: Denylist


class Who(BaseModel):
    user_id: str


def create_app() -> FastAPI:
    """Build the token-check-only app."""
    cfg = load_settings(Settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[State]:
        redis = open_redis(cfg.redis_url, timeout_seconds=cfg.redis_timeout_seconds)
        verifier = TokenVerifier(
            secret=cfg.jwt_secret.get_secret_value(),
            issuer=cfg.jwt_issuer,
            audience=cfg.jwt_audience,
            leeway_seconds=cfg.jwt_leeway_seconds,
        )
        try:
            yield State(redis=redis, verifier=verifier, denylist=Denylist(redis, ttl_seconds=cfg.denylist_ttl_seconds))
        finally:
            await redis.aclose()

    app = FastAPI(lifespan=lifespan)
    install_error_handlers(app)
    install_request_id(app)
    app.include_router(health_router({}))

    router = APIRouter(route_class=AuthenticatedRoute)

    @router.get("/api/{user_id}/whoami")
    async def whoami(user_id: UserId) -> Who:
        return Who(user_id=user_id)

    app.include_router(router)
    return app
