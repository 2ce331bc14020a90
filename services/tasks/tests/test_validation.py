"""Bodies the contract rejects: 422 in the envelope, naming the field, and nothing stored."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "title"),
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": None}, "title"),
        ({"title": "t", "description": "x" * 10_001}, "description"),
        ({"title": "t", "priority": "urgent"}, "priority"),
        ({"title": "t", "due_date": "next tuesday"}, "due_date"),
        ({"title": "t", "due_date": "2026-13-01"}, "due_date"),
        ({"title": "t", "due_date": 1_700_000_000}, "due_date"),
        ({"title": "t", "owner": "someone-else"}, "owner"),
        ({"title": "t", "user_id": "someone-else"}, "user_id"),
        ({"title": "t", "completed": True}, "completed"),
        ({"title": "nul\x00byte"}, "title"),
    ],
)
async def test_create_rejects(
    client: httpx.AsyncClient, user: Any, envelope: Callable[..., Any], body: dict[str, Any], field: str
) -> None:
    response = await client.post(user.tasks, json=body, headers=user.headers)
    error = envelope(response, 422, "validation_error")
    assert error["errors"][0]["loc"][-1] == field
    assert field in error["detail"]
    listed = await client.get(user.tasks, headers=user.headers)
    assert listed.json() == []


async def test_title_of_200_characters_after_trimming_is_accepted(client: httpx.AsyncClient, user: Any) -> None:
    response = await client.post(user.tasks, json={"title": f"  {'é' * 200}  "}, headers=user.headers)
    assert response.status_code == 201
    assert response.json()["title"] == "é" * 200


async def test_description_of_10000_characters_is_accepted(client: httpx.AsyncClient, user: Any) -> None:
    response = await client.post(user.tasks, json={"title": "t", "description": "d" * 10_000}, headers=user.headers)
    assert response.status_code == 201


async def test_body_that_is_not_json_is_422(client: httpx.AsyncClient, user: Any, envelope: Callable[..., Any]) -> None:
    headers = {**user.headers, "Content-Type": "application/json"}
    envelope(await client.post(user.tasks, content=b"{not json", headers=headers), 422, "validation_error")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": None}, "title"),
        ({"completed": None}, "completed"),
        ({"priority": None}, "priority"),
        ({"completed": "maybe"}, "completed"),
        ({"completed": 0}, "completed"),
        ({"title": " "}, "title"),
        ({"id": 5}, "id"),
        ({"created_at": "2026-01-01"}, "created_at"),
    ],
)
async def test_update_rejects(
    client: httpx.AsyncClient,
    user: Any,
    make_task: Callable[..., Any],
    envelope: Callable[..., Any],
    body: dict[str, Any],
    field: str,
) -> None:
    task = await make_task(user)
    response = await client.patch(f"{user.tasks}/{task['id']}", json=body, headers=user.headers)
    assert envelope(response, 422, "validation_error")["errors"][0]["loc"][-1] == field
    assert (await client.get(f"{user.tasks}/{task['id']}", headers=user.headers)).json() == task


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("offset=-1", "offset"),
        ("sort=owner", "sort"),
        ("order=sideways", "order"),
        ("priority=urgent", "priority"),
        ("completed=perhaps", "completed"),
        ("q=" + "x" * 201, "q"),
    ],
)
async def test_list_rejects_bad_query(
    client: httpx.AsyncClient, user: Any, envelope: Callable[..., Any], query: str, field: str
) -> None:
    response = await client.get(f"{user.tasks}?{query}", headers=user.headers)
    assert envelope(response, 422, "validation_error")["errors"][0]["loc"][-1] == field


@pytest.mark.parametrize("raw", [b'{"title": "a\\ud800b"}', b'{"title": "t", "description": "\\u0000"}'])
async def test_text_postgres_cannot_store_is_422(
    client: httpx.AsyncClient, user: Any, envelope: Callable[..., Any], raw: bytes
) -> None:
    headers = {**user.headers, "Content-Type": "application/json"}
    envelope(await client.post(user.tasks, content=raw, headers=headers), 422, "validation_error")


async def test_search_with_a_nul_is_422(client: httpx.AsyncClient, user: Any, envelope: Callable[..., Any]) -> None:
    envelope(await client.get(f"{user.tasks}?q=a%00b", headers=user.headers), 422, "validation_error")
