"""Revocation through a Redis Cluster's faults, every call through a gateway, on a cluster of the test's own.

A killed primary's replica takes over (it holds every confirmed revocation: auth waits for a replica's copy before
answering); a shard that loses its data fails closed for its own users only, until auth rebuilds it.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import httpx
import pytest

from tests.conftest import PASSWORD, Server, until
from tests.integration.conftest import scale_launcher, scaled_out
from todo_shared.denylist import ready_key

if TYPE_CHECKING:
    from conftest import RedisClusterProcess

pytestmark = pytest.mark.integration

log = logging.getLogger(__name__)


@dataclass
class User:
    id: str
    email: str
    access: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access}"}


@dataclass
class ClusterStack:
    client: httpx.Client
    auth: Server
    tasks: Server
    cluster: RedisClusterProcess
    users: list[User] = field(default_factory=list)

    def sign_up(self) -> User:
        email = f"user-{uuid.uuid4().hex[:12]}@example.com"
        response = self.client.post("/api/auth/signup", json={"email": email, "password": PASSWORD})
        assert response.status_code == 201, response.text
        body = response.json()
        return User(body["user"]["id"], email, body["access_token"])

    def status(self, user: User) -> int:
        return self.client.get(f"/api/{user.id}/tasks", headers=user.headers).status_code

    def logout(self, user: User) -> None:
        assert self.client.post("/api/auth/logout", headers=user.headers).status_code == 200

    def shard_of(self, user: User) -> int:
        return self.cluster.primary_of(ready_key(user.id))


@pytest.fixture(scope="module")
def cluster_stack(
    scale_databases: tuple[dict[str, str], dict[str, str]],
    redis_cluster: RedisClusterProcess,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[ClusterStack]:
    """One auth, one tasks and a gateway on a cluster of this module's own, which its tests break in turn (each
    leaves it serving: a flushed shard is rebuilt, a killed primary's replica took over)."""
    direct, bounced = scale_databases
    own_redis_cluster = redis_cluster
    launcher = scale_launcher(tmp_path_factory.mktemp("cluster-faults"), own_redis_cluster.url, direct)
    try:
        (auth,), (tasks,) = scaled_out(launcher, bounced, replicas=1)
        gateway = launcher.gateway(auth, tasks)
        with httpx.Client(base_url=gateway.url, timeout=10) as client:
            until(lambda: httpx.get(f"{tasks.url}/readyz").status_code == 200, 10)
            stack = ClusterStack(client, auth, tasks, own_redis_cluster)
            per_shard = dict.fromkeys(own_redis_cluster.shards(), 0)
            while min(per_shard.values()) < 2:  # a revoked and a live user on every shard
                stack.users.append(stack.sign_up())
                per_shard[stack.shard_of(stack.users[-1])] += 1
            yield stack
    finally:
        launcher.stop_all()


def _revoke_half(stack: ClusterStack) -> tuple[list[User], list[User]]:
    """Sign every user in afresh and log half of them out: (revoked, live)."""
    for user in stack.users:
        response = stack.client.post("/api/auth/login", json={"email": user.email, "password": PASSWORD})
        assert response.status_code == 200, response.text
        user.access = response.json()["access_token"]
    by_shard: dict[int, list[User]] = {}
    for user in stack.users:
        by_shard.setdefault(stack.shard_of(user), []).append(user)
    revoked = [user for users in by_shard.values() for user in users[::2]]
    live = [user for users in by_shard.values() for user in users[1::2]]
    for user in revoked:
        stack.logout(user)
    return revoked, live


def test_a_killed_primary_fails_over_and_every_revoked_token_stays_refused(cluster_stack: ClusterStack) -> None:
    stack = cluster_stack
    revoked, live = _revoke_half(stack)
    victim = stack.shard_of(revoked[0])
    seen: dict[str, set[int]] = {user.id: set() for user in stack.users}
    stop = threading.Event()

    def load() -> None:  # every user's token, over and over, through the failover
        with httpx.Client(base_url=str(stack.client.base_url), timeout=10) as client:
            while not stop.is_set():
                for user in stack.users:
                    seen[user.id].add(client.get(f"/api/{user.id}/tasks", headers=user.headers).status_code)

    loader = threading.Thread(target=load)
    loader.start()
    try:
        time.sleep(0.5)
        stack.cluster.kill(victim)
        promoted = until(lambda: victim not in stack.cluster.shards(), 10)  # its replica is the primary now
        served = until(lambda: all(stack.status(user) == 200 for user in live), 10 - promoted)
        log.warning(
            "primary killed: replica promoted after %.1f s, every live token served after %.1f s",
            promoted,
            promoted + served,
        )
        time.sleep(1)  # the load goes on against the promoted replica
    finally:
        stop.set()
        loader.join()
    assert all(200 not in seen[user.id] for user in revoked), "a revoked token passed during the failover"
    # Ready again: the dead node is out of their view of the cluster.
    until(lambda: all(httpx.get(f"{s.url}/readyz").status_code == 200 for s in (stack.tasks, stack.auth)), 10)
    assert all(stack.status(user) == 401 for user in revoked)
    # Revocation works on the promoted replica too.
    stack.logout(live[0])
    assert stack.status(live[0]) == 401


def test_a_flushed_shard_fails_closed_for_its_users_only_until_auth_rebuilds_it(cluster_stack: ClusterStack) -> None:
    stack = cluster_stack
    revoked, live = _revoke_half(stack)
    lost = stack.shard_of(live[0])
    stack.auth.pause()  # no rebuild yet, so what the services do with a lost shard can be seen
    try:
        stack.cluster.flush_shard(lost)
        for user in stack.users:
            expected = 503 if stack.shard_of(user) == lost else 401 if user in revoked else 200
            assert stack.status(user) == expected, user
    finally:
        stack.auth.resume()
    until(lambda: all(stack.status(user) == 200 for user in live), 10)
    assert all(stack.status(user) == 401 for user in revoked)
