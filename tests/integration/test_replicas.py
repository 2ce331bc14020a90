"""Two replicas of each service behind one gateway: a crash loses nothing, and limits and revocation stay exact.

Every process runs its Procfile line, the replicas of a service on the session's one database and Redis, as
replicas in a cluster share theirs. Rate limits, revocation and sessions live there, not in a process, so what
one replica decides, the other one sees on its next request.
"""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import asyncpg
import httpx
import pytest

if TYPE_CHECKING:
    from tests.conftest import Account, Launcher, Server, SignUp

pytestmark = pytest.mark.integration

PASSWORD = "correct horse battery staple"


@dataclass
class Load:
    """What the load threads saw: every task a 201 accepted, and every other answer."""

    accepted: list[int] = field(default_factory=list)  # task ids
    refused_writes: list[int] = field(default_factory=list)
    failed_reads: list[str] = field(default_factory=list)
    reads: int = 0
    stop: threading.Event = field(default_factory=threading.Event)


def _writer(url: str, account: Account, load: Load) -> None:
    with httpx.Client(base_url=url, timeout=10, headers=account.headers) as client:
        while not load.stop.is_set():
            response = client.post(f"/api/{account.user_id}/tasks", json={"title": f"t-{uuid.uuid4().hex[:8]}"})
            if response.status_code == 201:
                load.accepted.append(response.json()["id"])
            else:  # a POST on the killed replica may fail (never retried); it must not be lost once accepted
                load.refused_writes.append(response.status_code)


def _reader(url: str, account: Account, task_id: int, load: Load) -> None:
    """Idempotent requests on both services: list, read one, replace one, and auth's /me."""
    base = f"/api/{account.user_id}/tasks"
    with httpx.Client(base_url=url, timeout=10, headers=account.headers) as client:
        while not load.stop.is_set():
            for method, path, body in (
                ("GET", base, None),
                ("GET", f"{base}/{task_id}", None),
                ("PUT", f"{base}/{task_id}", {"title": "replaced"}),
                ("GET", "/api/auth/me", None),
            ):
                response = client.request(method, path, json=body)
                load.reads += 1
                if response.status_code != 200:
                    load.failed_reads.append(f"{method} {path}: {response.status_code} {response.text[:200]}")


def _wait_for(condition: str, predicate: Callable[[], bool], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {condition}"
        time.sleep(0.05)


def _metric(server: Server, line_start: str) -> float:
    assert server.metrics_url is not None
    for line in httpx.get(server.metrics_url, timeout=5).text.splitlines():
        if line.startswith(line_start):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


async def _stored(database_url: str, ids: list[int]) -> set[int]:
    conn = await asyncpg.connect(database_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        rows = await conn.fetch("SELECT id FROM tasks WHERE id = ANY($1::bigint[])", ids)
    finally:
        await conn.close()
    return {row[0] for row in rows}


def test_a_replica_of_each_service_killed_mid_load_loses_no_write_and_fails_no_idempotent_request(
    launcher: Launcher, sign_up: SignUp
) -> None:
    auths, tasks = [launcher.auth(), launcher.auth()], [launcher.tasks(), launcher.tasks()]
    gateway = launcher.gateway(auths, tasks)
    writers, readers = [sign_up(), sign_up()], [sign_up(), sign_up()]
    own_tasks = []
    for account in readers:
        made = httpx.post(
            f"{gateway.url}/api/{account.user_id}/tasks", json={"title": "read me"}, headers=account.headers
        )
        assert made.status_code == 201, made.text
        own_tasks.append(made.json()["id"])

    load = Load()
    threads = [threading.Thread(target=_writer, args=(gateway.url, a, load)) for a in writers]
    threads += [
        threading.Thread(target=_reader, args=(gateway.url, a, t, load))
        for a, t in zip(readers, own_tasks, strict=True)
    ]
    for thread in threads:
        thread.start()
    try:
        _wait_for("load on every replica", lambda: len(load.accepted) >= 40 and load.reads >= 40)
        auths[0].kill()
        tasks[0].kill()
        before = (len(load.accepted), load.reads)
        _wait_for("load after the crash", lambda: len(load.accepted) >= before[0] + 40 and load.reads >= before[1] + 40)
    finally:
        load.stop.set()
        for thread in threads:
            thread.join(timeout=30)

    assert load.failed_reads == []
    assert asyncio.run(_stored(launcher.database_urls["tasks"], load.accepted)) == set(load.accepted)
    assert set(load.refused_writes) <= {502}
    # The gateway felt both crashes: each killed replica refused a connection and was taken out of service.
    for name, server in (("auth", auths[0]), ("tasks", tasks[0])):
        ejections = f'todo_gateway_ejections_total{{replica="{server.url}",upstream="{name}"}}'
        assert _metric(gateway, ejections) >= 1


def test_the_failed_login_limit_holds_across_two_auth_replicas(launcher: Launcher, sign_up: SignUp) -> None:
    account = sign_up()
    replicas = [launcher.auth(), launcher.auth()]
    wrong = [
        httpx.post(
            f"{replicas[i % 2].url}/api/auth/login",
            json={"email": account.email, "password": f"wrong-{i}-xxxxx"},
            timeout=10,
        ).status_code
        for i in range(10)
    ]
    assert wrong == [401] * 10  # five failures on each replica
    # The limit is 10 failures per email and client, counted in Redis: both replicas now refuse, even the right one.
    for replica in replicas:
        right = httpx.post(
            f"{replica.url}/api/auth/login", json={"email": account.email, "password": PASSWORD}, timeout=10
        )
        assert right.status_code == 429, right.text
        assert right.json()["code"] == "rate_limited"


def test_a_logout_on_one_auth_replica_is_refused_by_every_replica_on_the_next_request(
    launcher: Launcher, sign_up: SignUp
) -> None:
    account = sign_up()
    auths, tasks = [launcher.auth(), launcher.auth()], [launcher.tasks(), launcher.tasks()]
    path = f"/api/{account.user_id}/tasks"
    for replica in tasks:
        assert httpx.get(f"{replica.url}{path}", headers=account.headers, timeout=10).status_code == 200
    assert httpx.get(f"{auths[1].url}/api/auth/me", headers=account.headers, timeout=10).status_code == 200

    logout = httpx.post(f"{auths[0].url}/api/auth/logout", headers=account.headers, timeout=10)
    assert logout.status_code == 200, logout.text

    for replica in tasks:
        refused = httpx.get(f"{replica.url}{path}", headers=account.headers, timeout=10)
        assert (refused.status_code, refused.json()["code"]) == (401, "token_revoked")
    refused = httpx.get(f"{auths[1].url}/api/auth/me", headers=account.headers, timeout=10)
    assert (refused.status_code, refused.json()["code"]) == (401, "token_revoked")
