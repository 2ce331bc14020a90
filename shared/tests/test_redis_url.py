"""REDIS_URL names one server or a Redis Cluster (``redis+cluster://host:port,host:port``)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from redis.asyncio import Redis, RedisCluster

from todo_shared.redis import ClusterAddress, open_redis, parse_cluster_url
from todo_shared.settings import DenylistSettings

pytestmark = pytest.mark.anyio


def test_a_cluster_url_names_every_startup_node() -> None:
    assert parse_cluster_url("redis+cluster://10.0.0.1:7000,10.0.0.2:7001, redis-2:7002") == ClusterAddress(
        nodes=(("10.0.0.1", 7000), ("10.0.0.2", 7001), ("redis-2", 7002))
    )


def test_a_cluster_node_without_a_port_uses_6379() -> None:
    assert parse_cluster_url("redis+cluster://redis-0") == ClusterAddress(nodes=(("redis-0", 6379),))


def test_cluster_credentials_apply_to_every_node() -> None:
    address = parse_cluster_url("redis+cluster://app:p%40ss@a:1,b:2")
    assert address == ClusterAddress(nodes=(("a", 1), ("b", 2)), username="app", password="p@ss")


def test_a_password_alone_is_read() -> None:
    address = parse_cluster_url("redis+cluster://:secret@a:1")
    assert address is not None and (address.username, address.password) == (None, "secret")


@pytest.mark.parametrize("url", ["redis://127.0.0.1:6379/0", "rediss://host:6380", "unix:///run/redis.sock"])
def test_a_single_server_url_is_not_a_cluster(url: str) -> None:
    assert parse_cluster_url(url) is None


@pytest.mark.parametrize(
    "url", ["redis+cluster://", "redis+cluster://a:1,b:port", "redis+cluster://a:1/2", "redis+cluster://:1"]
)
def test_a_malformed_cluster_url_is_refused(url: str) -> None:
    with pytest.raises(ValueError):
        parse_cluster_url(url)


def test_settings_name_a_malformed_cluster_url() -> None:
    with pytest.raises(ValidationError, match="redis_url"):
        DenylistSettings(redis_url="redis+cluster://a:1,b:x")


async def test_the_client_matches_the_url() -> None:
    single, cluster = (
        open_redis("redis://127.0.0.1:1/0", timeout_seconds=1),
        open_redis("redis+cluster://a:1", timeout_seconds=1),
    )
    try:
        assert isinstance(single, Redis) and isinstance(cluster, RedisCluster)
    finally:
        await single.aclose()
        await cluster.aclose()
