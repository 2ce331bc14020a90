"""What the tasks app opens at start-up and closes at shut-down: the pool, Redis, the token checker."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import asyncpg

from tasks.config import Settings
from tasks.db import open_pool
from tasks.events import UserEventConsumer
from todo_shared.denylist import Denylist
from todo_shared.redis import RedisClient, open_redis
from todo_shared.tokens import TokenVerifier

__all__ = ["Runtime", "open_runtime"]


@dataclass(frozen=True, slots=True)
class Runtime:
    """The app's long-lived resources, handed to requests through lifespan state."""

    settings: Settings
    pool: asyncpg.Pool
    redis: RedisClient
    verifier: TokenVerifier
    denylist: Denylist


@asynccontextmanager
async def open_runtime(settings: Settings) -> AsyncIterator[Runtime]:
    """Open every resource (with ``DB_POOL_MIN_SIZE=0`` no connection yet) and close them all on exit."""
    pool = await open_pool(settings)
    redis = open_redis(settings.redis_url, timeout_seconds=settings.redis_timeout_seconds)
    consumer = UserEventConsumer(
        redis,
        pool,
        stream=settings.user_events_stream,
        group=settings.user_events_group,
        consumer=settings.user_events_consumer,
        poll_seconds=settings.user_events_poll_seconds,
        claim_idle_seconds=settings.user_events_claim_idle_seconds,
    )
    consuming = asyncio.create_task(consumer.run(), name="user-events")
    try:
        yield Runtime(
            settings=settings,
            pool=pool,
            redis=redis,
            verifier=settings.token_verifier(),
            denylist=Denylist(redis, ttl_seconds=settings.denylist_ttl_seconds),
        )
    finally:
        consuming.cancel()
        await asyncio.gather(consuming, return_exceptions=True)
        await redis.aclose()
        await pool.close()
