"""The gateway's ASGI app: CORS answered here, everything else routed and proxied.

Serve it with ``python -m gateway`` (``gateway.server``), which runs it under Granian with the limits that make
it safe at the edge; the factory alone is ``gateway.main:create_app``.
"""

from __future__ import annotations

from starlette.types import ASGIApp

from gateway.config import Settings
from gateway.cors import EnvelopeCORSMiddleware
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
    return EnvelopeCORSMiddleware(
        Gateway(settings),
        allow_origins=settings.frontend_origins,
        allow_credentials=True,
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        allow_headers=["content-type", "authorization", "x-request-id"],
        expose_headers=EXPOSED_HEADERS,
        max_age=600,
    )
