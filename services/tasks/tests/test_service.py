"""Probes, OpenAPI and the envelope outside the task routes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.anyio


async def test_healthz(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


async def test_readyz_checks_postgres_redis_and_the_denylist(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"postgres": "ok", "redis": "ok", "denylist": "ok"}


async def test_readyz_names_the_denylist_while_it_is_lost(
    serve_with: Callable[..., Any], own_redis: Any, envelope: Callable[..., Any]
) -> None:
    async with serve_with(redis_url=own_redis.url) as client:
        assert envelope(await client.get("/readyz"), 503, "not_ready")["detail"] == "Not ready: denylist unavailable"
        own_redis.mark_indexed()
        assert (await client.get("/readyz")).status_code == 200


async def test_readyz_names_redis_when_it_is_down(
    serve_with: Callable[..., Any], dead_redis_url: str, envelope: Callable[..., Any]
) -> None:
    async with serve_with(redis_url=dead_redis_url) as client:
        assert "redis" in envelope(await client.get("/readyz"), 503, "not_ready")["detail"]


async def test_readyz_names_postgres_when_it_is_down(
    serve_with: Callable[..., Any], envelope: Callable[..., Any]
) -> None:
    async with serve_with(database_url="postgresql+asyncpg://postgres@127.0.0.1:1/tasks") as client:
        detail = envelope(await client.get("/readyz"), 503, "not_ready")["detail"]
        assert "postgres" in detail and "redis" not in detail


async def test_database_down_is_503_in_the_envelope(
    serve_with: Callable[..., Any], user: Any, envelope: Callable[..., Any]
) -> None:
    async with serve_with(database_url="postgresql+asyncpg://postgres@127.0.0.1:1/tasks") as client:
        envelope(await client.get(user.tasks, headers=user.headers), 503, "service_unavailable")


async def test_openapi_documents_the_task_model_and_bearer_auth(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    task = spec["components"]["schemas"]["TaskOut"]
    assert set(task["properties"]) >= {"id", "user_id", "title", "completed", "priority", "due_date"}
    assert "HTTPBearer" in spec["components"]["securitySchemes"]
    listing = spec["paths"]["/api/{user_id}/tasks"]["get"]
    assert listing["responses"]["200"]["content"]["application/json"]["schema"]["items"]["$ref"].endswith("TaskOut")
    assert listing["responses"]["401"]["content"]["application/json"]["schema"]["$ref"].endswith("ErrorOut")
    assert (await client.get("/docs")).status_code == 200


async def test_openapi_documents_update_fields_as_optional_but_never_null(client: httpx.AsyncClient) -> None:
    """Null is refused for title, completed and priority (422), so the schema must not offer it."""
    update = (await client.get("/openapi.json")).json()["components"]["schemas"]["TaskUpdate"]
    assert "required" not in update
    for field in ("title", "completed", "priority"):
        assert "anyOf" not in update["properties"][field] and "null" not in str(update["properties"][field]), field
    assert {"type": "null"} in update["properties"]["due_date"]["anyOf"]


async def test_unknown_path_is_404_envelope(client: httpx.AsyncClient, envelope: Callable[..., Any]) -> None:
    envelope(await client.get("/nowhere"), 404, "not_found")


async def test_request_id_is_kept(client: httpx.AsyncClient, user: Any) -> None:
    response = await client.get(user.tasks, headers={**user.headers, "X-Request-ID": "abc-123"})
    assert response.headers["X-Request-ID"] == "abc-123"
