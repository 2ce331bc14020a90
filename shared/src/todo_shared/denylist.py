"""The revocation denylist in Redis: an index of PostgreSQL's record, written by auth, read in one ``MGET``.

Keys share the ``{user_id}`` hash tag so a user's keys live in one Redis Cluster slot. Redis may lose them
(restarted empty, flushed, failed over), so the index is only trusted where it says it is complete: every slot
holds a *ready mark*, written by auth after it rebuilt the index from PostgreSQL. A check reads the user's
three keys and the ready mark of their slot in the same ``MGET``; a missing mark means "lost, being rebuilt",
and the check fails closed (503) instead of passing a token it cannot judge.

Writes run as one Lua script per primary (one in all on a single server; ``allow-cross-slot-keys``, Redis 7: a
script may touch any slot its node serves), so a shard's entries and its marks land together or not at all, as
one ``MULTI`` does on a single server. A revocation is confirmed only once a replica of its primary holds it
(``WAIT``), so a failover cannot promote a replica that never saw it.
"""

from __future__ import annotations

import functools
import time
from binascii import crc_hqx
from collections.abc import Iterable, Sequence
from typing import Any

from redis.asyncio import RedisCluster
from redis.asyncio.cluster import ClusterNode
from redis.crc import key_slot
from redis.exceptions import TimeoutError as RedisTimeoutError

from todo_shared.errors import ServiceUnavailable
from todo_shared.metrics import DENYLIST_CHECKS
from todo_shared.redis import REDIS_ERRORS, RedisClient
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
_UNRECORDED = "Revocation could not be recorded right now"
_ROLE_SECONDS = 5.0

