"""``python -m gateway``: the gateway under Granian, with every edge limit on by default.

The one command line everywhere (``make dev``'s Procfile, the image, the tests, the bench); the limits come
from ``Settings`` so that no launcher can forget one. Granian (hyper underneath) gives what uvicorn does not:
a cap on request line + headers (431 before the rest is read), a header-read timeout that also closes idle
keep-alive connections, and a bound on open connections. It has no proxy-header handling, so the peer
address the app sees is the socket's; ``gateway.forwarding`` decides who the client is.
"""

from __future__ import annotations

from granian.constants import HTTPModes, Interfaces, Loops
from granian.http import HTTP1Settings
from granian.server.mp import MPServer

from gateway.config import Settings
from todo_shared.settings import load_settings

__all__ = ["main", "server"]


def server(settings: Settings) -> MPServer:
    """The Granian server for ``settings``: one worker on uvloop, HTTP/1.1 only, no websockets."""
    return MPServer(
        "gateway.main:create_app",
        factory=True,
        address=settings.gateway_host,
        port=settings.gateway_port,
        interface=Interfaces.ASGI,
        # HTTP/2 (h2c) would bring its own, much larger, header allowance.
        http=HTTPModes.http1,
        http1_settings=HTTP1Settings(
            header_read_timeout=round(settings.header_read_timeout_seconds * 1000),
            keep_alive=True,
            max_buffer_size=settings.max_header_bytes,
        ),
        backpressure=settings.max_connections,
        websockets=False,
        loop=Loops.uvloop,
        # One worker: the admin listener binds one port, and the proxy is I/O-bound; scale with replicas.
        workers=1,
        log_access=False,
    )


def main() -> None:
    """Serve the gateway until stopped."""
    server(load_settings(Settings)).serve()
