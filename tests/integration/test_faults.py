"""Faults, each on processes of the test's own: a crashed upstream, a frozen one, Redis gone."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import httpx
import pytest

if TYPE_CHECKING:
    from conftest import RedisProcess
    from tests.conftest import Launcher, SignUp, System

pytestmark = pytest.mark.integration


def test_a_killed_upstream_is_502_quickly(system: System, launcher: Launcher, sign_up: SignUp) -> None:
    account = sign_up()
    tasks = launcher.tasks()
    gateway = launcher.gateway(system.auth, tasks)
    with httpx.Client(base_url=gateway.url, timeout=10) as client:
        path = f"/api/{account.user_id}/tasks"
        assert client.get(path, headers=account.headers).status_code == 200
        tasks.kill()
        started = time.monotonic()
        response = client.get(path, headers=account.headers)
        elapsed = time.monotonic() - started
    assert response.status_code == 502
    assert response.json()["code"] == "bad_gateway"
    assert elapsed < 2.0  # refused at once; the slack is for a loaded machine


def test_a_stalled_upstream_is_504_within_the_timeout(system: System, launcher: Launcher, sign_up: SignUp) -> None:
    account = sign_up()
    tasks = launcher.tasks()
    gateway = launcher.gateway(system.auth, tasks, UPSTREAM_READ_TIMEOUT_SECONDS="1")
    with httpx.Client(base_url=gateway.url, timeout=10) as client:
        tasks.pause()
        try:
            started = time.monotonic()
            response = client.get(f"/api/{account.user_id}/tasks", headers=account.headers)
            elapsed = time.monotonic() - started
        finally:
            tasks.resume()
    assert response.status_code == 504
    assert response.json()["code"] == "gateway_timeout"
    assert 0.9 <= elapsed < 3.0


def test_redis_unreachable_makes_tasks_503(
    system: System, launcher: Launcher, sign_up: SignUp, own_redis: RedisProcess
) -> None:
    account = sign_up()
    own_redis.mark_indexed()  # no auth service writes this Redis: stand in for its sync
    tasks = launcher.tasks(REDIS_URL=own_redis.url)
    gateway = launcher.gateway(system.auth, tasks)
    with httpx.Client(base_url=gateway.url, timeout=10) as client:
        path = f"/api/{account.user_id}/tasks"
        assert client.get(path, headers=account.headers).status_code == 200
        own_redis.stop()
        response = client.get(path, headers=account.headers)
    # Fail closed: a token whose revocation cannot be checked is not accepted.
    assert response.status_code == 503, response.text
    body = response.json()
    assert body["detail"] == body["message"]


def test_readyz_at_the_gateway_names_the_service_and_what_it_lost(
    system: System, launcher: Launcher, own_redis: RedisProcess
) -> None:
    own_redis.mark_indexed()  # no auth service writes this Redis: stand in for its sync
    tasks = launcher.tasks(REDIS_URL=own_redis.url)
    gateway = launcher.gateway(system.auth, tasks, READY_TIMEOUT_SECONDS="3")
    with httpx.Client(base_url=gateway.url, timeout=10) as client:
        assert client.get("/readyz").status_code == 200
        own_redis.stop()
        response = client.get("/readyz")
        live = client.get("/healthz")
    # The gateway asks each service's own /readyz, which checks its Redis and PostgreSQL.
    assert response.status_code == 503, response.text
    assert response.json()["code"] == "not_ready"
    # In the service's own words, which name each of its checks that failed (Redis, and the denylist in it).
    detail = response.json()["detail"]
    assert detail.startswith("Not ready: tasks (") and "redis" in detail and "auth" not in detail, detail
    assert live.status_code == 200  # liveness is the process alone
