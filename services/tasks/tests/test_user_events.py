"""Account events from auth: user.deleted deletes the user's tasks, at least once and harmlessly again."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis

from todo_shared.events import USER_DELETED, UserEvent
from todo_shared.metrics import EVENTS_CONSUMED

pytestmark = pytest.mark.anyio

Serve = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]


async def eventually(check: Callable[[], Awaitable[bool]], seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not await check():
        assert time.monotonic() < deadline, "not within the deadline"
        await asyncio.sleep(0.05)


@pytest.fixture
async def stream(redis: Redis) -> AsyncIterator[str]:
    """A stream of this test's own, removed afterwards."""
    name = f"test:{uuid.uuid4().hex}:user-events"
    yield name
    await redis.delete(name)


def deleted(user_id: str, outbox_id: str = "1") -> dict[Any, Any]:
    return UserEvent(event=USER_DELETED, user_id=user_id, id=outbox_id).fields()


async def count(client: httpx.AsyncClient, owner: Any) -> int:
    response = await client.get(owner.tasks, headers=owner.headers)
    assert response.status_code == 200, response.text
    return int(response.headers["x-total-count"])


async def pending(redis: Redis, stream: str) -> int:
    info = await redis.xpending(stream, "tasks")
    return int(info["pending"])


async def test_user_deleted_deletes_that_users_tasks_and_is_acknowledged(
    serve_with: Serve, new_user: Callable[[], Any], redis: Redis, stream: str
) -> None:
    gone, kept = new_user(), new_user()
    async with serve_with(user_events_stream=stream) as client:
        for owner in (gone, gone, kept):
            assert (await client.post(owner.tasks, json={"title": "t"}, headers=owner.headers)).status_code == 201
        await redis.xadd(stream, deleted(gone.id))

        async def applied() -> bool:
            return await count(client, gone) == 0

        await eventually(applied)
        assert await count(client, kept) == 1
        await eventually(lambda: _zero(pending(redis, stream)))


async def _zero(value: Awaitable[int]) -> bool:
    return await value == 0


async def test_a_duplicate_event_is_harmless(
    serve_with: Serve, new_user: Callable[[], Any], redis: Redis, stream: str
) -> None:
    gone, kept = new_user(), new_user()
    before = EVENTS_CONSUMED.labels(USER_DELETED, "applied")._value.get()
    async with serve_with(user_events_stream=stream) as client:
        await client.post(gone.tasks, json={"title": "t"}, headers=gone.headers)
        await client.post(kept.tasks, json={"title": "t"}, headers=kept.headers)
        for _ in range(2):  # the relay published it twice (a crash between publishing and marking it published)
            await redis.xadd(stream, deleted(gone.id, outbox_id="7"))

        async def both_applied() -> bool:
            return bool(EVENTS_CONSUMED.labels(USER_DELETED, "applied")._value.get() - before >= 2)

        await eventually(both_applied)
        assert await count(client, gone) == 0
        assert await count(client, kept) == 1
        assert await pending(redis, stream) == 0


async def test_an_event_another_consumer_read_but_never_acknowledged_is_redelivered_and_applied(
    serve_with: Serve, new_user: Callable[[], Any], redis: Redis, stream: str
) -> None:
    gone = new_user()
    async with serve_with(user_events_stream=stream) as client:
        await client.post(gone.tasks, json={"title": "t"}, headers=gone.headers)
    # A replica that crashed after reading the event, before applying it: the entry is pending under its name.
    await redis.xadd(stream, deleted(gone.id))
    await redis.xreadgroup("tasks", "crashed-replica", {stream: ">"}, count=10)
    assert await pending(redis, stream) == 1
    async with serve_with(user_events_stream=stream, user_events_claim_idle_seconds=0.2) as client:

        async def applied() -> bool:
            return await count(client, gone) == 0

        await eventually(applied)
        await eventually(lambda: _zero(pending(redis, stream)))


async def test_an_event_published_while_the_service_was_down_is_applied_when_it_starts(
    serve_with: Serve, new_user: Callable[[], Any], redis: Redis, stream: str
) -> None:
    gone = new_user()
    async with serve_with(user_events_stream=stream) as client:
        await client.post(gone.tasks, json={"title": "t"}, headers=gone.headers)
    await redis.xadd(stream, deleted(gone.id))  # nobody is consuming now
    async with serve_with(user_events_stream=stream) as client:

        async def applied() -> bool:
            return await count(client, gone) == 0

        await eventually(applied)


async def test_an_entry_it_cannot_read_is_acknowledged_and_dropped(
    serve_with: Serve, new_user: Callable[[], Any], redis: Redis, stream: str
) -> None:
    gone = new_user()
    before = EVENTS_CONSUMED.labels("unknown", "rejected")._value.get()
    async with serve_with(user_events_stream=stream) as client:
        await client.post(gone.tasks, json={"title": "t"}, headers=gone.headers)
        unknown: dict[Any, Any] = {"event": "user.renamed", "user_id": gone.id}
        await redis.xadd(stream, unknown)
        await redis.xadd(stream, deleted(gone.id))  # and the stream goes on

        async def applied() -> bool:
            return await count(client, gone) == 0

        await eventually(applied)
        assert EVENTS_CONSUMED.labels("unknown", "rejected")._value.get() == before + 1
        assert await pending(redis, stream) == 0
