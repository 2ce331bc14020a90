"""Keep the Redis denylist an exact index of the revocations PostgreSQL records.

Every second, for as long as the service runs:
- if any slot's ready mark is gone (Redis restarted empty, was flushed, or a cluster shard lost its data), read
  every revocation whose tokens can still be alive from PostgreSQL and write it back, with the ready marks, in
  one transaction: until then the services refuse every token of the affected users (fail closed);
- otherwise write again what was revoked since the last pass (with a margin), which repairs a revocation that
  was recorded while its denylist write failed, even if Redis kept the rest.
Every auth replica runs one; the writes are idempotent.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from auth.service import recorded_revocations
from todo_shared.background import reraise_cancellation
from todo_shared.denylist import SAMPLE_STRIDE, Denylist
from todo_shared.errors import ServiceUnavailable
from todo_shared.metrics import DENYLIST_REBUILDS, DENYLIST_SYNCED

__all__ = ["DenylistSync"]

log = logging.getLogger("auth.denylist_sync")

# Re-read this much before the last pass: a revocation's timestamp is taken when its statement runs, and its
# transaction may commit a little later.
_MARGIN = timedelta(seconds=5)


class DenylistSync:
    """Rebuild a lost denylist and repair missed writes, from PostgreSQL, on a fixed interval."""

    def __init__(self, engine: AsyncEngine, denylist: Denylist, *, interval_seconds: float) -> None:
        self._engine = engine
        self._denylist = denylist
        # Older revocations void only tokens that have expired anyway.
        self._window = timedelta(seconds=denylist.ttl_seconds)
        self._interval = interval_seconds
        self._synced_to: datetime | None = None  # the database's clock at the start of the last good pass
        self._failing = False
        self._passes = 0

    async def sync_once(self) -> None:
        """Run one pass; raise ``ServiceUnavailable`` or a database error if it could not complete."""
        # Loss is detected before the record is read, so whatever the snapshot misses was written after the loss.
        missing = await self._denylist.missing_ready_marks(stride=SAMPLE_STRIDE, offset=self._passes % SAMPLE_STRIDE)
        self._passes += 1
        async with self._engine.connect() as conn:
            db_now = (await conn.execute(select(func.now()))).scalar_one()
            if missing or self._synced_to is None:
                since = db_now - self._window
            else:
                since = self._synced_to - _MARGIN
            entries = await recorded_revocations(conn, since=since)
        await self._denylist.restore(entries, complete=missing > 0)
        if missing:
            DENYLIST_REBUILDS.labels("lost").inc()
            log.warning(
                "denylist rebuilt from PostgreSQL: %d sampled slots had lost it, %d entries restored",
                missing,
                len(entries),
            )
        elif self._synced_to is None:
            DENYLIST_REBUILDS.labels("startup").inc()
        DENYLIST_SYNCED.inc(len(entries))
        self._synced_to = db_now

    async def attempt(self) -> bool:
        """Run one pass, logging (once per outage) instead of raising; tell whether it completed."""
        try:
            await self.sync_once()
        except (ServiceUnavailable, SQLAlchemyError, OSError) as exc:  # Redis, or PostgreSQL however it failed
            cause = exc.__cause__ or exc
            if not self._failing:
                log.warning(
                    "denylist sync failing (where the denylist is lost, tokens are refused): %s: %s",
                    type(cause).__name__,
                    cause,
                )
            self._failing = True
            return False
        if self._failing:
            log.warning("denylist sync recovered")
        self._failing = False
        return True

    async def run(self) -> None:
        """Pass after pass until cancelled."""
        while True:
            await asyncio.sleep(self._interval)
            await self.attempt()
            reraise_cancellation()
