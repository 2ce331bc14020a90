"""The tasks service: ``create_app()`` builds it; the lifespan owns the pool, Redis and the token checker.

Run: ``python -m tasks``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import version
from typing import Any

from fastapi import FastAPI, Request

from tasks.config import Settings
from tasks.deps import get_runtime
from tasks.routes import router
from tasks.runtime import open_runtime
from todo_shared.handlers import install_error_handlers
from todo_shared.health import health_router
from todo_shared.logging import configure_logging
from todo_shared.observability import install_observability
from todo_shared.postgres import pool_usage
from todo_shared.request_id import install_request_id
from todo_shared.settings import load_settings

__all__ = ["create_app"]


async def _check_postgres(request: Request) -> None:
    await get_runtime(request).pool.fetchval("SELECT 1")


async def _check_redis(request: Request) -> None:
    await get_runtime(request).redis.ping()


async def _check_denylist(request: Request) -> None:
    await get_runtime(request).denylist.ensure_complete()


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the tasks app; settings come from the environment unless given."""
    cfg = settings if settings is not None else load_settings(Settings)
    configure_logging(service="tasks", level=cfg.log_level, console=cfg.env == "development")

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[dict[str, Any]]:
        async with open_runtime(cfg) as runtime:
            yield {"runtime": runtime}

    app = FastAPI(
        title="Todo tasks",
        version=version("todo-tasks"),
        summary="Per-user tasks; access tokens checked locally against the shared secret and the Redis denylist.",
        lifespan=lifespan,
        redirect_slashes=False,  # a redirect would name this service's internal address
    )
    install_error_handlers(app)
    install_request_id(app)
    app.include_router(health_router({"postgres": _check_postgres, "redis": _check_redis, "denylist": _check_denylist}))
    app.include_router(router)
    install_observability(app, cfg, service="tasks", pool_usage=lambda state: pool_usage(state["runtime"].pool))
    return app
