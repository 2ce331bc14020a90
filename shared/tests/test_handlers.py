from __future__ import annotations

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from pydantic import BaseModel, ConfigDict, Field

from todo_shared.errors import NotFound, Unauthorized
from todo_shared.handlers import install_error_handlers
from todo_shared.request_id import install_request_id, is_sane_request_id

pytestmark = pytest.mark.anyio


class ItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=1, max_length=5)


def build() -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)
    install_request_id(app)

    @app.post("/items")
    async def create(item: ItemIn) -> ItemIn:
        return item

    @app.get("/items")
    async def list_items() -> list[ItemIn]:
        return []

    @app.get("/missing")
    async def missing() -> None:
        raise NotFound("Task not found")

    @app.get("/private")
    async def private() -> None:
        raise Unauthorized()

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret internals: postgres://admin@db")

    return app


def client() -> AsyncClient:
    transport = ASGITransport(app=build(), raise_app_exceptions=False)
    return AsyncClient(transport=transport, base_url="http://test")


async def test_app_error_renders_the_envelope() -> None:
    async with client() as c:
        r = await c.get("/missing", headers={"X-Request-ID": "abc-123"})
    assert r.status_code == 404
    assert r.json() == {
        "detail": "Task not found",
        "message": "Task not found",
        "code": "not_found",
        "request_id": "abc-123",
    }
    assert r.headers["X-Request-ID"] == "abc-123"


async def test_unauthorized_carries_www_authenticate() -> None:
    async with client() as c:
        r = await c.get("/private")
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"] == "Bearer"


async def test_validation_error_names_the_first_bad_field() -> None:
    async with client() as c:
        r = await c.post("/items", json={"title": "much too long"})
    body = r.json()
    assert r.status_code == 422
    assert body["code"] == "validation_error"
    assert "title" in body["detail"]
    assert body["errors"][0]["loc"] == ["body", "title"]
    assert set(body["errors"][0]) == {"loc", "msg", "type"}


async def test_malformed_json_is_a_422_envelope() -> None:
    async with client() as c:
        r = await c.post("/items", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 422
    assert r.json()["detail"] == "Request body is not valid JSON"


@pytest.mark.parametrize(
    ("body", "why"),
    [(b'{"title": "\xff"}', "JSON must be UTF-8"), (b"[" * 100_000 + b"]" * 100_000, "JSON nested too deeply")],
    ids=["not-utf-8", "nested-too-deeply"],
)
async def test_unreadable_json_is_a_422_envelope_not_fastapis_400(body: bytes, why: str) -> None:
    async with client() as c:
        r = await c.post("/items", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 422
    assert r.json()["detail"] == "Request body is not valid JSON"
    assert r.json()["errors"] == [{"loc": ["body"], "msg": why, "type": "json_invalid"}]


async def test_method_not_allowed_lists_every_method_of_the_path() -> None:
    """GET and POST are two routes on /items; Starlette alone would say ``Allow: GET`` (the first one)."""
    async with client() as c:
        r = await c.delete("/items")
    assert r.status_code == 405
    assert r.json()["code"] == "method_not_allowed"
    assert r.headers["Allow"] == "GET, POST"


async def test_unknown_route_is_a_404_envelope() -> None:
    async with client() as c:
        r = await c.get("/nowhere")
    assert r.status_code == 404
    assert r.json()["code"] == "not_found"


async def test_unexpected_error_is_a_500_without_internals() -> None:
    async with client() as c:
        r = await c.get("/boom")
    assert r.status_code == 500
    assert r.json()["detail"] == "Internal server error"
    assert "postgres" not in r.text
    assert r.json()["request_id"] == r.headers["X-Request-ID"]


async def test_insane_request_id_is_replaced() -> None:
    async with client() as c:
        r = await c.get("/missing", headers={"X-Request-ID": "bad id\twith spaces"})
    assert r.headers["X-Request-ID"] != "bad id\twith spaces"
    assert is_sane_request_id(r.headers["X-Request-ID"])
