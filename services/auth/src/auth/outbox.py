"""The transactional outbox: account events recorded with the change they report, relayed to a Redis Stream.

A change and its event commit together, so an event exists exactly when its change happened. The relay then
publishes unpublished rows in order (``FOR UPDATE SKIP LOCKED``, so replicas share the work) and marks them
published; a crash between the two publishes a row again, which consumers must (and do) take as harmless.

Redis may lose the stream (restarted empty, flushed) before a consumer read it. The relay keeps a *relayed* mark
beside the stream, written in the same transaction as every publication; when the mark is gone it publishes
every row still retained (``HOUSEKEEPING_RETENTION_SECONDS``) again, so nothing a consumer may have missed is lost.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from auth.models import OutboxEvent
from todo_shared.background import reraise_cancellation
from todo_shared.events import UserEvent
from todo_shared.metrics import EVENTS_PUBLISHED
from todo_shared.redis import REDIS_ERRORS, RedisClient

__all__ = ["OutboxRelay", "record_user_event"]

log = logging.getLogger("auth.outbox")

_BATCH = 500


def record_user_event(db: AsyncSession, *, event: str, user_id: uuid.UUID) -> None:
    """Add an event about a user to the caller's transaction."""
    db.add(OutboxEvent(event=event, payload={"user_id": str(user_id)}))


def relayed_mark(stream: str) -> str:
    """The key whose presence says Redis still holds everything the relay published to ``stream``."""
    # A hash tag of the stream's own name puts the mark in the stream's Redis Cluster slot, as MULTI needs.
    return f"{{{stream}}}:relayed"


class OutboxRelay:
    """Publish outbox rows to the stream: woken after each event, and on a fixed interval."""

    def __init__(
        self,
        engine: AsyncEngine,
        redis: RedisClient,
        *,
        stream: str,
        maxlen: int,
        interval_seconds: float,
        retention_seconds: int,
    ) -> None:
        self._engine = engine
        self._redis = redis
        self._stream = stream
        self._mark = relayed_mark(stream)
        self._maxlen = maxlen
        self._interval = interval_seconds
        self._retention = timedelta(seconds=retention_seconds)
        self._wake = asyncio.Event()
        self._failing = False

    def wake(self) -> None:
        """Ask for a pass now (an event was just committed)."""
        self._wake.set()

    async def relay_once(self) -> int:
        """Publish what is due in one transaction; return how many rows were written to the stream."""
        lost = not await self._redis.exists(self._mark)
        async with self._engine.begin() as conn:
            due = select(OutboxEvent.id, OutboxEvent.event, OutboxEvent.payload).order_by(OutboxEvent.id)
            if lost:
                cutoff = func.now() - self._retention
                due = due.where(or_(OutboxEvent.published_at.is_(None), OutboxEvent.published_at > cutoff))
            else:
                due = due.where(OutboxEvent.published_at.is_(None)).limit(_BATCH)
            rows = (await conn.execute(due.with_for_update(skip_locked=True))).all()
            if not rows and not lost:
                return 0
            async with self._redis.pipeline(transaction=True) as pipe:
                for row in rows:
                    event = UserEvent(event=row.event, user_id=str(row.payload["user_id"]), id=str(row.id))
                    pipe.xadd(self._stream, event.fields(), maxlen=self._maxlen, approximate=True)  # type: ignore[arg-type]
                pipe.set(self._mark, "1")
                await pipe.execute()
            await conn.execute(
                update(OutboxEvent)
                .where(OutboxEvent.id.in_([row.id for row in rows]), OutboxEvent.published_at.is_(None))
                .values(published_at=func.now())
            )
        for row in rows:
            EVENTS_PUBLISHED.labels(row.event).inc()
        if lost and rows:
            log.warning("the event stream was lost: %d retained outbox events published again", len(rows))
        return len(rows)

    async def attempt(self) -> None:
        """Run passes until nothing is due, logging (once per outage) instead of raising."""
        try:
            while await self.relay_once() >= _BATCH:
                pass
        except (*REDIS_ERRORS, SQLAlchemyError, OSError) as exc:
            if not self._failing:
                log.warning("outbox relay failing (events wait in PostgreSQL): %s: %s", type(exc).__name__, exc)
            self._failing = True
            return
        if self._failing:
            log.warning("outbox relay recovered")
        self._failing = False

    async def run(self) -> None:
        """Pass after pass until cancelled."""
        while True:
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=self._interval)
            except TimeoutError:
                pass
            self._wake.clear()
            await self.attempt()
            reraise_cancellation()
