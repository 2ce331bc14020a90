"""The periodic purge of dead rows, so the tables stop growing: each kind is kept only while it can matter.

- sessions expired or revoked more than the retention ago (their refresh tokens go with them);
- refresh tokens spent or expired more than the retention ago (a replay of one older than that is refused as
  unknown instead of revoking its session);
- emailed tokens used or expired more than the retention ago;
- per-user revocation moments older than one access-token lifetime: no token they void can still be alive;
- outbox events published more than the retention ago (until then a lost stream is published again).

Revoked sessions are always kept one access-token lifetime, which the denylist sync reads them back from.
Deletes run in batches, so no purge holds many row locks at once. Every replica may run it: deletes are idempotent.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from sqlalchemy import Delete, delete, func, or_, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from auth.models import EmailToken, OutboxEvent, RefreshToken, Session, UserRevocation
from todo_shared.background import reraise_cancellation
from todo_shared.metrics import HOUSEKEEPING_PURGED

__all__ = ["Housekeeping"]

log = logging.getLogger("auth.housekeeping")

_BATCH = 5_000


class Housekeeping:
    """Delete expired, revoked, spent, used and published rows on a fixed interval."""

    def __init__(
        self, engine: AsyncEngine, *, interval_seconds: float, retention_seconds: int, token_lifetime_seconds: int
    ) -> None:
        self._engine = engine
        self._interval = interval_seconds
        self._token_lifetime = timedelta(seconds=token_lifetime_seconds)
        self._retention = max(timedelta(seconds=retention_seconds), self._token_lifetime)

    def _purges(self, now: datetime) -> dict[str, Delete]:
        cutoff, alive = now - self._retention, now - self._token_lifetime

        def batch(table: type[Session | RefreshToken | EmailToken | OutboxEvent], *conditions: object) -> Delete:
            ids = select(table.id).where(or_(*conditions)).limit(_BATCH).scalar_subquery()  # type: ignore[arg-type]
            return delete(table).where(table.id.in_(ids))

        return {
            "sessions": batch(Session, Session.expires_at < cutoff, Session.revoked_at < cutoff),
            "refresh_tokens": batch(RefreshToken, RefreshToken.expires_at < cutoff, RefreshToken.spent_at < cutoff),
            "email_tokens": batch(EmailToken, EmailToken.expires_at < cutoff, EmailToken.used_at < cutoff),
            "outbox": batch(OutboxEvent, OutboxEvent.published_at < cutoff),
            "user_revocations": delete(UserRevocation).where(UserRevocation.revoked_before < alive),
        }

    async def purge_once(self) -> dict[str, int]:
        """Run every purge to the end; return how many rows each deleted."""
        async with self._engine.connect() as conn:
            now = (await conn.execute(select(func.now()))).scalar_one()
        purged: dict[str, int] = {}
        for table, statement in self._purges(now).items():
            total = 0
            while True:
                async with self._engine.begin() as conn:
                    deleted = (await conn.execute(statement)).rowcount
                total += deleted
                if table == "user_revocations" or deleted < _BATCH:
                    break
            purged[table] = total
            HOUSEKEEPING_PURGED.labels(table).inc(total)
        if any(purged.values()):
            log.info("housekeeping purged %s", ", ".join(f"{n} {t}" for t, n in purged.items() if n))
        return purged

    async def run(self) -> None:
        """Purge after purge until cancelled; a failure is logged and waits for the next turn."""
        while True:
            await asyncio.sleep(self._interval)
            try:
                await self.purge_once()
            except (SQLAlchemyError, OSError) as exc:
                reraise_cancellation(exc)
                log.warning("housekeeping failed, retrying in %.0f s: %s: %s", self._interval, type(exc).__name__, exc)
