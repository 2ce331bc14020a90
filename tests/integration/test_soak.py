"""A generous run: 50 clients through the gateway for a minute, Redis and PostgreSQL restarted under them.

Nothing acknowledged may be lost, and nothing may fail with a 500: outages are 503s (or the gateway's 502/504),
and every write that got a 2xx is there afterwards.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import asyncpg
import httpx
import pytest

from tests.conftest import PASSWORD, migrate

if TYPE_CHECKING:
    from conftest import PostgresProcess, RedisProcess
    from tests.conftest import Launcher

pytestmark = pytest.mark.integration

CLIENTS = 50
SECONDS = 60.0
OUTAGE_SECONDS = 3.0
FAULTS = {"redis": 15.0, "postgres": 35.0}  # when each dependency is restarted, seconds into the run
OUTAGE_STATUSES = {502, 503, 504}


@dataclass
class Expected:
    """What the acknowledged writes say a task must look like; ``None`` where a write's fate is unknown."""

    title: str | None
    completed: bool | None
    deleted: bool | None = False


@dataclass
class Client:
    """One user of the system, with the book of what the server acknowledged."""

    http: httpx.AsyncClient
    email: str = field(default_factory=lambda: f"soak-{uuid.uuid4().hex[:12]}@example.com")
    user_id: str = ""
    token: str = ""
    refresh: str = ""
    tasks: dict[int, Expected] = field(default_factory=dict)
    statuses: Counter[int] = field(default_factory=Counter)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    async def send(self, method: str, path: str, **kwargs: Any) -> httpx.Response | None:
        try:
            response = await self.http.request(method, path, **kwargs)
        except httpx.TransportError:
            self.statuses[0] += 1
            return None
        self.statuses[response.status_code] += 1
        if response.status_code == 401:
            self.token = ""  # signed out (or its token refused): sign in again
        return response

    async def sign_in(self, path: str) -> bool:
        response = await self.send("POST", path, json={"email": self.email, "password": PASSWORD})
        if response is None or not response.is_success:
            return False
        body = response.json()
        self.user_id, self.token, self.refresh = body["user"]["id"], body["access_token"], body["refresh_token"]
        return True

    def unsure(self, task_id: int) -> None:
        self.tasks[task_id] = Expected(title=None, completed=None, deleted=None)

    async def step(self) -> None:
        """One random call of a front end's day, booking what was acknowledged."""
        base = f"/api/{self.user_id}/tasks"
        mine = [i for i, t in self.tasks.items() if t.deleted is False]
        roll = random.random()
        if roll < 0.35 or not mine:
            title = f"task {uuid.uuid4().hex[:8]}"
            response = await self.send("POST", base, json={"title": title}, headers=self.headers)
            if response is not None and response.status_code == 201:
                self.tasks[response.json()["id"]] = Expected(title=title, completed=False)
            return
        task_id = random.choice(mine)
        if roll < 0.55:
            await self.send("GET", base, params={"limit": 20}, headers=self.headers)
        elif roll < 0.65:
            await self.send("GET", f"{base}/{task_id}", headers=self.headers)
        elif roll < 0.75:
            response = await self.send("PATCH", f"{base}/{task_id}/complete", headers=self.headers)
            self._book(task_id, response, lambda body: {"completed": body["completed"]})
        elif roll < 0.85:
            title = f"renamed {uuid.uuid4().hex[:8]}"
            response = await self.send("PUT", f"{base}/{task_id}", json={"title": title}, headers=self.headers)
            self._book(task_id, response, lambda _: {"title": title})
        elif roll < 0.95:
            response = await self.send("DELETE", f"{base}/{task_id}", headers=self.headers)
            self._book(task_id, response, lambda _: {"deleted": True})
        elif roll < 0.98:
            response = await self.send("POST", "/api/auth/refresh", json={"refresh_token": self.refresh})
            if response is not None and response.is_success:
                self.token, self.refresh = response.json()["access_token"], response.json()["refresh_token"]
        else:
            await self.send("POST", "/api/auth/logout", headers=self.headers)
            self.token = ""

    def _book(self, task_id: int, response: httpx.Response | None, change: Any) -> None:
        if response is not None and response.status_code == 200:
            expected = self.tasks[task_id]
            if expected.deleted is False:
                for key, value in change(response.json()).items():
                    setattr(expected, key, value)
        elif response is None or response.status_code >= 500:
            self.unsure(task_id)  # it may or may not have happened

    async def run(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            if not self.token and not await self.sign_in("/api/auth/login"):
                await asyncio.sleep(0.2)
                continue
            await self.step()
            await asyncio.sleep(random.uniform(0.01, 0.05))

    async def check(self) -> list[str]:
        """Compare every acknowledged write with what the server holds now."""
        assert await self.sign_in("/api/auth/login")
        held: dict[int, dict[str, Any]] = {}
        offset = 0
        while True:
            params = {"limit": 100, "offset": offset}
            response = await self.http.get(f"/api/{self.user_id}/tasks", params=params, headers=self.headers)
            assert response.status_code == 200, response.text
            page = response.json()
            held.update((t["id"], t) for t in page)
            offset += len(page)
            if len(page) < 100:
                break
        problems = []
        for task_id, expected in self.tasks.items():
            task = held.get(task_id)
            if expected.deleted is True and task is not None:
                problems.append(f"{task_id}: deleted with a 200, still there")
            elif expected.deleted is False and task is None:
                problems.append(f"{task_id}: created with a 201, gone")
            elif expected.deleted is False and task is not None:
                if expected.title is not None and task["title"] != expected.title:
                    problems.append(f"{task_id}: title {task['title']!r}, acknowledged {expected.title!r}")
                if expected.completed is not None and task["completed"] != expected.completed:
                    problems.append(f"{task_id}: completed {task['completed']}, acknowledged {expected.completed}")
        return problems


async def _create_database(server_url: str, name: str) -> None:
    conn = await asyncpg.connect(server_url)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


async def _outages(own_redis: RedisProcess, own_postgres: PostgresProcess, started: float) -> None:
    for name, at in sorted(FAULTS.items(), key=lambda item: item[1]):
        await asyncio.sleep(max(0.0, started + at - time.monotonic()))
        server = own_redis if name == "redis" else own_postgres
        await asyncio.to_thread(server.stop)
        await asyncio.sleep(OUTAGE_SECONDS)
        await asyncio.to_thread(server.start)


def test_fifty_clients_lose_nothing_acknowledged_through_a_redis_and_a_postgres_restart(
    launcher: Launcher, own_redis: RedisProcess, own_postgres: PostgresProcess
) -> None:
    asyncio.run(_create_database(own_postgres.server_url, "tasks"))
    urls = {name: own_postgres.database_url(name) for name in ("auth", "tasks")}
    for name, url in urls.items():
        migrate(name, url)
    # Cheap hashes and a roomy per-IP limit: every client signs in from 127.0.0.1, and the run measures faults.
    common = {"REDIS_URL": own_redis.url}
    auth = launcher.auth(
        DATABASE_URL=urls["auth"],
        ARGON2_TIME_COST="1",
        ARGON2_MEMORY_COST="1024",
        ARGON2_PARALLELISM="1",
        LOGIN_IP_LIMIT="100000 per minute",
        **common,
    )
    tasks = launcher.tasks(DATABASE_URL=urls["tasks"], **common)
    gateway = launcher.gateway(auth, tasks)

    async def run() -> list[Client]:
        limits = httpx.Limits(max_connections=CLIENTS, max_keepalive_connections=CLIENTS)
        async with httpx.AsyncClient(base_url=gateway.url, timeout=30, limits=limits) as http:
            clients = [Client(http) for _ in range(CLIENTS)]
            for client in clients:
                response = await http.post("/api/auth/signup", json={"email": client.email, "password": PASSWORD})
                assert response.status_code == 201, response.text
            started = time.monotonic()
            await asyncio.gather(
                _outages(own_redis, own_postgres, started), *(c.run(started + SECONDS) for c in clients)
            )
            await asyncio.sleep(2)  # let the last outage's rebuild settle before checking
            problems = [p for c in clients for p in await c.check()]
            assert not problems, problems[:20]
            return clients

    clients = asyncio.run(run())
    statuses = sum((c.statuses for c in clients), Counter[int]())
    unexpected = {s: n for s, n in statuses.items() if s >= 500 and s not in OUTAGE_STATUSES}
    assert not unexpected, f"server errors: {unexpected} (all statuses: {dict(statuses)})"
    assert statuses[0] == 0, f"{statuses[0]} requests got no answer"
    assert sum(n for s, n in statuses.items() if 200 <= s < 300) > 2000, dict(statuses)
    assert sum(len(c.tasks) for c in clients) > 500