# ARGV: ttl, number of entries, then entry key/value pairs, then ready marks (kept until Redis loses them).
_WRITE = """#!lua flags=allow-cross-slot-keys
local n = tonumber(ARGV[2])
for i = 3, 2 + 2 * n, 2 do redis.call('SET', ARGV[i], ARGV[i + 1], 'EX', ARGV[1]) end
for i = 3 + 2 * n, #ARGV do redis.call('SET', ARGV[i], '1') end
return 1
"""
# ARGV: keys; how many exist (EXISTS takes keys of one slot only on a cluster).
_COUNT = """#!lua flags=allow-cross-slot-keys,no-writes
local n = 0
for i = 1, #ARGV do n = n + redis.call('EXISTS', ARGV[i]) end
return n
"""


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

    def __init__(self, redis: RedisClient, *, ttl_seconds: int, wait_seconds: float = 0.5) -> None:
        # Entries only need to outlive the tokens they void: one access-token lifetime plus leeway.
        self._redis = redis
        self.ttl_seconds = ttl_seconds
        self._wait_ms = max(1, int(wait_seconds * 1000))
        self._replicas: dict[str, tuple[float, bool]] = {}  # primary -> (valid until, has a connected replica)

    async def is_revoked(self, claims: AccessClaims) -> bool:
        """Tell whether the token, its session or everything its user held before now is revoked."""
        user = claims.sub
        try:
            by_jti, by_sid, before, ready = await self._redis.mget(
                jti_key(user, claims.jti), sid_key(user, claims.sid), before_key(user), ready_key(user)
            )
        except REDIS_ERRORS as exc:
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
        await self._write(entries, jtis=[(user_id, jti) for jti in jtis], replicated=True)

    async def restore(self, entries: Revocations, *, complete: bool) -> None:
        """Write entries rebuilt from the record; with ``complete``, also mark every slot ready, in the same atomic
        write (per primary on a cluster), so a flush can only come wholly before (and be rebuilt) or wholly after
        (and be seen)."""
        await self._write(entries, mark_ready=complete)

    async def missing_ready_marks(self, *, stride: int = 1, offset: int = 0) -> int:
        """Count the slots whose ready mark is gone (Redis lost data there); raise 503 if Redis cannot say.

        With ``stride``, only every ``stride``-th slot from ``offset`` is read: a sample, for a check that runs
        every second (see ``SAMPLE_STRIDE``).
        """
        slots = range(SLOTS)[offset::stride]
        try:
            present = 0
            for node, keys in await self._by_primary(ready_keys()[offset::stride], slots):
                present += int(await self._on(node, "EVAL", _COUNT, 0, *keys))
        except REDIS_ERRORS as exc:
            raise dependency_unavailable("redis", exc) from exc
        return len(slots) - present

    async def ensure_complete(self) -> None:
        """Raise ``ServiceUnavailable`` unless every slot is marked ready (a readiness check)."""
        if missing := await self.missing_ready_marks():
            raise ServiceUnavailable(f"The denylist is being rebuilt ({missing} slots lost)")

    async def _write(
        self,
        entries: Revocations,
        *,
        jtis: Iterable[tuple[str, str]] = (),
        mark_ready: bool = False,
        replicated: bool = False,
    ) -> None:
        values = {jti_key(user_id, jti): "1" for user_id, jti in jtis}
        values.update({sid_key(user_id, sid): "1" for user_id, sid in entries.sids})
        values.update({before_key(user_id): str(before) for user_id, before in entries.befores})
        keys = [*values, *(ready_keys() if mark_ready else ())]
        slots = [*(key_slot(key.encode()) for key in values), *(range(SLOTS) if mark_ready else ())]
        try:
            for node, shard_keys in await self._by_primary(keys, slots):
                entry_keys = [k for k in shard_keys if k in values]
                args: list[str | int] = [self.ttl_seconds, len(entry_keys)]
                args += [x for k in entry_keys for x in (k, values[k])]
                args += [k for k in shard_keys if k not in values]
                await self._on(node, "EVAL", _WRITE, 0, *args, replicated=replicated)
        except REDIS_ERRORS as exc:
            raise dependency_unavailable("redis", exc, _UNRECORDED) from exc

    async def _by_primary(
        self, keys: Sequence[str], slots: Sequence[int]
    ) -> list[tuple[ClusterNode | None, list[str]]]:
        """Group keys (in ``slots``) by the primary serving each slot (one group, ``None``, on a single server)."""
        if not isinstance(self._redis, RedisCluster):
            return [(None, list(keys))] if keys else []
        await self._redis.initialize()  # the slot map, read once and again after a failover
        groups: dict[str, tuple[ClusterNode, list[str]]] = {}
        for key, slot in zip(keys, slots, strict=True):
            node = self._redis.nodes_manager.get_node_from_slot(slot)  # SlotNotCoveredError if none
            groups.setdefault(node.name, (node, []))[1].append(key)
        return [(node, shard_keys) for node, shard_keys in groups.values()]

    async def _on(self, node: ClusterNode | None, *command: str | int, replicated: bool = False) -> Any:
        """Run a command on a single server or on one primary; with ``replicated``, answer only once a replica of
        that primary confirmed it (when it has one), so the write survives the primary's failover."""
        if node is None or not isinstance(self._redis, RedisCluster):
            return await self._redis.execute_command(*command)
        if not replicated or not await self._has_replica(node):
            return await self._redis.execute_command(*command, target_nodes=node)
        # WAIT counts the writes of its own connection: one pipeline to one node runs both on one connection.
        async with self._redis.pipeline() as pipe:
            pipe.execute_command(*command, target_nodes=node)
            pipe.execute_command("WAIT", 1, self._wait_ms, target_nodes=node)
            result, replicas = await pipe.execute()
        if int(replicas) < 1:
            # Written on the primary, not yet on a replica: a failover now could lose it. The record in PostgreSQL
            # keeps it; the caller answers 503 and a retry (or the next sync pass) writes it again.
            raise RedisTimeoutError(f"no replica of {node.name} confirmed the write within {self._wait_ms} ms")
        return result

    async def _has_replica(self, node: ClusterNode) -> bool:
        # Asked of the primary itself (ROLE lists the replicas connected to it), at most every few seconds: the
        # client's slot map lists a replica only once it synced, and keeps listing one that died.
        now = time.monotonic()
        known = self._replicas.get(node.name)
        if known is None or known[0] < now:
            assert isinstance(self._redis, RedisCluster)
            role = await self._redis.execute_command("ROLE", target_nodes=node)
            known = (now + _ROLE_SECONDS, bool(role[0] == "master" and role[2]))
            self._replicas[node.name] = known
        return known[1]
