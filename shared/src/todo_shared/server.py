"""Serve an app under Granian with every edge limit on: the one way auth, tasks and the gateway listen.

Granian (hyper underneath) gives what uvicorn does not: a cap on request line + headers (431 before the rest
is read), a header-read timeout that also closes idle keep-alive connections, and a bound on open connections.
It has no proxy-header handling, so the peer address an app sees is the socket's. Measured on the tasks
service it served 1.1-1.4x uvicorn's requests per second for less CPU (README, "Performance").
"""

from __future__ import annotations

from typing import Any

from granian.constants import HTTPModes, Interfaces, Loops
from granian.http import HTTP1Settings
from granian.server.mp import MPServer

from todo_shared.logging import logging_config
from todo_shared.settings import BaseServiceSettings, ServerSettings

__all__ = ["serve_service", "server"]


def server(
    factory: str, *, host: str, port: int, limits: ServerSettings, log_config: dict[str, Any] | None = None
) -> MPServer:
    """The Granian server for the app ``factory`` ("module:function"): one worker on uvloop, HTTP/1.1 only.

    ``log_config`` (a ``logging.config.dictConfig`` dict) makes Granian's own lines look like the app's.
    """
    return MPServer(
        factory,
        factory=True,
        address=host,
        port=port,
        interface=Interfaces.ASGI,
        # HTTP/2 (h2c) would bring its own, much larger, header allowance.
        http=HTTPModes.http1,
        http1_settings=HTTP1Settings(
            header_read_timeout=round(limits.header_read_timeout_seconds * 1000),
            keep_alive=True,
            max_buffer_size=limits.max_header_bytes,
        ),
        backpressure=limits.max_connections,
        websockets=False,
        loop=Loops.uvloop,
        # One worker per process: each binds its own /metrics port; scale with processes (replicas).
        workers=1,
        # The app writes the access line itself (request id, redacted query); Granian's would be a second one.
        log_access=False,
        log_dictconfig=log_config,
    )


def serve_service(name: str, settings: BaseServiceSettings, *, host: str, port: int) -> None:
    """Serve ``<name>.main:create_app`` (auth or tasks) until stopped, Granian's lines logged as the app's are."""
    log_config = logging_config(service=name, level=settings.log_level, console=settings.env == "development")
    server(f"{name}.main:create_app", host=host, port=port, limits=settings, log_config=log_config).serve()
