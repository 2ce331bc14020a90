"""Revocation through faults, on a Redis and a PostgreSQL of the test's own, every call through a gateway.

PostgreSQL is the record of every revocation and the Redis denylist an index of it: a revoked token must never
pass again, whatever Redis loses, and no call may answer success for a revocation that was not recorded.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import httpx
import pytest
import redis

from tests.conftest import PASSWORD, Launcher, Server, migrate, until

if TYPE_CHECKING:
    from conftest import PostgresProcess, RedisProcess

pytestmark = pytest.mark.integration


@dataclass
class Stack:
    """Auth, tasks and a gateway of one test's own."""

    auth: Server
    tasks: Server
    client: httpx.Client

    def sign_up(self) -> dict[str, str]:
        email = f"user-{uuid.uuid4().hex[:12]}@example.com"
        response = self.client.post("/api/auth/signup", json={"email": email, "password": PASSWORD})
        assert response.status_code == 201, response.text
        body = response.json()
        return {"id": body["user"]["id"], "access": body["access_token"], "refresh": body["refresh_token"]}

    def tasks_status(self, user: dict[str, str]) -> int:
        headers = {"Authorization": f"Bearer {user['access']}"}
        return self.client.get(f"/api/{user['id']}/tasks", headers=headers).status_code

    def call(self, path: str, user: dict[str, str]) -> httpx.Response:
        if path == "/api/auth/refresh":
            return self.client.post(path, json={"refresh_token": user["refresh"]})
        return self.client.post(path, headers={"Authorization": f"Bearer {user['access']}"})


def _stack(launcher: Launcher, *, auth_env: dict[str, str], tasks_env: dict[str, str]) -> Iterator[Stack]:
    auth, tasks = launcher.auth(**auth_env), launcher.tasks(**tasks_env)
    gateway = launcher.gateway(auth, tasks)
    with httpx.Client(base_url=gateway.url, timeout=10) as client:
        stack = Stack(auth, tasks, client)
        # Tasks trusts the denylist only once auth has indexed the record into it.
        until(lambda: httpx.get(f"{tasks.url}/readyz").status_code == 200, 10)
        yield stack


@pytest.fixture
def redis_stack(launcher: Launcher, own_redis: RedisProcess) -> Iterator[Stack]:
    """The system on a Redis the test may stop, restart and flush."""
    env = {"REDIS_URL": own_redis.url}
    yield from _stack(launcher, auth_env=env, tasks_env=env)


@pytest.fixture
def postgres_stack(launcher: Launcher, own_postgres: PostgresProcess) -> Iterator[Stack]:
    """The system with auth's database on a PostgreSQL the test may stop."""
    url = own_postgres.database_url("auth")
    migrate("auth", url)  # auth's migrations create the database too
    yield from _stack(launcher, auth_env={"DATABASE_URL": url}, tasks_env={})


class Poller:
    """Calls the tasks API with one token, again and again, in a thread, recording every status."""

    def __init__(self, stack: Stack, user: dict[str, str]) -> None:
        self.statuses: list[int] = []
        self._stack, self._user = stack, user
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        with httpx.Client(base_url=str(self._stack.client.base_url), timeout=10) as client:
            headers = {"Authorization": f"Bearer {self._user['access']}"}
            while not self._stop.is_set():
                self.statuses.append(client.get(f"/api/{self._user['id']}/tasks", headers=headers).status_code)
                time.sleep(0.02)

    def __enter__(self) -> Poller:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(timeout=15)


@pytest.mark.parametrize("loss", ["restart", "flush"])
def test_a_revoked_token_never_passes_again_when_redis_loses_the_denylist(
    redis_stack: Stack, own_redis: RedisProcess, loss: str
) -> None:
    revoked, live = redis_stack.sign_up(), redis_stack.sign_up()
    assert redis_stack.call("/api/auth/logout", revoked).status_code == 200
    assert redis_stack.tasks_status(revoked) == 401
    started = time.monotonic()
    with Poller(redis_stack, revoked) as poller:
        time.sleep(1)
        if loss == "restart":
            own_redis.stop()
            assert httpx.get(f"{redis_stack.tasks.url}/readyz").status_code == 503
            assert httpx.get(f"{redis_stack.auth.url}/readyz").status_code == 503
            time.sleep(1)
            own_redis.start()  # empty, as a Redis without persistence comes back
        else:
            with redis.Redis.from_url(own_redis.url) as admin:
                admin.flushall()
        back = until(lambda: redis_stack.tasks_status(live) == 200, 20)
        time.sleep(max(0.0, 20 - (time.monotonic() - started)))
    assert back <= 5, f"a live token took {back:.1f} s to pass again"
    assert 200 not in poller.statuses, poller.statuses
    assert set(poller.statuses) <= {401, 503}
    assert len(poller.statuses) > 100


def test_a_logout_while_redis_is_down_is_503_and_takes_effect_when_redis_is_back_without_a_retry(
    redis_stack: Stack, own_redis: RedisProcess
) -> None:
    user = redis_stack.sign_up()
    own_redis.stop()
    response = redis_stack.call("/api/auth/logout", user)
    assert response.status_code == 503, response.text
    assert response.json()["code"] == "service_unavailable"
    own_redis.start()
    until(lambda: redis_stack.tasks_status(user) == 401, 10)
    assert redis_stack.call("/api/auth/refresh", user).status_code == 401


@pytest.mark.parametrize("path", ["/api/auth/logout", "/api/auth/logout-all", "/api/auth/refresh"])
def test_a_call_while_postgres_is_down_answers_no_success_and_the_session_ends_revoked_after_a_retry(
    postgres_stack: Stack, own_postgres: PostgresProcess, path: str
) -> None:
    user = postgres_stack.sign_up()
    own_postgres.stop()
    try:
        failed = postgres_stack.call(path, user)
        assert failed.status_code == 503, failed.text
        assert failed.json()["code"] == "service_unavailable"
        assert postgres_stack.call("/api/auth/refresh", user).status_code == 503
    finally:
        own_postgres.start()
    retried = postgres_stack.call(path, user)
    assert retried.status_code == 200, retried.text
    if path == "/api/auth/refresh":
        # The failed refresh spent nothing: the retry got a new pair, which a logout then ends.
        user = {**user, "access": retried.json()["access_token"], "refresh": retried.json()["refresh_token"]}
        assert postgres_stack.call("/api/auth/logout", user).status_code == 200
    assert postgres_stack.tasks_status(user) == 401
    assert postgres_stack.call("/api/auth/refresh", user).status_code == 401
