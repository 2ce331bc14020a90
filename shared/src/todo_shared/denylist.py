"""The revocation denylist in Redis: an index of PostgreSQL's record, written by auth, read in one ``MGET``.

Keys share the ``{user_id}`` hash tag so a user's keys live in one Redis Cluster slot. Redis may lose them
(restarted empty, flushed, failed over), so the index is only trusted where it says it is complete: every slot
holds a *ready mark*, written by auth after it rebuilt the index from PostgreSQL. A check reads the user's
three keys and the ready mark of their slot in the same ``MGET``; a missing mark means "lost, being rebuilt",
and the check fails closed (503) instead of passing a token it cannot judge.
"""

from __future__ import annotations

import functools
from binascii import crc_hqx
from collections.abc import Iterable

from redis.asyncio import Redis
from redis.exceptions import RedisError

from todo_shared.errors import ServiceUnavailable
from todo_shared.metrics import DENYLIST_CHECKS
from todo_shared.tokens import AccessClaims
from todo_shared.unavailable import dependency_unavailable

__all__ = [
    "SAMPLE_STRIDE",
    "SLOTS",
    "Denylist",
    "Revocations",
    "before_key",
    "jti_key",
    "ready_key",
    "ready_keys",
    "sid_key",
]

SLOTS = 16384  # Redis Cluster's hash slots
# A periodic loss check reads one ready mark in this many, a different share on each pass. Redis loses marks
# wholesale (a restart or a flush takes all of them, a lost Cluster shard thousands of slots), so any share
# sees it; reading all 16,384 every second cost auth ~5% of a core, idle or not (redis-py packs every key).
SAMPLE_STRIDE = 16
_UNCHECKABLE = "Token revocation cannot be checked right now"


def jti_key(user_id: str, jti: str) -> str:
    """Key that voids one access token."""
    return f"denylist:{{{user_id}}}:jti:{jti}"


def sid_key(user_id: str, sid: str) -> str:
    """Key that voids every access token of one session."""
    return f"denylist:{{{user_id}}}:sid:{sid}"


def before_key(user_id: str) -> str:
    """Key holding a moment: every token of the user issued before it is void."""
    return f"denylist:{{{user_id}}}:before"


def _slot(tag: str) -> int:
    # Redis Cluster's key slot of a hash tag (CRC16/XMODEM), as redis.crc.key_slot computes it.
    return crc_hqx(tag.encode(), 0) % SLOTS


@functools.cache
def _slot_tags() -> tuple[str, ...]:
    """One short hash tag per slot, so each slot's ready mark can share the slot of the users it vouches for."""
    tags: list[str | None] = [None] * SLOTS
    missing, n = SLOTS, 0
    while missing:  # ~315k CRCs, ~0.1 s once per process
        tag = format(n, "x")
        slot = _slot(tag)
        if tags[slot] is None:
            tags[slot] = tag
            missing -= 1
        n += 1
    return tuple(t for t in tags if t is not None)


def ready_key(user_id: str) -> str:
    """Key whose presence says the index is complete for the slot of ``user_id``'s keys."""
    return _ready_key(_slot(user_id))


def _ready_key(slot: int) -> str:
    return f"denylist:{{{_slot_tags()[slot]}}}:ready"


@functools.cache
def ready_keys() -> tuple[str, ...]:
    """Every slot's ready mark."""
    return tuple(_ready_key(slot) for slot in range(SLOTS))


class Revocations:
    """Denylist entries to write: sessions and per-user "before" moments, grouped by user."""

    def __init__(self) -> None:
        self.sids: list[tuple[str, str]] = []
        self.befores: list[tuple[str, int]] = []

    def __len__(self) -> int:
        return len(self.sids) + len(self.befores)


class Denylist:
    """Check and record revocations; Redis failures and a lost index become 503, never a silent pass."""

    def __init__(self, redis: Redis, *, ttl_seconds: int) -> None:
        # Entries only need to outlive the tokens they void: one access-token lifetime plus leeway.
        self._redis = redis
        self.ttl_seconds = ttl_seconds

    async def is_revoked(self, claims: AccessClaims) -> bool:
        """Tell whether the token, its session or everything its user held before now is revoked."""
        user = claims.sub
        try:
            by_jti, by_sid, before, ready = await self._redis.mget(
                jti_key(user, claims.jti), sid_key(user, claims.sid), before_key(user), ready_key(user)
            )
        except RedisError as exc:
            DENYLIST_CHECKS.labels("unavailable").inc()
            raise dependency_unavailable("redis", exc, _UNCHECKABLE) from exc
        if ready is None:
            DENYLIST_CHECKS.labels("unavailable").inc()
            raise ServiceUnavailable("Token revocations are being restored, try again shortly")
        revoked = by_jti is not None or by_sid is not None or (before is not None and claims.iat < int(before))
        DENYLIST_CHECKS.labels("revoked" if revoked else "ok").inc()
        return revoked

    async def revoke(
        self,
        *,
        user_id: str,
        jtis: Iterable[str] = (),
        sids: Iterable[str] = (),
        before: int | None = None,
    ) -> None:
        """Record revocations atomically; raise ``ServiceUnavailable`` if Redis did not take them."""
        entries = Revocations()
        entries.sids.extend((user_id, sid) for sid in sids)
        if before is not None:
            entries.befores.append((user_id, before))
        await self._write(entries, jtis=[(user_id, jti) for jti in jtis])

    async def restore(self, entries: Revocations, *, complete: bool) -> None:
        """Write entries rebuilt from the record; with ``complete``, also mark every slot ready, in the same
        transaction, so a flush can only come wholly before (and be rebuilt) or wholly after (and be seen)."""
        await self._write(entries, mark_ready=complete)

    async def missing_ready_marks(self, *, stride: int = 1, offset: int = 0) -> int:
        """Count the slots whose ready mark is gone (Redis lost data there); raise 503 if Redis cannot say.

        With ``stride``, only every ``stride``-th slot from ``offset`` is read: a sample, for a check that runs
        every second (see ``SAMPLE_STRIDE``).
        """
        keys = ready_keys()[offset::stride]
        try:
            present = int(await self._redis.exists(*keys))
        except RedisError as exc:
            raise dependency_unavailable("redis", exc) from exc
        return len(keys) - present

    async def ensure_complete(self) -> None:
        """Raise ``ServiceUnavailable`` unless every slot is marked ready (a readiness check)."""
        if missing := await self.missing_ready_marks():
            raise ServiceUnavailable(f"The denylist is being rebuilt ({missing} slots lost)")

    async def _write(
        self, entries: Revocations, *, jtis: Iterable[tuple[str, str]] = (), mark_ready: bool = False
    ) -> None:
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                for user_id, jti in jtis:
                    pipe.set(jti_key(user_id, jti), "1", ex=self.ttl_seconds)
                for user_id, sid in entries.sids:
                    pipe.set(sid_key(user_id, sid), "1", ex=self.ttl_seconds)
                for user_id, before in entries.befores:
                    pipe.set(before_key(user_id), str(before), ex=self.ttl_seconds)
                if mark_ready:
                    pipe.mset(dict.fromkeys(ready_keys(), "1"))
                await pipe.execute()
        except RedisError as exc:
            raise dependency_unavailable("redis", exc, "Revocation could not be recorded right now") from exc
