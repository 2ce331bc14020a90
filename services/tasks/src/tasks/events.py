"""Account events from auth, consumed from the Redis Stream in a consumer group: ``user.deleted`` deletes the
user's tasks, then the entry is acknowledged.

Delivery is at least once, and every event is harmless to apply again (deleting a deleted user's tasks deletes
nothing), so nothing here needs to remember what it applied. An entry is acknowledged only after its change
committed: one read before a crash, or while PostgreSQL was down, stays pending and is applied on the next pass
(this consumer's own pending entries first, then any other consumer's left idle past the claim time). The
group starts at the stream's beginning, so events published before tasks first ran, or while it was down, are
applied when it comes (back).
"""

from __future__ import annotations

import asyncio
import logging

import asyncpg
from redis.exceptions import ResponseError

from todo_shared.background import reraise_cancellation
from todo_shared.events import USER_DELETED, UserEvent
from todo_shared.metrics import EVENTS_CONSUMED
from todo_shared.redis import REDIS_ERRORS, RedisClient

__all__ = ["UserEventConsumer"]

log = logging.getLogger("tasks.events")

_BATCH = 100
_DELETE_TASKS = "DELETE FROM tasks WHERE user_id = $1"

Entry = tuple[str, dict[str, str]]


class UserEventConsumer:
    """Read the account events addressed to the tasks service and apply them."""

    def __init__(
        self,
        redis: RedisClient,
        pool: asyncpg.Pool,
        *,
        stream: str,
        group: str,
        consumer: str,
        poll_seconds: float,
        claim_idle_seconds: float,
    ) -> None:
        self._redis = redis
        self._pool = pool
        self._stream = stream
        self._group = group
        self._consumer = consumer
        self._poll = poll_seconds
        self._claim_idle_ms = int(claim_idle_seconds * 1000)
        self._failing = False

    async def ensure_group(self) -> None:
        """Create the consumer group (and the stream) if missing, reading from the stream's first entry."""
        try:
            await self._redis.xgroup_create(self._stream, self._group, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    async def consume_once(self) -> int:
        """Apply what is pending for this consumer, then what others left idle, then new entries; return a count."""
        done = await self._apply_all(await self._read("0"))  # ours, read before and never acknowledged
        claimed = await self._redis.xautoclaim(
            self._stream, self._group, self._consumer, self._claim_idle_ms, start_id="0-0", count=_BATCH
        )
        done += await self._apply_all(claimed[1])
        return done + await self._apply_all(await self._read(">"))

    async def _read(self, start: str) -> list[Entry]:
        # Never a blocking read: redis-py can lose a cancellation that lands during one, which would hang shutdown.
        reply: list[tuple[str, list[Entry]]] | None = await self._redis.xreadgroup(  # type: ignore[assignment]
            self._group, self._consumer, {self._stream: start}, count=_BATCH
        )
        return [entry for _, entries in reply or [] for entry in entries]

    async def _apply_all(self, entries: list[Entry]) -> int:
        for entry_id, fields in entries:
            if fields:  # a pending entry trimmed from the stream comes back empty: only acknowledge it
                await self._apply(entry_id, fields)
            await self._redis.xack(self._stream, self._group, entry_id)
        return len(entries)

    async def _apply(self, entry_id: str, fields: dict[str, str]) -> None:
        try:
            event = UserEvent.from_fields(fields)
        except ValueError:
            EVENTS_CONSUMED.labels("unknown", "rejected").inc()
            log.error("stream entry %s is not an event this service knows, dropped: %r", entry_id, fields)
            return
        if event.event == USER_DELETED:
            deleted = await self._pool.execute(_DELETE_TASKS, event.user_id)
            log.info("user.deleted %s (outbox %s): %s", event.user_id, event.id, deleted)
        EVENTS_CONSUMED.labels(event.event, "applied").inc()

    async def run(self) -> None:
        """Consume until cancelled; Redis or PostgreSQL failing is logged once and retried, entries stay pending."""
        while True:
            try:
                await self.ensure_group()
                while True:
                    done = await self.consume_once()
                    reraise_cancellation()
                    self._recovered()
                    if not done:
                        await asyncio.sleep(self._poll)
            except ResponseError as exc:
                if "NOGROUP" not in str(exc):  # the stream and its group were lost with Redis's data: recreate
                    self._failed(exc)
            except (*REDIS_ERRORS, asyncpg.PostgresError, OSError) as exc:
                reraise_cancellation(exc)
                self._failed(exc)
            await asyncio.sleep(max(self._poll, 1.0))

    def _failed(self, exc: Exception) -> None:
        if not self._failing:
            log.warning("consuming user events failing (they wait in the stream): %s: %s", type(exc).__name__, exc)
        self._failing = True

    def _recovered(self) -> None:
        if self._failing:
            log.warning("consuming user events recovered")
        self._failing = False
