from __future__ import annotations

import signal
import time
import uuid
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

import pytest
from redis import Redis as SyncRedis
from redis.crc import key_slot

from todo_shared.denylist import SAMPLE_STRIDE, SLOTS, Denylist, Revocations, before_key, jti_key, ready_key, sid_key
from todo_shared.errors import ServiceUnavailable
from todo_shared.redis import RedisClient, open_redis
from todo_shared.tokens import AccessClaims

if TYPE_CHECKING:
    from conftest import RedisClusterProcess

pytestmark = pytest.mark.anyio


@pytest.fixture(params=["server", "cluster"])
async def redis(request: pytest.FixtureRequest) -> AsyncIterator[RedisClient]:
    """A private Redis, or a Redis Cluster, whose denylist is marked complete, as auth's sync leaves it."""
    server = request.getfixturevalue("own_redis" if request.param == "server" else "redis_cluster")
    server.mark_indexed()
    client = open_redis(server.url, timeout_seconds=1.0)
    yield client
    await client.aclose()


def claims(*, iat: int | None = None) -> AccessClaims:
    issued = int(time.time()) if iat is None else iat
    return AccessClaims(
        sub=str(uuid.uuid4()), email="e", sid=uuid.uuid4().hex, jti=uuid.uuid4().hex, iat=issued, exp=issued + 900
    )


async def test_fresh_token_is_not_revoked(redis: RedisClient) -> None:
    assert not await Denylist(redis, ttl_seconds=60).is_revoked(claims())


async def test_revoked_jti_is_seen(redis: RedisClient) -> None:
    denylist, c = Denylist(redis, ttl_seconds=60), claims()
    await denylist.revoke(user_id=c.sub, jtis=[c.jti])
    assert await denylist.is_revoked(c)


async def test_revoked_session_voids_every_token_of_it(redis: RedisClient) -> None:
    denylist, c = Denylist(redis, ttl_seconds=60), claims()
    await denylist.revoke(user_id=c.sub, sids=[c.sid])
    sibling = AccessClaims(sub=c.sub, email="e", sid=c.sid, jti="other", iat=c.iat, exp=c.exp)
    assert await denylist.is_revoked(sibling)


async def test_before_marker_voids_older_tokens_only(redis: RedisClient) -> None:
    denylist, c = Denylist(redis, ttl_seconds=60), claims(iat=1000)
    await denylist.revoke(user_id=c.sub, before=1001)
    newer = AccessClaims(sub=c.sub, email="e", sid="s2", jti="j2", iat=1001, exp=2000)
    assert await denylist.is_revoked(c)
    assert not await denylist.is_revoked(newer)


async def test_entries_expire_after_one_token_lifetime(redis: RedisClient) -> None:
    denylist, c = Denylist(redis, ttl_seconds=60), claims()
    await denylist.revoke(user_id=c.sub, jtis=[c.jti], sids=[c.sid], before=c.iat)
    for key in (jti_key(c.sub, c.jti), sid_key(c.sub, c.sid), before_key(c.sub)):
        assert 0 < await redis.ttl(key) <= 60


async def test_keys_share_the_user_hash_tag() -> None:
    user = "u-1"
    assert {k.split("}")[0] for k in (jti_key(user, "j"), sid_key(user, "s"), before_key(user))} == {"denylist:{u-1"}


async def test_unreachable_redis_fails_closed(dead_redis_url: str) -> None:
    client = open_redis(dead_redis_url, timeout_seconds=0.5)
    try:
        denylist = Denylist(client, ttl_seconds=60)
        with pytest.raises(ServiceUnavailable):
            await denylist.is_revoked(claims())
        with pytest.raises(ServiceUnavailable):
            await denylist.revoke(user_id="u", jtis=["j"])
    finally:
        await client.aclose()


async def test_each_ready_mark_shares_the_slot_of_the_keys_it_vouches_for() -> None:
    for user in (str(uuid.uuid4()) for _ in range(200)):
        slot = key_slot(jti_key(user, "j").encode())
        assert key_slot(ready_key(user).encode()) == slot == key_slot(before_key(user).encode())


async def test_a_lost_index_fails_closed(redis: RedisClient) -> None:
    await redis.flushdb()
    denylist = Denylist(redis, ttl_seconds=60)
    assert await denylist.missing_ready_marks() == SLOTS
    with pytest.raises(ServiceUnavailable):
        await denylist.is_revoked(claims())


async def test_losing_one_slot_fails_closed_only_for_its_users(redis: RedisClient) -> None:
    denylist, lost, kept = Denylist(redis, ttl_seconds=60), claims(), claims()
    while key_slot(ready_key(kept.sub).encode()) == key_slot(ready_key(lost.sub).encode()):
        kept = claims()
    await redis.delete(ready_key(lost.sub))
    assert await denylist.missing_ready_marks() == 1
    with pytest.raises(ServiceUnavailable):
        await denylist.is_revoked(lost)
    assert not await denylist.is_revoked(kept)


async def test_restoring_writes_entries_and_marks_every_slot_again(redis: RedisClient) -> None:
    await redis.flushdb()
    denylist, c = Denylist(redis, ttl_seconds=60), claims()
    entries = Revocations()
    entries.sids.append((c.sub, c.sid))
    await denylist.restore(entries, complete=True)
    assert await denylist.missing_ready_marks() == 0
    assert await denylist.is_revoked(c)


async def test_a_sampled_loss_check_reads_a_different_share_of_the_slots_each_offset(redis: RedisClient) -> None:
    denylist, lost = Denylist(redis, ttl_seconds=60), claims()
    await denylist.restore(Revocations(), complete=True)
    await redis.delete(ready_key(lost.sub))
    slot = key_slot(ready_key(lost.sub).encode())
    seen = [await denylist.missing_ready_marks(stride=SAMPLE_STRIDE, offset=o) for o in range(SAMPLE_STRIDE)]
    assert seen == [int(o == slot % SAMPLE_STRIDE) for o in range(SAMPLE_STRIDE)]


async def test_a_revocation_on_a_cluster_is_on_a_replica_when_it_returns(redis_cluster: RedisClusterProcess) -> None:
    redis_cluster.mark_indexed()
    client, c = open_redis(redis_cluster.url, timeout_seconds=1.0), claims()
    try:
        await Denylist(client, ttl_seconds=60).revoke(user_id=c.sub, jtis=[c.jti])
    finally:
        await client.aclose()
    for replica in redis_cluster.shards()[redis_cluster.primary_of(jti_key(c.sub, c.jti))]:
        with SyncRedis(port=replica) as node:
            node.execute_command("READONLY")
            assert node.get(jti_key(c.sub, c.jti)) == b"1"


async def test_a_revocation_no_replica_confirms_is_refused(redis_cluster: RedisClusterProcess) -> None:
    redis_cluster.mark_indexed()
    client, c = open_redis(redis_cluster.url, timeout_seconds=1.0), claims()
    (replica,) = redis_cluster.shards()[redis_cluster.primary_of(jti_key(c.sub, c.jti))]
    redis_cluster.processes[replica].send_signal(signal.SIGSTOP)
    try:
        with pytest.raises(ServiceUnavailable) as refused:
            await Denylist(client, ttl_seconds=60, wait_seconds=0.2).revoke(user_id=c.sub, jtis=[c.jti])
        assert "no replica" in str(refused.value.__cause__)
    finally:
        redis_cluster.processes[replica].send_signal(signal.SIGCONT)
        await client.aclose()
