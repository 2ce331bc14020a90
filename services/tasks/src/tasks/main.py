"""The tasks service: ``create_app()`` builds it; the lifespan owns the pool, Redis and the token checker.

Run: ``uvicorn tasks.main:create_app --factory --port 8002``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import version
from typing import TypedDict

import asyncpg
from fastapi import FastAPI, Request
from fastapi.responses import Response
from redis.asyncio import Redis

from tasks.config import Settings
from tasks.db import open_pool, pool_usage
from tasks.routes import router
from todo_shared.denylist import Denylist
from todo_shared.handlers import install_error_handlers, render_error
from todo_shared.health import health_router
from todo_shared.logging import configure_logging
from todo_shared.observability import install_observability
from todo_shared.redis import open_redis
from todo_shared.request_id import install_request_id
from todo_shared.settings import load_settings
from todo_shared.tokens import TokenVerifier

__all__ = ["State", "create_app"]


class State(TypedDict):
    """What the lifespan hands every request as ``request.state``."""

    pool: asyncpg.Pool
    redis: Redis
    verifier: TokenVerifier
    denylist: Denylist


# The database failing under a request is an outage, not a bug: answer 503 like the denylist does.
_DB_UNAVAILABLE: tuple[type[Exception], ...] = (
    OSError,
    TimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.TooManyConnectionsError,
)


async def _db_unavailable(_: Request, __: Exception) -> Response:
    return render_error(503, "service_unavailable", "The task store is unavailable right now")


async def _check_postgres(request: Request) -> None:
    await request.state.pool.fetchval("SELECT 1")


async def _check_redis(request: Request) -> None:
    await request.state.redis.ping()


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the tasks app; settings come from the environment unless given."""
    cfg = settings if settings is not None else load_settings(Settings)
    configure_logging(service="tasks", level=cfg.log_level, console=cfg.env == "development")

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[State]:
        pool = await open_pool(
            cfg.database_url,
            min_size=cfg.db_pool_min_size,
            max_size=cfg.db_pool_max_size,
            command_timeout=cfg.db_command_timeout_seconds,
        )
        redis = open_redis(cfg.redis_url, timeout_seconds=cfg.redis_timeout_seconds)
        verifier = TokenVerifier(
            secret=cfg.jwt_secret.get_secret_value(),
            previous_secrets=[s.get_secret_value() for s in cfg.jwt_previous_secrets],
            issuer=cfg.jwt_issuer,
            audience=cfg.jwt_audience,
            leeway_seconds=cfg.jwt_leeway_seconds,
        )
        try:
            yield State(
                pool=pool,
                redis=redis,
                verifier=verifier,
                denylist=Denylist(redis, ttl_seconds=cfg.denylist_ttl_seconds),
            )
        finally:
            await redis.aclose()
            await pool.close()

    app = FastAPI(
        title="Todo tasks",
        version=version("todo-tasks"),
        summary="Per-user tasks; access tokens checked locally against the shared secret and the Redis denylist.",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    for exc_class in _DB_UNAVAILABLE:
        app.add_exception_handler(exc_class, _db_unavailable)
    install_request_id(app)
    app.include_router(health_router({"postgres": _check_postgres, "redis": _check_redis}))
    app.include_router(router)
    install_observability(app, cfg, service="tasks", pool_usage=lambda state: pool_usage(state["pool"]))
    return app
