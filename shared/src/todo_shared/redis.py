"""The Redis client every service opens in its lifespan: one server (``redis://``) or a Redis Cluster
(``redis+cluster://host:port,host:port``, any reachable nodes; the client discovers the rest)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from redis.asyncio import ConnectionPool, Redis, RedisCluster
from redis.asyncio.cluster import ClusterNode
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError, RedisClusterException, RedisError

__all__ = [
    "REDIS_ERRORS",
    "ClusterAddress",
    "RedisClient",
    "client_options",
    "open_redis",
    "open_redis_pool",
    "parse_cluster_url",
]

# What the services hold: either client answers the same commands for keys that share a slot.
RedisClient = Redis | RedisCluster

CLUSTER_SCHEME = "redis+cluster"

# Redis failing, on either topology: the cluster client raises RedisClusterException (not a RedisError) when no
# node it knows answers or the slots are not all served, e.g. while every node restarts.
REDIS_ERRORS = (RedisError, RedisClusterException)

# A pooled connection to a Redis that restarted fails on first use: retry once, on a fresh connection, at once.
# Only connection failures are retried (not timeouts: a command that timed out may have run), and only once, so a
# Redis that is really down still fails fast. On a cluster the one retry comes after the client re-read the slot
# map, which is how a promoted replica is found.
# Idle connections are pinged before reuse when older than the interval, so most dead ones never reach a command.
_HEALTH_CHECK_SECONDS = 5


@dataclass(frozen=True, slots=True)
class ClusterAddress:
    """What a ``redis+cluster://`` URL names: startup nodes and the credentials for all of them."""

    nodes: tuple[tuple[str, int], ...]
    username: str | None = None
    password: str | None = None


def parse_cluster_url(url: str) -> ClusterAddress | None:
    """Read a ``redis+cluster://[user:password@]host:port,host:port`` URL; ``None`` for any other scheme.

    Raise ``ValueError`` for a cluster URL without nodes, with a bad port, or naming a database (a cluster has
    only database 0).
    """
    scheme, sep, rest = url.partition("://")
    if not sep or scheme.lower() != CLUSTER_SCHEME:
        return None
    # urlsplit rejects several host:port pairs in one netloc, so the node list is split by hand.
    authority, _, tail = rest.partition("/")
    if tail.split("?", 1)[0] not in ("", "0"):
        raise ValueError("a Redis Cluster has only database 0: drop the /<db> from the cluster URL")
    userinfo, at, hosts = authority.rpartition("@")
    nodes: list[tuple[str, int]] = []
    for item in hosts.split(","):
        if not item.strip():
            continue
        parts = urlsplit(f"//{item.strip()}")
        try:
            port = parts.port or 6379
        except ValueError as exc:
            raise ValueError(f"bad port in Redis Cluster node {item.strip()!r}") from exc
        if not parts.hostname:
            raise ValueError(f"no host in Redis Cluster node {item.strip()!r}")
        nodes.append((parts.hostname, port))
    if not nodes:
        raise ValueError("a redis+cluster:// URL needs at least one host:port")
    username = password = None
    if at:
        user, colon, secret = userinfo.partition(":")
        username = unquote(user) or None
        password = unquote(secret) if colon else None
    return ClusterAddress(tuple(nodes), username, password)


def client_options(timeout_seconds: float) -> dict[str, Any]:
    """Timeouts and the retry-once rule, for every client (and the rate limiter's) on either topology."""
    return {
        "socket_timeout": timeout_seconds,
        "socket_connect_timeout": timeout_seconds,
        "health_check_interval": _HEALTH_CHECK_SECONDS,
        "retry": Retry(NoBackoff(), retries=1, supported_errors=(ConnectionError,)),
        "retry_on_error": [ConnectionError],
    }


def open_redis(url: str, *, timeout_seconds: float) -> RedisClient:
    """Open a pooled client whose calls fail fast (a hung Redis must become a 503, not a hang)."""
    if (cluster := parse_cluster_url(url)) is None:
        return Redis.from_url(url, decode_responses=True, **client_options(timeout_seconds))
    return RedisCluster(
        startup_nodes=[ClusterNode(host, port) for host, port in cluster.nodes],
        username=cluster.username,
        password=cluster.password,
        decode_responses=True,
        **client_options(timeout_seconds),
    )


def open_redis_pool(url: str, *, timeout_seconds: float) -> ConnectionPool:
    """Open a raw (undecoded) connection pool on one server, same timeouts and retry, for libraries that want one."""
    return ConnectionPool.from_url(url, **client_options(timeout_seconds))
