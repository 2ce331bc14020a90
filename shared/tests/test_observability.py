"""The /metrics listener, the pool gauge and their wiring into an app's lifespan."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, closing
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from prometheus_client import REGISTRY

from todo_shared.observability import install_observability, serve_metrics, watch_pool
from todo_shared.settings import BaseServiceSettings

SECRET = "observability-tests-" + "k" * 40


def free_port() -> int:
    with closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def refused(url: str) -> bool:
    try:
        httpx.get(url, timeout=2)
    except httpx.ConnectError:
        return True
    return False


def pool_gauge(state: str) -> float | None:
    return REGISTRY.get_sample_value("todo_db_pool_connections", {"state": state})


def test_the_listener_serves_the_metrics_while_the_block_runs_and_then_stops() -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/metrics"
    with serve_metrics("127.0.0.1", port) as serving:
        assert serving == port
        response = httpx.get(url, timeout=5)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/plain")
        assert "# TYPE todo_http_requests_total counter" in response.text
    assert refused(url)


@pytest.mark.parametrize("port", [None, 0])
def test_no_port_serves_no_metrics(port: int | None) -> None:
    with serve_metrics("127.0.0.1", port) as serving:
        assert serving is None


def test_a_port_in_use_stops_the_start_instead_of_running_unseen() -> None:
    with closing(socket.socket()) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(OSError), serve_metrics("127.0.0.1", taken.getsockname()[1]):
            pass


def test_the_pool_gauge_reads_the_pool_at_each_scrape() -> None:
    usage = [(1, 4)]
    with watch_pool(lambda: usage[-1]):
        assert (pool_gauge("in_use"), pool_gauge("idle")) == (1, 4)
        usage.append((3, 2))
        assert (pool_gauge("in_use"), pool_gauge("idle")) == (3, 2)
    assert (pool_gauge("in_use"), pool_gauge("idle")) == (0, 0)


@pytest.mark.anyio
async def test_an_app_serves_metrics_and_its_pool_while_its_lifespan_runs() -> None:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[dict[str, Any]]:
        yield {"pool": (2, 5)}

    app = FastAPI(lifespan=lifespan)
    port = free_port()
    settings = BaseServiceSettings(_env_file=None, jwt_secret=SECRET, metrics_port=port)
    install_observability(app, settings, service="test", pool_usage=lambda state: state["pool"])
    url = f"http://127.0.0.1:{port}/metrics"
    assert refused(url)
    async with LifespanManager(app), httpx.AsyncClient() as client:
        text = (await client.get(url, timeout=5)).text
        assert 'todo_db_pool_connections{state="in_use"} 2.0' in text
        assert 'todo_db_pool_connections{state="idle"} 5.0' in text
    assert refused(url)


def test_without_an_otlp_endpoint_nothing_of_tracing_is_loaded_or_run() -> None:
    """Tracing off costs nothing per request: no tracer provider (so FastAPI's own telemetry stays off), and
    neither the trace SDK, the exporter nor the driver instrumentations are imported. (redis-py imports the
    SDK's metrics module at start-up when it is installed, for metrics of its own it leaves off.)"""
    probe = (
        "import sys\n"
        "from opentelemetry import trace\n"
        "from auth.main import create_app as auth\n"
        "from tasks.main import create_app as tasks\n"
        "auth(); tasks()\n"
        "prefixes = ('todo_shared.tracing', 'opentelemetry.sdk.trace', 'opentelemetry.exporter',\n"
        "            'opentelemetry.instrumentation')\n"
        "loaded = [m for m in sys.modules if m.startswith(prefixes)]\n"
        "assert not loaded, loaded\n"
        "assert type(trace.get_tracer_provider()).__name__ == 'ProxyTracerProvider'\n"
    )
    env = {"JWT_SECRET": SECRET, "ENV": "test", "PATH": ""}
    done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, cwd="/")
    assert done.returncode == 0, done.stderr[-3000:]
