from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from todo_shared.denylist import Denylist, before_key, jti_key, sid_key
from todo_shared.errors import ServiceUnavailable
from todo_shared.redis import open_redis
from todo_shared.tokens import AccessClaims

pytestmark = pytest.mark.anyio


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = open_redis(redis_url, timeout_seconds=1.0)
    yield client
    await client.aclose()


def claims(*, iat: int | None = None) -> AccessClaims:
    issued = int(time.time()) if iat is None else iat
    return AccessClaims(
        sub=str(uuid.uuid4()), email="e", sid=uuid.uuid4().hex, jti=uuid.uuid4().hex, iat=issued, exp=issued + 900
    )


async def test_fresh_token_is_not_revoked(redis: Redis) -> None:
    assert not await Denylist(redis, ttl_seconds=60).is_revoked(claims())


async def test_revoked_jti_is_seen(redis: Redis) -> None:
    denylist, c = Denylist(redis, ttl_seconds=60), claims()
    await denylist.revoke(user_id=c.sub, jtis=[c.jti])
    assert await denylist.is_revoked(c)


async def test_revoked_session_voids_every_token_of_it(redis: Redis) -> None:
    denylist, c = Denylist(redis, ttl_seconds=60), claims()
    await denylist.revoke(user_id=c.sub, sids=[c.sid])
    sibling = AccessClaims(sub=c.sub, email="e", sid=c.sid, jti="other", iat=c.iat, exp=c.exp)
    assert await denylist.is_revoked(sibling)


async def test_before_marker_voids_older_tokens_only(redis: Redis) -> None:
    denylist, c = Denylist(redis, ttl_seconds=60), claims(iat=1000)
    await denylist.revoke(user_id=c.sub, before=1001)
    newer = AccessClaims(sub=c.sub, email="e", sid="s2", jti="j2", iat=1001, exp=2000)
    assert await denylist.is_revoked(c)
    assert not await denylist.is_revoked(newer)


async def test_entries_expire_after_one_token_lifetime(redis: Redis) -> None:
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
