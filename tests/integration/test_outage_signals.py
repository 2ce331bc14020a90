"""Every 503 an outage causes is seen: one log line naming its cause, with the request id, and a metric.

Each case runs a service of its own, breaks one dependency under it, and reads what an operator would: the
process's log and its ``/metrics``.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import asyncpg
import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

if TYPE_CHECKING:
    from conftest import RedisProcess
    from tests.conftest import Launcher, Server, SignUp

pytestmark = pytest.mark.integration

PASSWORD = "correct horse battery staple"


def _metric(server: Server, name: str, **labels: str) -> float:
    assert server.metrics_url is not None
    for family in text_string_to_metric_families(httpx.get(server.metrics_url, timeout=5).text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return float(sample.value)
    return 0.0


def _cause_logged(server: Server, response: httpx.Response) -> str:
    """The one WARNING line the 503 left, found by its request id."""
    request_id = response.headers["X-Request-ID"]
    lines = [json.loads(line) for line in server.log.read_text().splitlines() if line.startswith("{")]
    mine = [line for line in lines if line.get("request_id") == request_id and line["level"] in {"WARNING", "ERROR"}]
    assert len(mine) == 1, f"expected one line for {request_id}, got {mine}"
    message: str = mine[0]["message"]
    return message


def _assert_outage(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.json()["code"] == "service_unavailable"


def test_tasks_with_redis_down_logs_the_connection_error_and_counts_it(
    launcher: Launcher, own_redis: RedisProcess, sign_up: SignUp
) -> None:
    account = sign_up()
    own_redis.mark_indexed()
    tasks = launcher.tasks(REDIS_URL=own_redis.url)
    own_redis.stop()
    response = httpx.get(f"{tasks.url}/api/{account.user_id}/tasks", headers=account.headers)
    _assert_outage(response)
    assert "ConnectionError" in _cause_logged(tasks, response)
    assert _metric(tasks, "todo_dependency_errors_total", dependency="redis", error="ConnectionError") >= 1
    assert _metric(tasks, "todo_denylist_checks_total", outcome="unavailable") >= 1


@contextmanager
def _table_locked(database_url: str) -> Iterator[None]:
    """Hold an exclusive lock on the tasks table, so every statement on it waits."""
    loop = asyncio.new_event_loop()
    conn = loop.run_until_complete(asyncpg.connect(database_url.replace("postgresql+asyncpg", "postgresql")))
    try:
        loop.run_until_complete(conn.execute("BEGIN; LOCK TABLE tasks IN ACCESS EXCLUSIVE MODE"))
        yield
    finally:
        loop.run_until_complete(conn.close())
        loop.close()


def test_tasks_past_its_command_timeout_logs_the_timeout_and_counts_it(launcher: Launcher, sign_up: SignUp) -> None:
    account = sign_up()
    tasks = launcher.tasks(DB_COMMAND_TIMEOUT_SECONDS="1")
    with _table_locked(launcher.database_urls["tasks"]):
        response = httpx.get(f"{tasks.url}/api/{account.user_id}/tasks", headers=account.headers, timeout=10)
    _assert_outage(response)
    assert "TimeoutError" in _cause_logged(tasks, response)
    assert _metric(tasks, "todo_dependency_errors_total", dependency="postgres", error="TimeoutError") >= 1


def test_auth_with_redis_down_logs_the_connection_error_and_counts_it(
    launcher: Launcher, own_redis: RedisProcess
) -> None:
    auth = launcher.auth(REDIS_URL=own_redis.url)
    own_redis.stop()
    response = httpx.post(f"{auth.url}/api/auth/login", json={"email": "a@example.com", "password": PASSWORD})
    _assert_outage(response)
    assert "ConnectionError" in _cause_logged(auth, response)
    assert _metric(auth, "todo_dependency_errors_total", dependency="redis", error="ConnectionError") >= 1


def test_auth_with_its_database_down_logs_the_refusal_and_counts_it(launcher: Launcher) -> None:
    dead = launcher.database_urls["auth"].rsplit("@", 1)[0] + "@127.0.0.1:1/auth"
    auth = launcher.auth(DATABASE_URL=dead)
    response = httpx.post(f"{auth.url}/api/auth/login", json={"email": "a@example.com", "password": PASSWORD})
    _assert_outage(response)
    assert "ConnectionRefusedError" in _cause_logged(auth, response)
    assert _metric(auth, "todo_dependency_errors_total", dependency="postgres", error="ConnectionRefusedError") >= 1
