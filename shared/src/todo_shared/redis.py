"""The Redis client every service opens in its lifespan."""

from __future__ import annotations

from typing import Any

from redis.asyncio import ConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError

__all__ = ["open_redis", "open_redis_pool"]

# A pooled connection to a Redis that restarted fails on first use: retry once, on a fresh connection, at once.
# Only connection failures are retried (not timeouts: a command that timed out may have run), and only once, so a
# Redis that is really down still fails fast.
# Idle connections are pinged before reuse when older than the interval, so most dead ones never reach a command.
_HEALTH_CHECK_SECONDS = 5


def _options(timeout_seconds: float) -> dict[str, Any]:
    return {
        "socket_timeout": timeout_seconds,
        "socket_connect_timeout": timeout_seconds,
        "health_check_interval": _HEALTH_CHECK_SECONDS,
        "retry": Retry(NoBackoff(), retries=1, supported_errors=(ConnectionError,)),
        "retry_on_error": [ConnectionError],
    }


def open_redis(url: str, *, timeout_seconds: float) -> Redis:
    """Open a pooled client whose calls fail fast (a hung Redis must become a 503, not a hang)."""
    return Redis.from_url(url, decode_responses=True, **_options(timeout_seconds))


def open_redis_pool(url: str, *, timeout_seconds: float) -> ConnectionPool:
    """Open a raw (undecoded) connection pool with the same timeouts and retry, for libraries that want one."""
    return ConnectionPool.from_url(url, **_options(timeout_seconds))
