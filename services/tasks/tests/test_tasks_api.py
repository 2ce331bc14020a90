"""Every row of the contract's tasks table, with its statuses and bodies."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.anyio

TASK_KEYS = {
    "id",
    "user_id",
    "title",
    "description",
    "completed",
    "priority",
    "due_date",
    "completed_at",
    "created_at",
    "updated_at",
}


def ts(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    assert parsed.utcoffset() is not None, f"{value} has no UTC offset"
    return parsed


async def test_create_returns_201_with_the_task(client: httpx.AsyncClient, user: Any) -> None:
    body = {"title": "  Buy milk  ", "description": "2 litres", "priority": "high", "due_date": "2026-12-01"}
    response = await client.post(user.tasks, json=body, headers=user.headers)
    assert response.status_code == 201
    task = response.json()
    assert set(task) == TASK_KEYS
    assert isinstance(task["id"], int)
    assert task["user_id"] == user.id
    assert task["title"] == "Buy milk"
    assert task["description"] == "2 litres"
    assert task["priority"] == "high"
    assert task["completed"] is False
    assert ts(task["due_date"]) == ts("2026-12-01T00:00:00+00:00")
    assert ts(task["created_at"]) == ts(task["updated_at"])


async def test_create_defaults(client: httpx.AsyncClient, user: Any) -> None:
    response = await client.post(user.tasks, json={"title": "t"}, headers=user.headers)
    task = response.json()
    assert (task["priority"], task["description"], task["due_date"], task["completed"]) == ("medium", None, None, False)


async def test_due_date_takes_a_date_time_and_returns_it_in_utc(client: httpx.AsyncClient, user: Any) -> None:
    body = {"title": "t", "due_date": "2026-12-01T09:30:00+02:00"}
    task = (await client.post(user.tasks, json=body, headers=user.headers)).json()
    assert ts(task["due_date"]) == ts("2026-12-01T07:30:00+00:00")
    assert ts(task["due_date"]).utcoffset().total_seconds() == 0  # type: ignore[union-attr]


async def test_get_one(client: httpx.AsyncClient, user: Any, make_task: Callable[..., Any]) -> None:
    task = await make_task(user, title="read me")
    response = await client.get(f"{user.tasks}/{task['id']}", headers=user.headers)
    assert response.status_code == 200
    assert response.json() == task


async def test_get_missing_is_404(client: httpx.AsyncClient, user: Any, envelope: Callable[..., Any]) -> None:
    response = await client.get(f"{user.tasks}/999999999", headers=user.headers)
    envelope(response, 404, "task_not_found")


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
async def test_update_is_partial(
    client: httpx.AsyncClient, user: Any, make_task: Callable[..., Any], method: str
) -> None:
    task = await make_task(user, title="old", description="keep me", priority="low", due_date="2026-01-02")
    response = await client.request(method, f"{user.tasks}/{task['id']}", json={"title": "new"}, headers=user.headers)
    assert response.status_code == 200
    updated = response.json()
    assert updated["title"] == "new"
    for unchanged in ("description", "priority", "due_date", "completed", "created_at", "id", "user_id"):
        assert updated[unchanged] == task[unchanged]
    assert ts(updated["updated_at"]) > ts(task["updated_at"])


async def test_update_every_field(client: httpx.AsyncClient, user: Any, make_task: Callable[..., Any]) -> None:
    task = await make_task(user, description="d", due_date="2026-01-02")
    changes = {"title": "T", "description": None, "completed": True, "priority": "high", "due_date": None}
    updated = (await client.put(f"{user.tasks}/{task['id']}", json=changes, headers=user.headers)).json()
    assert {k: updated[k] for k in changes} == changes


async def test_every_change_moves_updated_at(
    client: httpx.AsyncClient, user: Any, make_task: Callable[..., Any]
) -> None:
    task = await make_task(user)
    path = f"{user.tasks}/{task['id']}"
    stamps = [ts(task["updated_at"])]
    for call in (
        client.patch(path, json={"priority": "low"}, headers=user.headers),
        client.put(path, json={"completed": True}, headers=user.headers),
        client.patch(f"{path}/complete", headers=user.headers),
    ):
        stamps.append(ts((await call).json()["updated_at"]))
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)


async def test_empty_update_changes_nothing(
    client: httpx.AsyncClient, user: Any, make_task: Callable[..., Any]
) -> None:
    task = await make_task(user)
    response = await client.patch(f"{user.tasks}/{task['id']}", json={}, headers=user.headers)
    assert response.status_code == 200
    assert response.json() == task


async def test_update_missing_is_404(client: httpx.AsyncClient, user: Any, envelope: Callable[..., Any]) -> None:
    envelope(await client.put(f"{user.tasks}/999999999", json={"title": "x"}, headers=user.headers), 404)


async def test_toggle_flips_completed(client: httpx.AsyncClient, user: Any, make_task: Callable[..., Any]) -> None:
    task = await make_task(user)
    path = f"{user.tasks}/{task['id']}/complete"
    first = await client.patch(path, headers=user.headers)
    assert first.status_code == 200
    assert first.json()["completed"] is True
    assert (await client.patch(path, headers=user.headers)).json()["completed"] is False


async def test_toggle_missing_is_404(client: httpx.AsyncClient, user: Any, envelope: Callable[..., Any]) -> None:
    envelope(await client.patch(f"{user.tasks}/999999999/complete", headers=user.headers), 404)


async def test_delete_answers_200_with_a_body(
    client: httpx.AsyncClient, user: Any, make_task: Callable[..., Any], envelope: Callable[..., Any]
) -> None:
    task = await make_task(user)
    response = await client.delete(f"{user.tasks}/{task['id']}", headers=user.headers)
    assert response.status_code == 200
    assert response.json() == {"id": task["id"], "deleted": True}
    envelope(await client.get(f"{user.tasks}/{task['id']}", headers=user.headers), 404)


async def test_delete_missing_is_404(client: httpx.AsyncClient, user: Any, envelope: Callable[..., Any]) -> None:
    envelope(await client.delete(f"{user.tasks}/999999999", headers=user.headers), 404)


@pytest.mark.parametrize("task_id", ["abc", "0", "-1", "1.5", str(2**63), "99999999999999999999999"])
async def test_path_ids_that_cannot_exist_are_422(
    client: httpx.AsyncClient, user: Any, envelope: Callable[..., Any], task_id: str
) -> None:
    envelope(await client.get(f"{user.tasks}/{task_id}", headers=user.headers), 422, "validation_error")


async def test_largest_bigint_id_is_a_plain_404(
    client: httpx.AsyncClient, user: Any, envelope: Callable[..., Any]
) -> None:
    envelope(await client.delete(f"{user.tasks}/{2**63 - 1}", headers=user.headers), 404)
