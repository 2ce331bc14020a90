"""GET /api/{user_id}/tasks/stats, and ``completed_at`` which its per-day counts read."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import httpx
import pytest

from todo_shared.postgres import to_asyncpg_dsn

pytestmark = pytest.mark.anyio


async def stats(client: httpx.AsyncClient, owner: Any, tz: str | None = None) -> dict[str, Any]:
    params = {"tz": tz} if tz else {}
    response = await client.get(f"{owner.tasks}/stats", params=params, headers=owner.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def ts(value: str) -> datetime:
    return datetime.fromisoformat(value)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    """A direct connection, to put completions in the past."""
    conn = await asyncpg.connect(to_asyncpg_dsn(database_url))
    yield conn
    await conn.close()


async def test_a_new_user_has_zeros_and_thirty_empty_days_ending_today(client: httpx.AsyncClient, user: Any) -> None:
    body = await stats(client, user, "Europe/Paris")
    today = date.fromisoformat(body["today"])
    assert abs(today - datetime.now(ZoneInfo("Europe/Paris")).date()) <= timedelta(days=1)
    assert body["time_zone"] == "Europe/Paris"
    assert (body["total"], body["open"], body["completed"], body["overdue"], body["due_today"]) == (0, 0, 0, 0, 0)
    zero = {"total": 0, "open": 0, "completed": 0}
    assert body["by_priority"] == {"low": zero, "medium": zero, "high": zero}
    days = body["completed_by_day"]
    assert [d["date"] for d in days] == [str(today - timedelta(days=29 - i)) for i in range(30)]
    assert {d["completed"] for d in days} == {0}


async def test_totals_by_status_and_priority(
    client: httpx.AsyncClient, user: Any, make_task: Callable[..., Any]
) -> None:
    for priority, done in [("high", True), ("high", False), ("high", False), ("low", True), ("medium", False)]:
        task = await make_task(user, priority=priority)
        if done:
            await client.patch(f"{user.tasks}/{task['id']}/complete", headers=user.headers)
    body = await stats(client, user)
    assert (body["total"], body["open"], body["completed"]) == (5, 3, 2)
    assert body["by_priority"] == {
        "high": {"total": 3, "open": 2, "completed": 1},
        "medium": {"total": 1, "open": 1, "completed": 0},
        "low": {"total": 1, "open": 0, "completed": 1},
    }


@pytest.mark.parametrize("tz", ["Pacific/Kiritimati", "Pacific/Pago_Pago", "UTC"])
async def test_overdue_and_due_today_count_open_tasks_by_the_users_calendar_day(
    client: httpx.AsyncClient, new_user: Callable[[], Any], make_task: Callable[..., Any], tz: str
) -> None:
    user = new_user()
    today = date.fromisoformat((await stats(client, user, tz))["today"])
    for days in (-3, -1, 0, 0, 1, 5):
        await make_task(user, due_date=str(today + timedelta(days=days)))
    done_late = await make_task(user, due_date=str(today - timedelta(days=2)))
    done_today = await make_task(user, due_date=str(today))
    for task in (done_late, done_today):
        await client.patch(f"{user.tasks}/{task['id']}/complete", headers=user.headers)
    body = await stats(client, user, tz)
    assert body["today"] == str(today)
    assert (body["overdue"], body["due_today"]) == (2, 2)


async def test_the_same_due_date_is_today_in_one_zone_and_not_yet_in_another(
    client: httpx.AsyncClient, user: Any, make_task: Callable[..., Any]
) -> None:
    # UTC+14 and UTC-11 are always on different dates.
    kiritimati_today = (await stats(client, user, "Pacific/Kiritimati"))["today"]
    await make_task(user, due_date=kiritimati_today)
    assert (await stats(client, user, "Pacific/Kiritimati"))["due_today"] == 1
    pago_pago = await stats(client, user, "Pacific/Pago_Pago")
    assert pago_pago["today"] < kiritimati_today
    assert (pago_pago["due_today"], pago_pago["overdue"]) == (0, 0)


async def test_completions_fall_on_the_users_local_day_within_thirty_days(
    client: httpx.AsyncClient, user: Any, make_task: Callable[..., Any], db: asyncpg.Connection
) -> None:
    tz = ZoneInfo("Asia/Tokyo")
    today = date.fromisoformat((await stats(client, user, "Asia/Tokyo"))["today"])
    late_yesterday = datetime.combine(today - timedelta(days=1), time(23, 30), tz)
    just_after_midnight = datetime.combine(today, time(0, 30), tz)
    day_29 = datetime.combine(today - timedelta(days=29), time(0, 0), tz)
    too_old = day_29 - timedelta(microseconds=1)
    for moment in (late_yesterday, just_after_midnight, just_after_midnight, day_29, too_old):
        task = await make_task(user)
        await client.patch(f"{user.tasks}/{task['id']}/complete", headers=user.headers)
        await db.execute("UPDATE tasks SET completed_at = $1 WHERE id = $2", moment, task["id"])
    days = {d["date"]: d["completed"] for d in (await stats(client, user, "Asia/Tokyo"))["completed_by_day"]}
    assert days[str(today)] == 2
    assert days[str(today - timedelta(days=1))] == 1
    assert days[str(today - timedelta(days=29))] == 1
    assert sum(days.values()) == 4
    # In UTC the 23:30 and 00:30 Tokyo completions are both on the day before Tokyo's today.
    in_utc = {d["date"]: d["completed"] for d in (await stats(client, user, "UTC"))["completed_by_day"]}
    assert in_utc[str(just_after_midnight.astimezone(UTC).date())] >= 2


@pytest.mark.parametrize("tz", ["Mars/Olympus_Mons", "UTC+3", "../../etc/passwd", "", "x" * 65])
async def test_a_time_zone_that_is_not_an_iana_name_is_422_naming_tz(
    client: httpx.AsyncClient, user: Any, envelope: Callable[..., Any], tz: str
) -> None:
    response = await client.get(f"{user.tasks}/stats", params={"tz": tz}, headers=user.headers)
    body = envelope(response, 422, "validation_error")
    assert body["errors"][0]["loc"] == ["query", "tz"]
    assert "'tz'" in body["detail"]


async def test_stats_are_owner_only(
    client: httpx.AsyncClient, new_user: Callable[[], Any], envelope: Callable[..., Any]
) -> None:
    alice, bob = new_user(), new_user()
    envelope(await client.get(f"{alice.tasks}/stats"), 401)
    envelope(await client.get(f"{alice.tasks}/stats", headers=bob.headers), 403)


async def test_ids_next_to_the_stats_route_still_answer_as_task_ids(
    client: httpx.AsyncClient, user: Any, envelope: Callable[..., Any]
) -> None:
    envelope(await client.get(f"{user.tasks}/statistics", headers=user.headers), 422)
    envelope(await client.get(f"{user.tasks}/999999", headers=user.headers), 404)


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE", "POST", "OPTIONS"])
async def test_other_methods_on_stats_are_405_allowing_get(
    client: httpx.AsyncClient, user: Any, envelope: Callable[..., Any], method: str
) -> None:
    response = await client.request(method, f"{user.tasks}/stats", json={}, headers=user.headers)
    envelope(response, 405)
    assert response.headers["Allow"] == "GET"


async def test_toggle_sets_completed_at_and_clears_it(
    client: httpx.AsyncClient, user: Any, make_task: Callable[..., Any]
) -> None:
    task = await make_task(user)
    assert task["completed_at"] is None
    path = f"{user.tasks}/{task['id']}/complete"
    done = (await client.patch(path, headers=user.headers)).json()
    assert done["completed"] is True
    assert ts(done["completed_at"]) <= ts(done["updated_at"])
    assert ts(done["completed_at"]) > ts(task["created_at"])
    reopened = (await client.patch(path, headers=user.headers)).json()
    assert (reopened["completed"], reopened["completed_at"]) == (False, None)


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
async def test_update_sets_completed_at_keeps_it_when_done_again_and_clears_it(
    client: httpx.AsyncClient, user: Any, make_task: Callable[..., Any], method: str
) -> None:
    task = await make_task(user)
    path = f"{user.tasks}/{task['id']}"

    async def send(body: dict[str, Any]) -> dict[str, Any]:
        response = await client.request(method, path, json=body, headers=user.headers)
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    done = await send({"completed": True})
    assert done["completed_at"] is not None
    assert (await send({"completed": True, "title": "again"}))["completed_at"] == done["completed_at"]
    assert (await send({"title": "untouched"}))["completed_at"] == done["completed_at"]
    assert (await send({"completed": False}))["completed_at"] is None
