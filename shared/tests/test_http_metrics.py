"""The request metrics middleware: counted by route template and status, never by raw path or client's method."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from prometheus_client import REGISTRY

from todo_shared.handlers import install_error_handlers
from todo_shared.http_metrics import HttpMetricsMiddleware

pytestmark = pytest.mark.anyio

TEMPLATE = "/metrics-test/{user_id}/items/{item_id}"


def build() -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)
    app.add_middleware(HttpMetricsMiddleware)

    @app.get(TEMPLATE)
    async def get_item(user_id: str, item_id: int) -> dict[str, str | int]:
        return {"user_id": user_id, "item_id": item_id}

    @app.get("/metrics-test/boom")
    async def boom() -> None:
        raise RuntimeError("unexpected")

    return app


def client() -> AsyncClient:
    return AsyncClient(transport=ASGITransport(app=build(), raise_app_exceptions=False), base_url="http://test")


def requests(method: str, route: str, status: int) -> float:
    labels = {"method": method, "route": route, "status": str(status)}
    return REGISTRY.get_sample_value("todo_http_requests_total", labels) or 0.0


def timed(method: str, route: str) -> float:
    labels = {"method": method, "route": route}
    return REGISTRY.get_sample_value("todo_http_request_duration_seconds_count", labels) or 0.0


async def test_requests_are_counted_and_timed_by_route_template_not_raw_path() -> None:
    before, timed_before = requests("GET", TEMPLATE, 200), timed("GET", TEMPLATE)
    async with client() as c:
        assert (await c.get("/metrics-test/u-1/items/7")).status_code == 200
        assert (await c.get("/metrics-test/u-2/items/8")).status_code == 200
        assert (await c.get("/metrics-test/u-2/items/not-a-number")).status_code == 422
    assert requests("GET", TEMPLATE, 200) == before + 2
    assert requests("GET", TEMPLATE, 422) >= 1
    assert timed("GET", TEMPLATE) == timed_before + 3
    exposed = {s.labels.get("route") for metric in REGISTRY.collect() for s in metric.samples}
    assert not any(route and "u-1" in route for route in exposed)


async def test_a_request_no_route_matched_is_counted_as_unmatched() -> None:
    before = requests("GET", "unmatched", 404)
    async with client() as c:
        assert (await c.get("/metrics-test/nowhere/at/all")).status_code == 404
    assert requests("GET", "unmatched", 404) == before + 1


async def test_a_method_the_route_lacks_is_counted_under_its_template() -> None:
    before = requests("DELETE", TEMPLATE, 405)
    async with client() as c:
        assert (await c.delete("/metrics-test/u-1/items/7")).status_code == 405
    assert requests("DELETE", TEMPLATE, 405) == before + 1


async def test_a_method_nobody_knows_is_counted_as_other() -> None:
    """A client cannot add label values by inventing methods."""
    before = requests("other", "unmatched", 404)
    async with client() as c:
        await c.request("BREW", "/metrics-test/nowhere")
    assert requests("other", "unmatched", 404) == before + 1
    assert requests("BREW", "unmatched", 404) == 0


async def test_an_exception_escaping_the_app_is_counted_as_the_500_it_becomes() -> None:
    before = requests("GET", "/metrics-test/boom", 500)
    async with client() as c:
        assert (await c.get("/metrics-test/boom")).status_code == 500
    assert requests("GET", "/metrics-test/boom", 500) == before + 1
