"""The Redis client every service opens in its lifespan."""

from __future__ import annotations

from redis.asyncio import Redis

__all__ = ["open_redis"]


def open_redis(url: str, *, timeout_seconds: float) -> Redis:
    """Open a pooled client whose calls fail fast (a hung Redis must become a 503, not a hang)."""
    return Redis.from_url(
        url,
        socket_timeout=timeout_seconds,
        socket_connect_timeout=timeout_seconds,
        health_check_interval=30,
        decode_responses=True,
    )
