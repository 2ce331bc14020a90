"""What an operator sees of a service: request metrics, ``/metrics`` on a port of its own, pool gauges, traces.

``install_observability`` wires it all into an app in one call. The listener is prometheus-client's own
threaded HTTP server: it answers scrapes even while the event loop is busy, and never shares a port (or a
route) with the API, so the gateway cannot reach it.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

from fastapi import FastAPI
from prometheus_client import start_http_server

from todo_shared.http_metrics import HttpMetricsMiddleware
from todo_shared.metrics import DB_POOL_CONNECTIONS
from todo_shared.settings import BaseServiceSettings

__all__ = ["PoolUsage", "install_observability", "serve_metrics", "watch_pool"]

log = logging.getLogger("todo.observability")

# Connections (in use, idle) of a database pool, read when /metrics is scraped.
PoolUsage = Callable[[], tuple[int, int]]

# The pools being watched, latest last; a scrape reads the latest (several exist only in in-process tests).
_watched: list[PoolUsage] = []


def _usage() -> tuple[int, int]:
    try:
        return _watched[-1]()
    except IndexError:  # nothing watched (any more): the scrape runs in another thread, so no check-then-read
        return 0, 0


@contextmanager
def watch_pool(usage: PoolUsage) -> Iterator[None]:
    """Report ``usage`` as ``todo_db_pool_connections`` on every scrape while the block runs."""
    _watched.append(usage)
    DB_POOL_CONNECTIONS.labels(state="in_use").set_function(lambda: _usage()[0])
    DB_POOL_CONNECTIONS.labels(state="idle").set_function(lambda: _usage()[1])
    try:
        yield
    finally:
        _watched.remove(usage)


@contextmanager
def serve_metrics(host: str, port: int | None) -> Iterator[int | None]:
    """Serve the process's metrics on ``host:port`` while the block runs; yield the port, or ``None`` if off."""
    if not port:
        yield None
        return
    # Binding a port in use raises here, so a misconfigured service fails at start-up rather than run unseen.
    server, thread = start_http_server(port, addr=host)
    log.info("metrics on http://%s:%d/metrics", host, server.server_port)
    try:
        yield server.server_port
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def install_observability(
    app: FastAPI, settings: BaseServiceSettings, *, service: str, pool_usage: Callable[[Any], tuple[int, int]]
) -> None:
    """Count and time every request, serve ``/metrics`` and watch the pool while the app runs, trace if asked.

    Call it after every other middleware, so the timing covers them. ``pool_usage`` receives what the app's
    lifespan yields (its state) and returns the pool's (in use, idle) connections.
    """
    app.add_middleware(HttpMetricsMiddleware)
    if settings.otel_exporter_otlp_endpoint:
        from todo_shared.tracing import start_tracing  # the SDK is imported only when tracing is on

        start_tracing(service=service, endpoint=settings.otel_exporter_otlp_endpoint)
    run_app = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[Any]:
        async with run_app(app) as state:
            with serve_metrics(settings.metrics_host, settings.metrics_port), watch_pool(lambda: pool_usage(state)):
                yield state

    app.router.lifespan_context = lifespan
