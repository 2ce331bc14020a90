"""The auth service's app factory, which ``python -m auth`` serves."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from sqlalchemy import text

from auth.better_auth import routers as better_auth_routers
from auth.config import Settings
from auth.db import pool_usage
from auth.deps import get_runtime
from auth.routes import router
from auth.runtime import open_runtime
from todo_shared.handlers import install_error_handlers
from todo_shared.health import health_router
from todo_shared.logging import configure_logging
from todo_shared.observability import install_observability
from todo_shared.request_id import install_request_id
from todo_shared.settings import load_settings

__all__ = ["create_app"]


async def _postgres(request: Request) -> None:
    async with (await get_runtime(request)).engine.connect() as conn:
        await conn.execute(text("SELECT 1"))


async def _redis(request: Request) -> None:
    await (await get_runtime(request)).redis.ping()


async def _denylist(request: Request) -> None:
    await (await get_runtime(request)).denylist.ensure_complete()


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; without ``settings`` read them from the environment and set up JSON logging."""
    if settings is None:
        settings = load_settings(Settings)
        # Only a real process owns the global logging setup; tests pass settings and keep pytest's capture.
        configure_logging(service="auth", level=settings.log_level, console=settings.env == "development")
    app_settings = settings

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[dict[str, Any]]:
        async with open_runtime(app_settings) as runtime:
            yield {"runtime": runtime}

    app = FastAPI(
        title="todo auth",
        version="0.1.0",
        summary="Sign-up, sign-in, sessions, refresh tokens and revocation",
        lifespan=lifespan,
        redirect_slashes=False,  # a redirect would name this service's internal address
    )
    install_error_handlers(app)
    install_request_id(app)
    app.include_router(router)
    for better_auth_router in better_auth_routers:
        app.include_router(better_auth_router)
    app.include_router(health_router({"postgres": _postgres, "redis": _redis, "denylist": _denylist}))
    install_observability(app, settings, service="auth", pool_usage=lambda state: pool_usage(state["runtime"].engine))
    return app
