"""Infrastructure for every test in the repo: real PostgreSQL and Redis, never mocks.

Each comes from, in order: ``TEST_DATABASE_URL`` / ``TEST_REDIS_URL``; a testcontainers container when a
Docker engine answers; the default local port when a server listens there. Otherwise the tests that need it
skip, except under CI (``CI=true``), where a missing service fails the run.
"""

from __future__ import annotations

import asyncio
import functools
import os
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, closing
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest
import redis

# pytest's importlib mode names gateway/tests/* "gateway.tests.*" and, were "gateway" not yet imported, would
# make the bare gateway/ directory the "gateway" module, hiding the real package from those tests.
import gateway  # noqa: F401

ON_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def free_port() -> int:
    """Ask the kernel for a TCP port nobody listens on."""
    with closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _listening(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


@functools.cache
def _docker_answers() -> bool:
    # A raw /_ping: the docker SDK leaks a socket (a ResourceWarning, so an error here) when no engine runs.
    parts = urlsplit(os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock"))
    unix = parts.scheme == "unix"
    try:
        with socket.socket(socket.AF_UNIX if unix else socket.AF_INET) as sock:
            sock.settimeout(2)
            sock.connect(parts.path if unix else (parts.hostname or "127.0.0.1", parts.port or 2375))
            sock.sendall(b"GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n")
            return sock.recv(64).split(b" ", 2)[1:2] == [b"200"]
    except OSError:
        return False


def _unavailable(what: str) -> None:
    reason = f"{what} not reachable: set TEST_{what.upper()}_URL, start a Docker engine, or run it locally"
    if ON_CI:
        pytest.fail(reason + " (CI: a missing service is a failure, not a skip)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str]:
    """A PostgreSQL server URL (``postgresql://user@host:port/db``) whose user may create databases."""
    if url := os.environ.get("TEST_DATABASE_URL"):
        yield url.replace("postgresql+asyncpg://", "postgresql://")
    elif _docker_answers():
        from testcontainers.community.postgres import PostgresContainer

        with PostgresContainer("postgres:15-alpine", driver=None) as pg:
            yield pg.get_connection_url()
    elif _listening("127.0.0.1", 5432):
        yield "postgresql://postgres@127.0.0.1:5432/postgres"
    else:
        _unavailable("database")


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A Redis URL shared by the test session (tests use unique keys, so they never flush it)."""
    if url := os.environ.get("TEST_REDIS_URL"):
        yield url
    elif _docker_answers():
        from testcontainers.community.redis import RedisContainer

        with RedisContainer("redis:7-alpine") as r:
            yield f"redis://{r.get_container_host_ip()}:{r.get_exposed_port(6379)}/0"
    elif _listening("127.0.0.1", 6379):
        yield "redis://127.0.0.1:6379/0"
    else:
        _unavailable("redis")


async def _admin(server_url: str, sql: str) -> None:
    conn = await asyncpg.connect(server_url)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def create_database(postgres_server_url: str) -> Iterator[Callable[[str], str]]:
    """Make throwaway databases for this session; returns their SQLAlchemy asyncpg URLs. Dropped at the end."""
    made: list[str] = []

    def make(prefix: str) -> str:
        name = f"test_{prefix}_{uuid.uuid4().hex[:12]}"
        asyncio.run(_admin(postgres_server_url, f'CREATE DATABASE "{name}"'))
        made.append(name)
        parts = urlsplit(postgres_server_url)
        return urlunsplit(parts._replace(scheme="postgresql+asyncpg", path=f"/{name}"))

    yield make
    for name in made:
        asyncio.run(_admin(postgres_server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@dataclass
class RedisProcess:
    """A redis-server of the test's own, which the test may stop (never the machine's)."""

    url: str
    process: subprocess.Popen[bytes]

    def stop(self) -> None:
        """Stop the server; later calls against it fail to connect."""
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture
def own_redis() -> Iterator[RedisProcess]:
    """Start a private redis-server on a free port for a fault test."""
    binary = shutil.which("redis-server")
    if binary is None:
        _unavailable("redis-server binary")
        raise AssertionError("unreachable")
    port = free_port()
    args = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with ExitStack() as stack:
        server = RedisProcess(url=f"redis://127.0.0.1:{port}/0", process=proc)
        stack.callback(server.stop)
        deadline = time.monotonic() + 10
        client = redis.Redis.from_url(server.url)
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        client.close()
        yield server


@pytest.fixture
def dead_redis_url() -> str:
    """A Redis URL where nothing listens."""
    return f"redis://127.0.0.1:{free_port()}/0"
