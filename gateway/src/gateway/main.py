"""The gateway's ASGI app: CORS answered here, everything else routed and proxied.

Run it with ``uvicorn gateway.main:create_app --factory --port 8000 --no-access-log``.
"""

from __future__ import annotations

import logging

from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp

from gateway.config import Settings
from gateway.proxy import Gateway
from todo_shared.logging import configure_logging
from todo_shared.settings import load_settings

__all__ = ["create_app"]

# What the front end needs to read: Better Auth's bearer and JWT headers, the request id, the list total.
EXPOSED_HEADERS = ["set-auth-token", "set-auth-jwt", "X-Request-ID", "X-Total-Count"]


def create_app(settings: Settings | None = None) -> ASGIApp:
    """Build the gateway from ``settings`` (read from the environment when omitted)."""
    settings = settings or load_settings(Settings)
    configure_logging(service="gateway", level=settings.log_level)
    # No access lines from the gateway: each upstream logs the request under the same X-Request-ID, and
    # uvicorn skips formatting them entirely when the access logger has nowhere to go.
    logging.getLogger("uvicorn.access").propagate = False
    return CORSMiddleware(
        Gateway(settings),
        allow_origins=settings.frontend_origins,
        allow_credentials=True,
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        allow_headers=["content-type", "authorization", "x-request-id"],
        expose_headers=EXPOSED_HEADERS,
        max_age=600,
    )
