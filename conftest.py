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


class RedisClusterProcess:
    """A Redis Cluster of the test's own: three primaries and a replica each, in a temporary directory, with a
    one-second node timeout so a killed primary's replica takes over within seconds."""

    SIZE = 6

    def __init__(self, binary: str, root: Path) -> None:
        self._binary, self._root = binary, root
        ports: set[int] = set()
        while len(ports) < 2 * self.SIZE:  # the kernel may hand the same free port out twice
            ports.add(free_port())
        self.ports, bus = sorted(ports)[: self.SIZE], sorted(ports)[self.SIZE :]
        # The cluster bus defaults to port + 10000, which may not exist or be free: each node gets its own.
        self._bus_ports = dict(zip(self.ports, bus, strict=True))
        self.processes: dict[int, subprocess.Popen[bytes]] = {}
        self.url = "redis+cluster://" + ",".join(f"127.0.0.1:{p}" for p in self.ports)

    def start_node(self, port: int) -> None:
        """Start (or restart, its cluster identity kept in its nodes file, its data gone) the node on ``port``."""
        args = [self._binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(self._root)]
        args += ["--cluster-enabled", "yes", "--cluster-config-file", f"nodes-{port}.conf"]
        args += [
            "--cluster-port",
            str(self._bus_ports[port]),
            "--cluster-node-timeout",
            "1000",
            "--save",
            "",
            "--appendonly",
            "no",
        ]
        self.processes[port] = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait(lambda: self._answers(port), 10, f"redis cluster node {port} did not start")

    def create(self) -> None:
        """Start every node, join them (``redis-cli --cluster create``), and wait until the cluster is ok."""
        for port in self.ports:
            self.start_node(port)
        nodes = [f"127.0.0.1:{p}" for p in self.ports]
        argv = ["redis-cli", "--cluster", "create", *nodes, "--cluster-replicas", "1", "--cluster-yes"]
        subprocess.run(argv, check=True, capture_output=True, timeout=60)
        self.wait_ok()

    def _answers(self, port: int) -> bool:
        try:
            with redis.Redis(port=port, socket_timeout=1) as client:
                return bool(client.ping())
        except redis.RedisError:
            return False

    def _info(self, port: int) -> str:
        with redis.Redis(port=port, socket_timeout=1, decode_responses=True) as client:
            return str(client.execute_command("CLUSTER", "INFO"))

    def wait_ok(self, seconds: float = 30) -> None:
        """Wait until every running node says ``cluster_state:ok`` and every slot has a primary that answers."""

        def ok() -> bool:
            try:
                return all("cluster_state:ok" in self._info(p) for p in self.running())
            except redis.RedisError:
                return False

        _wait(ok, seconds, "the Redis Cluster did not reach cluster_state:ok")

    def running(self) -> list[int]:
        """The ports whose node process is alive."""
        return [p for p, proc in self.processes.items() if proc.poll() is None]

    def shards(self) -> dict[int, list[int]]:
        """Each primary's port and its replicas' ports, as the cluster sees it now."""
        with redis.Redis(port=self.running()[0], socket_timeout=1, decode_responses=True) as client:
            lines = str(client.execute_command("CLUSTER", "NODES")).splitlines()
        by_id = {line.split()[0]: line.split() for line in lines}
        port = {node_id: int(f[1].split("@")[0].rsplit(":", 1)[1]) for node_id, f in by_id.items()}
        shards: dict[int, list[int]] = {
            port[i]: [] for i, f in by_id.items() if "master" in f[2] and "fail" not in f[2] and len(f) > 8
        }
        for i, f in by_id.items():
            if "slave" in f[2] and f[3] in by_id and port[f[3]] in shards:
                shards[port[f[3]]].append(port[i])
        return shards

    def primary_of(self, key: str) -> int:
        """The port of the primary serving ``key``'s slot."""
        with redis.Redis(port=self.running()[0], socket_timeout=1, decode_responses=True) as client:
            slot = int(client.execute_command("CLUSTER", "KEYSLOT", key))
            for start, end, primary, *_ in client.execute_command("CLUSTER", "SLOTS"):
                if int(start) <= slot <= int(end):
                    return int(primary[1])
        raise LookupError(slot)

    def kill(self, port: int) -> None:
        """SIGKILL one node, as a crash would."""
        self.processes[port].kill()
        self.processes[port].wait(timeout=10)

    def flush_shard(self, primary: int) -> None:
        """Empty one shard (the primary; replication empties its replicas), as a shard losing its data would."""
        with redis.Redis(port=primary, socket_timeout=5) as client:
            client.flushall()

    def stop(self) -> None:
        """Stop every node."""
        for proc in self.processes.values():
            if proc.poll() is None:
                proc.terminate()
        for proc in self.processes.values():
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()

    def mark_indexed(self) -> None:
        """Mark its denylist complete, as auth would, for tests that run no auth service."""
        with redis.RedisCluster(host="127.0.0.1", port=self.ports[0]) as client:
            client.mset_nonatomic(dict.fromkeys(ready_keys(), "1"))


