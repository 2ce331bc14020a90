"""Listing: filters, search, sorts (stable, ties by id), paging and ``X-Total-Count``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.anyio


async def listing(client: httpx.AsyncClient, owner: Any, query: str = "") -> tuple[list[dict[str, Any]], int]:
    response = await client.get(f"{owner.tasks}{query}", headers=owner.headers)
    assert response.status_code == 200, response.text
    return response.json(), int(response.headers["X-Total-Count"])


async def test_empty_list_is_an_empty_array_with_total_0(client: httpx.AsyncClient, user: Any) -> None:
    assert await listing(client, user) == ([], 0)


async def test_default_is_newest_first(client: httpx.AsyncClient, user: Any, make_task: Callable[..., Any]) -> None:
    made = [await make_task(user, title=f"t{i}") for i in range(3)]
    tasks, total = await listing(client, user)
    assert [t["id"] for t in tasks] == [t["id"] for t in reversed(made)]
    assert total == 3


async def test_only_the_users_own_tasks(
    client: httpx.AsyncClient, new_user: Callable[[], Any], make_task: Callable[..., Any]
) -> None:
    alice, bob = new_user(), new_user()
    mine = await make_task(alice)
    await make_task(bob)
    assert await listing(client, alice) == ([mine], 1)


async def test_filter_by_completed(client: httpx.AsyncClient, user: Any, make_task: Callable[..., Any]) -> None:
    open_task = await make_task(user)
    done = await make_task(user)
    await client.patch(f"{user.tasks}/{done['id']}/complete", headers=user.headers)
    assert [t["id"] for t in (await listing(client, user, "?completed=true"))[0]] == [done["id"]]
    assert [t["id"] for t in (await listing(client, user, "?completed=false"))[0]] == [open_task["id"]]


async def test_filter_by_priority(client: httpx.AsyncClient, user: Any, make_task: Callable[..., Any]) -> None:
    high = await make_task(user, priority="high")
    await make_task(user, priority="low")
    assert await listing(client, user, "?priority=high") == ([high], 1)


async def test_search_is_case_insensitive_in_title_and_description(
    client: httpx.AsyncClient, user: Any, make_task: Callable[..., Any]
) -> None:
    in_title = await make_task(user, title="Call the PLUMBER")
    in_description = await make_task(user, title="house", description="ask the plumber about pipes")
    await make_task(user, title="unrelated")
    tasks, total = await listing(client, user, "?q=Plumber&sort=created_at&order=asc")
    assert [t["id"] for t in tasks] == [in_title["id"], in_description["id"]]
    assert total == 2


@pytest.mark.parametrize(("q", "expected"), [("100%", ["100% done"]), ("a_b", ["a_b"]), ("\\", ["back\\slash"])])
async def test_search_takes_like_wildcards_literally(
    client: httpx.AsyncClient, user: Any, make_task: Callable[..., Any], q: str, expected: list[str]
) -> None:
    for title in ("100% done", "1000 done", "a_b", "axb", "back\\slash"):
        await make_task(user, title=title)
    tasks, _ = await listing(client, user, "?" + str(httpx.QueryParams({"q": q})))
    assert [t["title"] for t in tasks] == expected


async def test_filters_combine(client: httpx.AsyncClient, user: Any, make_task: Callable[..., Any]) -> None:
    match = await make_task(user, title="report", priority="high")
    await make_task(user, title="report", priority="low")
    await make_task(user, title="other", priority="high")
    assert await listing(client, user, "?q=report&priority=high&completed=false") == ([match], 1)


async def test_sort_by_priority_is_low_medium_high(
    client: httpx.AsyncClient, user: Any, make_task: Callable[..., Any]
) -> None:
    for priority in ("high", "low", "medium"):
        await make_task(user, priority=priority)
    asc, _ = await listing(client, user, "?sort=priority&order=asc")
    desc, _ = await listing(client, user, "?sort=priority&order=desc")
    assert [t["priority"] for t in asc] == ["low", "medium", "high"]
    assert [t["priority"] for t in desc] == ["high", "medium", "low"]


async def test_sort_by_title(client: httpx.AsyncClient, user: Any, make_task: Callable[..., Any]) -> None:
    for title in ("banana", "apple", "cherry"):
        await make_task(user, title=title)
    tasks, _ = await listing(client, user, "?sort=title&order=asc")
    assert [t["title"] for t in tasks] == ["apple", "banana", "cherry"]


async def test_sort_by_due_date_puts_undated_last_when_ascending(
    client: httpx.AsyncClient, user: Any, make_task: Callable[..., Any]
) -> None:
    late = await make_task(user, due_date="2027-01-01")
    undated = await make_task(user)
    early = await make_task(user, due_date="2026-01-01")
    tasks, _ = await listing(client, user, "?sort=due_date&order=asc")
    assert [t["id"] for t in tasks] == [early["id"], late["id"], undated["id"]]


@pytest.mark.parametrize("order", ["asc", "desc"])
async def test_ties_are_broken_by_id(
    client: httpx.AsyncClient, user: Any, make_task: Callable[..., Any], order: str
) -> None:
    ids = [(await make_task(user, title="same", priority="medium"))["id"] for _ in range(5)]
    for sort in ("priority", "title", "due_date"):
        tasks, _ = await listing(client, user, f"?sort={sort}&order={order}")
        assert [t["id"] for t in tasks] == sorted(ids, reverse=order == "desc")


async def test_paging_with_total(client: httpx.AsyncClient, user: Any, make_task: Callable[..., Any]) -> None:
    ids = [(await make_task(user, title=f"t{i}"))["id"] for i in range(7)]
    pages = [await listing(client, user, f"?sort=created_at&order=asc&limit=3&offset={o}") for o in (0, 3, 6, 9)]
    assert [[t["id"] for t in page] for page, _ in pages] == [ids[0:3], ids[3:6], ids[6:7], []]
    assert {total for _, total in pages} == {7}


async def test_default_limit_is_50_and_max_is_100(
    client: httpx.AsyncClient, user: Any, make_task: Callable[..., Any]
) -> None:
    for i in range(101):
        await make_task(user, title=f"t{i}")
    default, total = await listing(client, user)
    assert (len(default), total) == (50, 101)
    assert len((await listing(client, user, "?limit=100"))[0]) == 100


async def test_filter_by_due_window_from_inclusive_before_exclusive(
    client: httpx.AsyncClient, user: Any, make_task: Callable[..., Any]
) -> None:
    days = {d: await make_task(user, title=d, due_date=f"2026-12-{d}") for d in ("01", "02", "03")}
    await make_task(user, title="undated")
    tasks, total = await listing(client, user, "?due_from=2026-12-02&due_before=2026-12-03")
    assert ([t["id"] for t in tasks], total) == ([days["02"]["id"]], 1)
    before, _ = await listing(client, user, "?due_before=2026-12-02T00:00:00Z&sort=due_date&order=asc")
    assert [t["title"] for t in before] == ["01"]
    after, _ = await listing(client, user, "?due_from=2026-12-02&sort=due_date&order=asc")
    assert [t["title"] for t in after] == ["02", "03"]


async def test_a_due_window_bound_that_is_not_a_date_is_422(client: httpx.AsyncClient, user: Any) -> None:
    response = await client.get(f"{user.tasks}?due_from=tomorrow", headers=user.headers)
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["query", "due_from"]
