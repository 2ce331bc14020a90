"""Per-request costs for the capacity model (docs/scaling.md): CPU, SQL statements and Redis commands.

Starts a PostgreSQL of its own (with pg_stat_statements, to count statements), a redis-server of its own (to
count commands with INFO commandstats), and auth, tasks and the gateway by their Procfile lines, each pinned to
core 0 with taskset; wrk drives one scenario at a time from core 1. For each scenario it reads, over the run:
the server's CPU time (utime + stime of its process tree, from /proc) per request, statements per request
(pg_stat_statements, this database only) and Redis commands per request, each less what the idle processes
spend in as long (background loops: the denylist sync, the outbox relay, the event consumer). CPU time per
request is what other load on a shared machine distorts least; req/s here is not a capacity figure.

Argon2id runs with the parameters the auth service is moving to (m=46 MiB, t=1, p=1) unless ARGON2_* are set.
Run: ``make bench-capacity`` (``BENCH_SECONDS`` sets each run's length, default 10).
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

import argon2
import asyncpg
import httpx
import redis

from bench.tasks_bench import LOAD_CORE, SERVER_CORE, free_port, wrk

ROOT = Path(__file__).resolve().parents[1]
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
CONNECTIONS = 16
PASSWORD = "correct horse battery staple"  # noqa: S105 - a throwaway bench user
ARGON2 = {
    "ARGON2_MEMORY_COST": os.environ.get("ARGON2_MEMORY_COST", str(46 * 1024)),
    "ARGON2_TIME_COST": os.environ.get("ARGON2_TIME_COST", "1"),
    "ARGON2_PARALLELISM": os.environ.get("ARGON2_PARALLELISM", "1"),
}
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Cost:
    scenario: str
    server: str
    requests: int
    non_2xx: int
    requests_per_second: float
    cpu_ms_per_request: float
    statements_per_request: float
    queries_per_request: float  # the statements less BEGIN/COMMIT/ROLLBACK
    redis_commands_per_request: float


def _procfile(name: str) -> str:
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.startswith(f"{name}:"):
            return line.split(":", 1)[1].strip()
    raise KeyError(name)


def _tree(pid: int) -> list[int]:
    pids = [pid]
    for task in Path(f"/proc/{pid}/task").iterdir():
        children = (task / "children").read_text().split()
        for child in children:
            pids += _tree(int(child))
    return pids


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its live descendants."""
    total = 0
    for p in _tree(pid):
        fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / CLOCK_TICKS