def _wait(check: Callable[[], bool], seconds: float, failure: str) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise RuntimeError(failure)
        time.sleep(0.05)


def _redis_cluster() -> Iterator[RedisClusterProcess]:
    binary = shutil.which("redis-server")
    if binary is None or shutil.which("redis-cli") is None:
        _unavailable("redis-server and redis-cli binaries")
        raise AssertionError("unreachable")
    root = Path(tempfile.mkdtemp(prefix="todo-redis-cluster-"))
    cluster = RedisClusterProcess(binary, root)
    try:
        cluster.create()
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def redis_cluster() -> Iterator[RedisClusterProcess]:
    """A 6-node Redis Cluster (3 primaries, 3 replicas) of the test module's own, removed after it."""
    yield from _redis_cluster()


@pytest.fixture
def own_redis_cluster() -> Iterator[RedisClusterProcess]:
    """A 6-node Redis Cluster for one fault test, which may kill or flush its nodes."""
    yield from _redis_cluster()


class PgBouncerProcess:
    """PgBouncer in transaction mode, in a temporary directory, in front of every database of a PostgreSQL server."""

    def __init__(self, binary: str, root: Path, server_url: str) -> None:
        target = urlsplit(server_url)
        self.port = free_port()
        self._root = root
        config = root / "pgbouncer.ini"
        (root / "userlist.txt").write_text(f'"{target.username or "postgres"}" ""\n')
        config.write_text(
            "[databases]\n"
            f"* = host={target.hostname or '127.0.0.1'} port={target.port or 5432}\n"
            "[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {self.port}\nunix_socket_dir =\n"
            f"auth_type = trust\nauth_file = {root / 'userlist.txt'}\n"
            f"logfile = {root / 'pgbouncer.log'}\n"
            "pool_mode = transaction\nmax_client_conn = 500\ndefault_pool_size = 20\n"
        )
        # PgBouncer refuses to run as root.
        self._argv = [binary, *(["-u", "postgres"] if os.geteuid() == 0 else []), str(config)]
        self.process: subprocess.Popen[bytes] | None = None

    def database_url(self, server_database_url: str) -> str:
        """The same database's URL, through PgBouncer."""
        parts = urlsplit(server_database_url)
        user = parts.username or "postgres"
        return urlunsplit(parts._replace(netloc=f"{user}@127.0.0.1:{self.port}"))

    def start(self) -> None:
        """Start it and wait until it accepts connections."""
        self.process = subprocess.Popen(self._argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait(lambda: _listening("127.0.0.1", self.port), 10, "pgbouncer did not start")

    def stop(self) -> None:
        """Stop it."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture(scope="session")
def pgbouncer(postgres_server_url: str) -> Iterator[PgBouncerProcess]:
    """PgBouncer (transaction mode) of the session's own in front of the test PostgreSQL, removed at the end."""
    binary = shutil.which("pgbouncer") or next((p for p in ("/usr/sbin/pgbouncer",) if Path(p).exists()), None)
    if binary is None:
        _unavailable("pgbouncer binary")
        raise AssertionError("unreachable")
    root = Path(tempfile.mkdtemp(prefix="todo-pgbouncer-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
    server = PgBouncerProcess(binary, root, postgres_server_url)
    if os.geteuid() == 0:
        for name in ("pgbouncer.ini", "userlist.txt"):
            shutil.chown(root / name, "postgres")
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
