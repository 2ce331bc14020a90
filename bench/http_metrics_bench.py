"""What the HTTP metrics middleware adds to each request, next to the instrumentators built on prometheus-client.

Two measurements, both driven in-process through ASGI calls (no sockets) in CPU time:
- alone: the middleware around an app that answers at once, against a pass-through middleware, so the
  figure is the middleware's own work;
- in FastAPI: each candidate around the same FastAPI app (routes shaped like the tasks service's).
Rounds are interleaved and the fastest kept (the least disturbed: the machine is shared). Candidates that
are not installed are skipped; to measure them all: ``uv run --with prometheus-fastapi-instrumentator
--with starlette-exporter python -m bench.http_metrics_bench``.
"""

from __future__ import annotations

import asyncio
import importlib.util
import time
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from prometheus_client import CollectorRegistry
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from todo_shared.http_metrics import HttpMetricsMiddleware

REQUESTS = 20_000
ROUNDS = 7


def make_app() -> FastAPI:
    """A FastAPI app with the tasks service's route shapes and a trivial body."""
    app = FastAPI()

    @app.get("/api/{user_id}/tasks")
    async def list_tasks(user_id: str) -> list[dict[str, str]]:
        return [{"user_id": user_id}]

    @app.get("/api/{user_id}/tasks/{task_id}")
    async def get_task(user_id: str, task_id: int) -> dict[str, Any]:
        return {"id": task_id, "user_id": user_id}

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


class PassThrough:
    """A middleware that does nothing: the cost of one more ASGI layer, to subtract."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)


class _Route:
    path = "/api/{user_id}/tasks/{task_id}"


async def answer_at_once(scope: Scope, _receive: Receive, send: Send) -> None:
    """An app that routes (sets ``scope["route"]`` as FastAPI does) and answers 200 with no work."""
    scope["route"] = _Route
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"{}"})


def bare() -> ASGIApp:
    return make_app()


def pass_through() -> ASGIApp:
    app = make_app()
    app.add_middleware(PassThrough)
    return app


def ours() -> ASGIApp:
    app = make_app()
    app.add_middleware(HttpMetricsMiddleware)
    return app


def instrumentator() -> ASGIApp:
    from prometheus_fastapi_instrumentator import Instrumentator, metrics

    app = make_app()
    # The same two series as ours (count and latency by handler), in a registry of its own.
    inst = Instrumentator(registry=CollectorRegistry())
    inst.add(metrics.requests(), metrics.latency()).instrument(app)
    return app


def starlette_exporter() -> ASGIApp:
    from starlette_exporter import PrometheusMiddleware

    app = make_app()
    app.add_middleware(PrometheusMiddleware, group_paths=True, app_name="bench", prefix="bench")
    return app


ALONE: dict[str, Callable[[], ASGIApp]] = {
    "pass-through middleware": lambda: PassThrough(answer_at_once),
    "HttpMetricsMiddleware": lambda: HttpMetricsMiddleware(answer_at_once),
}
IN_FASTAPI: dict[str, tuple[str | None, Callable[[], ASGIApp]]] = {
    "bare FastAPI": (None, bare),
    "pass-through middleware": (None, pass_through),
    "ours (HttpMetricsMiddleware)": (None, ours),
    "prometheus-fastapi-instrumentator": ("prometheus_fastapi_instrumentator", instrumentator),
    "starlette-exporter": ("starlette_exporter", starlette_exporter),
}
SCOPE: dict[str, Any] = {
    "type": "http",
    "asgi": {"version": "3.0"},
    "http_version": "1.1",
    "method": "GET",
    "scheme": "http",
    "path": "/api/6f1d0c8e-0000-4000-8000-000000000001/tasks/42",
    "raw_path": b"/api/6f1d0c8e-0000-4000-8000-000000000001/tasks/42",
    "root_path": "",
    "query_string": b"",
    "headers": [(b"host", b"bench"), (b"accept", b"*/*")],
    "client": ("127.0.0.1", 50000),
    "server": ("127.0.0.1", 8002),
}


async def _receive() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}


async def _send(_message: Message) -> None:
    return None


async def drive(app: ASGIApp, n: int) -> float:
    """Send ``n`` GETs of one task through ``app``; return CPU seconds per request."""
    start = time.process_time()
    for _ in range(n):
        await app(dict(SCOPE), _receive, _send)
    return (time.process_time() - start) / n


async def fastest(apps: dict[str, ASGIApp], n: int) -> dict[str, float]:
    """Warm every app up, then drive them in interleaved rounds; the fastest round of each."""
    for app in apps.values():
        await drive(app, 2_000)  # middleware stacks are built on the first call
    samples: dict[str, list[float]] = {name: [] for name in apps}
    for _ in range(ROUNDS):
        for name, app in apps.items():
            samples[name].append(await drive(app, n))
    return {name: min(values) for name, values in samples.items()}


def table(title: str, results: dict[str, float]) -> None:
    base = next(iter(results.values()))
    print(f"\n{title}\n{'candidate':<36} {'µs/req':>8} {'added µs':>9}")
    for name, seconds in results.items():
        print(f"{name:<36} {seconds * 1e6:8.2f} {(seconds - base) * 1e6:9.2f}")


async def main() -> None:
    print(f"CPU time per request, fastest of {ROUNDS} interleaved rounds (shared machine)")
    table("alone, around an app that answers at once", await fastest({n: b() for n, b in ALONE.items()}, 200_000))
    apps = {}
    for name, (module, build) in IN_FASTAPI.items():
        if module is not None and importlib.util.find_spec(module) is None:
            print(f"{name}: not installed, skipped")
            continue
        apps[name] = build()
    table("in FastAPI, GET /api/{user_id}/tasks/{task_id}", await fastest(apps, REQUESTS))


if __name__ == "__main__":
    asyncio.run(main())
