"""The admin listener (``GATEWAY_ADMIN_PORT``): ``/metrics`` and the two probes, never on the public port.

It is an aiohttp server in the same event loop as the proxy, started and stopped by the app's lifespan, so the
metrics it serves are the proxy's own. Anything else it answers is the 404 envelope.
"""

from __future__ import annotations

from aiohttp import web
from aiohttp.typedefs import Handler
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest
from starlette.responses import Response

from gateway.config import Settings
from gateway.health import Readiness
from gateway.metrics import OpenConnections
from todo_shared.errors import NotFound
from todo_shared.handlers import render_error

__all__ = ["AdminListener"]


def _aiohttp(response: Response) -> web.Response:
    """Carry a Starlette response (the envelope's one renderer makes those) over to aiohttp."""
    return web.Response(
        body=response.body, status=response.status_code, content_type=response.media_type, charset=response.charset
    )


class AdminListener:
    """Serves ``/metrics``, ``/healthz`` and ``/readyz`` on the admin host and port."""

    def __init__(self, settings: Settings, readiness: Readiness) -> None:
        self._host, self._port = settings.gateway_admin_host, settings.gateway_admin_port
        self._readiness = readiness
        self._connections = OpenConnections(settings.gateway_port)
        app = web.Application()
        app.router.add_get("/metrics", self._metrics)
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/readyz", self._readyz)
        app.middlewares.append(_not_found)
        self._runner = web.AppRunner(app, access_log=None)

    async def start(self) -> None:
        REGISTRY.register(self._connections)
        await self._runner.setup()
        await web.TCPSite(self._runner, self._host, self._port).start()

    async def stop(self) -> None:
        await self._runner.cleanup()
        REGISTRY.unregister(self._connections)

    async def _metrics(self, _: web.Request) -> web.Response:
        return web.Response(body=generate_latest(REGISTRY), headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def _healthz(self, _: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def _readyz(self, _: web.Request) -> web.Response:
        return _aiohttp(await self._readiness.answer())


@web.middleware
async def _not_found(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except web.HTTPNotFound:
        return _aiohttp(render_error(NotFound.status_code, NotFound.code, NotFound.detail))
    except web.HTTPException as exc:
        return _aiohttp(render_error(exc.status, "http_error", exc.reason))