class Postgres:
    """A PostgreSQL of the bench's own, with pg_stat_statements loaded."""

    def __init__(self) -> None:
        found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
        if not found:
            raise SystemExit("PostgreSQL's server binaries (initdb) are not installed")
        self.bindir = found[-1].parent
        self.root = Path(tempfile.mkdtemp(prefix="capacity-pg-"))
        self.port = free_port()
        self._as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} -c fsync=off "
            "-c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all -c max_connections=200"
        )
        data = self.root / "data"
        self._ctl = [
            *self._as,
            str(self.bindir / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(self.root / "log"),
            "-o",
            options,
        ]
        initdb = [str(self.bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"]
        subprocess.run([*self._as, *initdb], check=True, capture_output=True)

    def url(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    @contextmanager
    def running(self) -> Iterator[Postgres]:
        subprocess.run([*self._ctl, "-w", "start"], check=True, capture_output=True)
        try:
            yield self
        finally:
            subprocess.run([*self._ctl, "-m", "fast", "-w", "stop"], check=False, capture_output=True)
            shutil.rmtree(self.root, ignore_errors=True)


@contextmanager
def redis_server() -> Iterator[str]:
    port = free_port()
    args = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    process = subprocess.Popen(["taskset", "-c", SERVER_CORE, *args], stdout=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    try:
        with redis.Redis.from_url(url) as client:
            deadline = time.monotonic() + 10
            while True:
                try:
                    client.ping()
                    break
                except redis.ConnectionError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextmanager
def process(name: str, env: dict[str, str], port: int, health: str, workdir: Path) -> Iterator[int]:
    """Run one Procfile line pinned to the server core; yield its pid once ``health`` answers 200."""
    log = (workdir / f"{name}.log").open("wb")
    child = subprocess.Popen(
        ["taskset", "-c", SERVER_CORE, "bash", "-c", _procfile(name)],
        env=env,
        cwd=workdir,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if child.poll() is not None:
                raise SystemExit(f"{name} exited:\n{(workdir / f'{name}.log').read_text()[-3000:]}")
            try:
                if httpx.get(f"http://127.0.0.1:{port}{health}", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"{name} did not come up")
            time.sleep(0.2)
        yield child.pid
    finally:
        child.terminate()
        child.wait(timeout=15)
        log.close()


class Counters:
    """Statements (per database) and Redis commands, read before and after a run."""

    def __init__(self, pg: Postgres, redis_url: str) -> None:
        self.pg, self.redis = pg, redis.Redis.from_url(redis_url)

    def statements(self, database: str) -> tuple[int, int]:
        """Statements run in ``database`` so far: all of them, and those that are not transaction control."""

        async def read() -> tuple[int, int]:
            conn = await asyncpg.connect(self.pg.url("postgres"))
            try:
                row = await conn.fetchrow(
                    "SELECT coalesce(sum(calls), 0) AS every, coalesce(sum(calls) FILTER (WHERE s.query !~* "
                    "'^\\s*(begin|commit|rollback|start transaction)'), 0) AS queries "
                    "FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid "
                    "WHERE d.datname = $1 AND s.query NOT ILIKE '%pg_stat_statements%'",
                    database,
                )
                assert row is not None
                return int(row["every"]), int(row["queries"])
            finally:
                await conn.close()

        return asyncio.run(read())

    def redis_commands(self) -> int:
        stats = self.redis.info("commandstats")
        return sum(v["calls"] for k, v in stats.items() if k not in {"cmdstat_info", "cmdstat_config"})


@dataclass(frozen=True)
class Sample:
    cpu: float
    statements: int
    queries: int
    commands: int

    @classmethod
    def now(cls, counters: Counters, pid: int, database: str) -> Sample:
        statements, queries = counters.statements(database)
        return cls(cpu_seconds(pid), statements, queries, counters.redis_commands())

    def __sub__(self, other: Sample) -> Sample:
        return Sample(
            self.cpu - other.cpu,
            self.statements - other.statements,
            self.queries - other.queries,
            self.commands - other.commands,
        )


def settle(pid: int, limit_seconds: float = 15) -> None:
    """Wait until the server is idle (under 5% of a core over half a second): queued requests are done."""
    deadline = time.monotonic() + limit_seconds
    while time.monotonic() < deadline:
        before = cpu_seconds(pid)
        time.sleep(0.5)
        if cpu_seconds(pid) - before < 0.025:
            return


def scenario(
    name: str,
    server: str,
    pid: int,
    database: str,
    url: str,
    counters: Counters,
    *,
    connections: int,
    token: str | None = None,
    script: Path | None = None,
) -> Cost:
    settle(pid)
    # What the idle processes spend (background loops), subtracted pro rata from the run.
    idle_start = Sample.now(counters, pid, database)
    started = time.monotonic()
    time.sleep(3)
    idle = Sample.now(counters, pid, database) - idle_start
    idle_seconds = time.monotonic() - started
    before = Sample.now(counters, pid, database)
    started = time.monotonic()
    result = wrk(url, connections, SECONDS, token, script)
    run = Sample.now(counters, pid, database) - before
    share = (time.monotonic() - started) / idle_seconds
    n = result.requests
    return Cost(
        scenario=name,
        server=server,
        requests=n,
        non_2xx=result.non_2xx + result.socket_errors,
        requests_per_second=round(result.requests_per_second, 1),
        cpu_ms_per_request=round((run.cpu - idle.cpu * share) / n * 1000, 3),
        statements_per_request=round((run.statements - idle.statements * share) / n, 2),
        queries_per_request=round((run.queries - idle.queries * share) / n, 2),
        redis_commands_per_request=round((run.commands - idle.commands * share) / n, 2),
    )


def argon2_ms(rounds: int = 20) -> tuple[float, float]:
    """CPU and wall milliseconds of one Argon2id hash (median), on one core, with the bench's parameters."""
    hasher = argon2.PasswordHasher(
        time_cost=int(ARGON2["ARGON2_TIME_COST"]),
        memory_cost=int(ARGON2["ARGON2_MEMORY_COST"]),
        parallelism=int(ARGON2["ARGON2_PARALLELISM"]),
    )
    os.sched_setaffinity(0, {int(SERVER_CORE)})
    cpu, wall = [], []
    for _ in range(rounds):
        c, w = time.process_time(), time.perf_counter()
        hasher.hash(PASSWORD)
        cpu.append(time.process_time() - c)
        wall.append(time.perf_counter() - w)
    os.sched_setaffinity(0, {int(SERVER_CORE), int(LOAD_CORE)})
    return statistics.median(cpu) * 1000, statistics.median(wall) * 1000


def main() -> None:
    hash_cpu_ms, hash_wall_ms = argon2_ms()
    costs: list[Cost] = []
    workdir = Path(tempfile.mkdtemp(prefix="capacity-"))
    pg = Postgres()
    with pg.running(), redis_server() as redis_url:

        async def prepare() -> None:
            conn = await asyncpg.connect(pg.url("postgres"))
            for db in ("auth", "tasks"):
                await conn.execute(f"CREATE DATABASE {db}")
            await conn.close()
            for db in ("postgres", "auth", "tasks"):
                c = await asyncpg.connect(pg.url(db))
                await c.execute("CREATE EXTENSION pg_stat_statements")
                await c.close()

        asyncio.run(prepare())
        for service in ("auth", "tasks"):
            env = {"PATH": os.environ["PATH"], "DATABASE_URL": pg.url(service)}
            subprocess.run(
                [sys.executable, "-m", "alembic", "upgrade", "head"],
                cwd=ROOT / "services" / service,
                env=env,
                check=True,
                capture_output=True,
            )
        ports = {name: free_port() for name in ("auth", "tasks", "gateway", "admin", "m1", "m2")}
        base = {
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
            "ENV": "test",
            "LOG_LEVEL": "WARNING",
            "JWT_SECRET": secrets.token_urlsafe(48),
            "REDIS_URL": redis_url,
            "AUTH_PORT": str(ports["auth"]),
            "TASKS_PORT": str(ports["tasks"]),
            "AUTH_DATABASE_URL": pg.url("auth").replace("postgresql://", "postgresql+asyncpg://"),
            "TASKS_DATABASE_URL": pg.url("tasks").replace("postgresql://", "postgresql+asyncpg://"),
            "AUTH_METRICS_PORT": str(ports["m1"]),
            "TASKS_METRICS_PORT": str(ports["m2"]),
            "GATEWAY_PORT": str(ports["gateway"]),
            "GATEWAY_ADMIN_PORT": str(ports["admin"]),
            # One address signs everyone in here: the per-IP limit would throttle the bench, not measure it.
            "LOGIN_IP_LIMIT": "1000000 per minute",
            "SMTP_URL": f"smtp://127.0.0.1:{free_port()}",
            **ARGON2,
        }
        with (
            process("auth", base, ports["auth"], "/readyz", workdir) as auth_pid,
            process("tasks", base, ports["tasks"], "/readyz", workdir) as tasks_pid,
            process("gateway", base, ports["admin"], "/healthz", workdir) as gateway_pid,
        ):
            auth_url, tasks_url = f"http://127.0.0.1:{ports['auth']}", f"http://127.0.0.1:{ports['tasks']}"
            email = f"bench-{uuid.uuid4().hex[:8]}@example.com"
            signed = httpx.post(f"{auth_url}/api/auth/signup", json={"email": email, "password": PASSWORD}, timeout=30)
            signed.raise_for_status()
            token, user_id = signed.json()["access_token"], signed.json()["user"]["id"]
            auth_headers = {"Authorization": f"Bearer {token}"}
            for i in range(200):
                httpx.post(
                    f"{tasks_url}/api/{user_id}/tasks", json={"title": f"task {i}"}, headers=auth_headers, timeout=10
                ).raise_for_status()
            task_id = httpx.get(f"{tasks_url}/api/{user_id}/tasks?limit=1", headers=auth_headers).json()[0]["id"]
            counters = Counters(pg, redis_url)
            login_lua = workdir / "login.lua"
            login_lua.write_text(
                'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
                f"wrk.body = '{json.dumps({'email': email, 'password': PASSWORD})}'\n"
            )
            one, many = f"/api/{user_id}/tasks/{task_id}", f"/api/{user_id}/tasks?limit=50"
            gw = f"http://127.0.0.1:{ports['gateway']}"
            tasks_create = ROOT / "bench" / "tasks_create.lua"
            # (name, server, its pid, its database, URL, token, wrk script, connections). Sign-ins at two
            # connections: one hashing, one queued (one hash worker on one core); more would leave requests in
            # flight when wrk stops, whose CPU counts but whose answers do not.
            run: list[tuple[str, str, int, str, str, str | None, Path | None, int]] = [
                ("GET one task", "tasks", tasks_pid, "tasks", tasks_url + one, token, None, CONNECTIONS),
                ("GET 50 tasks", "tasks", tasks_pid, "tasks", tasks_url + many, token, None, CONNECTIONS),
                (
                    "POST a task",
                    "tasks",
                    tasks_pid,
                    "tasks",
                    f"{tasks_url}/api/{user_id}/tasks",
                    token,
                    tasks_create,
                    CONNECTIONS,
                ),
                (
                    "GET one task through the gateway",
                    "gateway",
                    gateway_pid,
                    "tasks",
                    gw + one,
                    token,
                    None,
                    CONNECTIONS,
                ),
                ("sign-in", "auth", auth_pid, "auth", f"{auth_url}/api/auth/login", None, login_lua, 2),
                ("GET /api/auth/me", "auth", auth_pid, "auth", f"{auth_url}/api/auth/me", token, None, CONNECTIONS),
            ]
            for name, server, pid, database, url, tok, script, conns in run:
                cost = scenario(name, server, pid, database, url, counters, connections=conns, token=tok, script=script)
                costs.append(cost)
                print(json.dumps(asdict(cost)), file=sys.stderr)
    shutil.rmtree(workdir, ignore_errors=True)

    print(
        f"Argon2id m={ARGON2['ARGON2_MEMORY_COST']} KiB t={ARGON2['ARGON2_TIME_COST']} "
        f"p={ARGON2['ARGON2_PARALLELISM']}: {hash_cpu_ms:.1f} ms CPU, {hash_wall_ms:.1f} ms wall per hash (median)"
    )
    print(
        f"wrk: {CONNECTIONS} connections (sign-in: 2), {SECONDS} s per scenario; servers on core {SERVER_CORE}, "
        f"wrk on {LOAD_CORE}; load average at the end: {os.getloadavg()[0]:.1f}"
    )
    print(
        "| scenario | server | requests | errors | req/s | CPU ms/req | SQL statements/req (queries) | Redis cmds/req |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for c in costs:
        print(
            f"| {c.scenario} | {c.server} | {c.requests} | {c.non_2xx} | {c.requests_per_second} | "
            f"{c.cpu_ms_per_request} | {c.statements_per_request} ({c.queries_per_request}) | "
            f"{c.redis_commands_per_request} |"
        )


if __name__ == "__main__":
    main()
