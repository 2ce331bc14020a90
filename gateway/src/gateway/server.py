"""``python -m gateway``: the gateway under Granian, with every edge limit on by default.

The one command line everywhere (``make dev``'s Procfile, the image, the tests, the bench); the limits come
from ``Settings`` (``todo_shared.server``) so that no launcher can forget one. Granian has no proxy-header
handling, so the peer address the app sees is the socket's; ``gateway.forwarding`` decides who the client is.
"""

from __future__ import annotations

from granian.server.mp import MPServer

from gateway.config import Settings
from todo_shared.logging import logging_config
from todo_shared.server import server as granian_server
from todo_shared.settings import load_settings

__all__ = ["main", "server"]


def server(settings: Settings) -> MPServer:
    """The Granian server for ``settings`` (one worker: the admin listener binds one port; scale with replicas)."""
    return granian_server(
        "gateway.main:create_app",
        host=settings.gateway_host,
        port=settings.gateway_port,
        limits=settings,
        log_config=logging_config(service="gateway", level=settings.log_level),
    )


def main() -> None:
    """Serve the gateway until stopped."""
    server(load_settings(Settings)).serve()
