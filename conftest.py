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
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest
import redis

# pytest's importlib mode names gateway/tests/* "gateway.tests.*" and, were "gateway" not yet imported, would
# make the bare gateway/ directory the "gateway" module, hiding the real package from those tests.
import gateway  # noqa: F401
from todo_shared.denylist import ready_keys

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


class RedisProcess:
    """A redis-server of the test's own, which the test may stop, restart or flush (never the machine's)."""

    def __init__(self, binary: str) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._args = [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start it (empty: it keeps nothing on disk) and wait until it answers."""
        self.process = subprocess.Popen(self._args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        with redis.Redis.from_url(self.url) as client:
            while True:
                try:
                    client.ping()
                    return
                except redis.ConnectionError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.05)

    def stop(self) -> None:
        """Stop the server; later calls against it fail to connect."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def restart(self) -> None:
        """Stop it and start it again on the same port, empty, as a Redis without persistence comes back."""
        self.stop()
        self.start()

    def mark_indexed(self) -> None:
        """Mark its denylist complete, as auth would, for tests that run no auth service."""
        mark_denylist_complete(self.url)


@pytest.fixture
def own_redis() -> Iterator[RedisProcess]:
    """Start a private redis-server on a free port for a fault test."""
    binary = shutil.which("redis-server")
    if binary is None:
        _unavailable("redis-server binary")
        raise AssertionError("unreachable")
    server = RedisProcess(binary)
    try:
        server.start()
        yield server
    finally:
        server.stop()


def _postgres_bindir() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


class PostgresProcess:
    """A PostgreSQL server of the test's own, in a temporary directory, which the test may stop and restart."""

    def __init__(self, bindir: Path, root: Path) -> None:
        self._bindir, self._data, self._log = bindir, root / "data", root / "server.log"
        self.port = free_port()
        self.server_url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        # PostgreSQL refuses to run as root: as root, run its tools as the postgres user.
        self._as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {root} -c fsync=off -c full_page_writes=off"
        self._ctl = [*self._as, str(bindir / "pg_ctl"), "-D", str(self._data), "-l", str(self._log), "-o", options]

    def database_url(self, name: str) -> str:
        """The SQLAlchemy asyncpg URL of database ``name`` on this server."""
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{name}"

    def init(self) -> None:
        """Create the cluster (trust authentication, superuser ``postgres``)."""
        initdb = [str(self._bindir / "initdb"), "-D", str(self._data), "-U", "postgres", "--auth=trust", "-E", "UTF8"]
        subprocess.run([*self._as, *initdb], check=True, capture_output=True)

    def start(self) -> None:
        """Start it and wait until it accepts connections."""
        subprocess.run([*self._ctl, "-w", "start"], check=True, capture_output=True)

    def stop(self) -> None:
        """Stop it at once (``-m fast``: open connections are cut, as in an outage)."""
        subprocess.run([*self._ctl, "-m", "fast", "-w", "stop"], check=False, capture_output=True)

    def restart(self) -> None:
        """Stop it and start it again on the same port, its data kept."""
        self.stop()
        self.start()


@pytest.fixture
def own_postgres() -> Iterator[PostgresProcess]:
    """Start a private PostgreSQL on a free port for a fault test (the machine's own is never stopped)."""
    bindir = _postgres_bindir()
    if bindir is None:
        _unavailable("postgresql server binaries")
        raise AssertionError("unreachable")
    # Not under pytest's tmp_path: its parents are private to root, and the server runs as postgres.
    root = Path(tempfile.mkdtemp(prefix="todo-postgres-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
    server = PostgresProcess(bindir, root)
    server.init()
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


def mark_denylist_complete(url: str) -> None:
    """Mark a Redis's denylist complete, as auth's sync does once it has indexed PostgreSQL's record."""
    with redis.Redis.from_url(url) as client:
        client.mset(dict.fromkeys(ready_keys(), "1"))


@pytest.fixture(scope="session")
def indexed_redis_url(redis_url: str) -> str:
    """The test Redis with the denylist marked complete, for tests that run no auth service."""
    mark_denylist_complete(redis_url)
    return redis_url


@pytest.fixture
def dead_redis_url() -> str:
    """A Redis URL where nothing listens."""
    return f"redis://127.0.0.1:{free_port()}/0"
