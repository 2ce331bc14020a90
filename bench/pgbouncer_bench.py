"""What PgBouncer (transaction mode) costs the tasks hot path: GET one task through it vs straight to PostgreSQL.

Three tasks servers, each one uvicorn process pinned to core 0, wrk on core 1, measured in interleaved rounds on
the same seeded database: direct with asyncpg's statement cache (the default), direct without it (what the PgBouncer
setting costs by itself: every statement parsed again), and through PgBouncer with ``DB_STATEMENT_CACHE=false``.
Prints req/s, p50/p99 and the CPU each request costs the server process and PgBouncer (from /proc).
Run: ``make bench-pgbouncer``; ``BENCH_SECONDS`` (5) sets each run's length, ``BENCH_ROUNDS`` (3) the rounds.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench.tasks_bench import (
    AUDIENCE,
    ISSUER,
    REDIS_URL,
    WARMUP_SECONDS,
    Result,
    free_port,
    seed,
    server,
    wrk,
)
from bench.tasks_common import SERVER_URL, throwaway_database
from todo_shared.redis import open_redis
from todo_shared.tokens import TokenSigner

CONNECTIONS = (16, 64)
SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Setup:
    name: str
    through_pgbouncer: bool
    statement_cache: bool


SETUPS = [
    Setup("direct, statement cache (default)", through_pgbouncer=False, statement_cache=True),
    Setup("direct, DB_STATEMENT_CACHE=false", through_pgbouncer=False, statement_cache=False),
    Setup("PgBouncer, DB_STATEMENT_CACHE=false", through_pgbouncer=True, statement_cache=False),
]


def cpu_seconds(pid: int) -> float:
    """User + system CPU a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS


@contextmanager
def pgbouncer(binary: str) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    """PgBouncer in transaction mode in front of the benchmark's PostgreSQL, on a free port."""
    target = urlsplit(SERVER_URL)
    root = Path(tempfile.mkdtemp(prefix="bench-pgbouncer-"))
    port = free_port()
    (root / "userlist.txt").write_text(f'"{target.username or "postgres"}" ""\n')
    (root / "pgbouncer.ini").write_text(
        f"[databases]\n* = host={target.hostname or '127.0.0.1'} port={target.port or 5432}\n"
        f"[pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        f"auth_type = trust\nauth_file = {root / 'userlist.txt'}\nlogfile = {root / 'pgbouncer.log'}\n"
        "pool_mode = transaction\nmax_client_conn = 500\ndefault_pool_size = 20\n"
    )
    as_root = os.geteuid() == 0
    if as_root:  # PgBouncer refuses to run as root
        for path in (root, *root.iterdir()):
            shutil.chown(path, "postgres")
    argv = [binary, "--quiet", *(["-u", "postgres"] if as_root else []), str(root / "pgbouncer.ini")]
    process = subprocess.Popen(argv)  # its log goes to its logfile only
    try:
        yield port, process
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(root, ignore_errors=True)


def main() -> None:
    binary = shutil.which("pgbouncer") or ("/usr/sbin/pgbouncer" if Path("/usr/sbin/pgbouncer").exists() else None)
    missing = [tool for tool, found in (("wrk", shutil.which("wrk")), ("pgbouncer", binary)) if not found]
    if missing or shutil.which("taskset") is None or len(os.sched_getaffinity(0)) < 2:
        print(f"needs wrk, pgbouncer, taskset and two cores (missing: {missing}). Skipping the PgBouncer benchmark.")
        return
    assert binary is not None
    asyncio.run(run(binary))


@dataclass
class Totals:
    """One setup at one connection count, summed over the rounds."""

    runs: int = 0
    requests: int = 0
    requests_per_second: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    errors: int = 0
    server_cpu: float = 0.0
    bouncer_cpu: float = 0.0

    def add(self, r: Result, server_cpu: float, bouncer_cpu: float) -> None:
        self.runs += 1
        self.requests += r.requests
        self.requests_per_second += r.requests_per_second
        self.p50_ms += r.p50_ms
        self.p99_ms += r.p99_ms
        self.errors += r.non_2xx + r.socket_errors
        self.server_cpu += server_cpu
        self.bouncer_cpu += bouncer_cpu


async def run(binary: str) -> None:
    secret = secrets.token_urlsafe(48)
    signer = TokenSigner(secret=secret, issuer=ISSUER, audience=AUDIENCE, lifetime_seconds=3600)
    reader = str(uuid.uuid4())
    token, _ = signer.mint(user_id=reader, email="reader@example.com", session_id=uuid.uuid4().hex)
    totals = {(setup.name, c): Totals() for setup in SETUPS for c in CONNECTIONS}
    stream = f"bench:{uuid.uuid4().hex}:user-events"  # the shared Redis: a stream of the run's own, removed after
    async with throwaway_database("bench_pgbouncer") as database_url:
        task_id = await seed(database_url, [reader])
        path = f"/api/{reader}/tasks/{task_id}"
        with pgbouncer(binary) as (bouncer_port, bouncer), ExitStack() as servers:
            bounced = urlunsplit(urlsplit(database_url)._replace(netloc=f"postgres@127.0.0.1:{bouncer_port}"))
            # All three servers stay up (idle while another is measured); rounds interleave them, so the drift
            # of a shared machine falls on each alike.
            running: dict[str, tuple[str, subprocess.Popen[bytes]]] = {}
            for setup in SETUPS:
                env = {
                    **os.environ,
                    "ENV": "production",
                    "LOG_LEVEL": "WARNING",
                    "DATABASE_URL": bounced if setup.through_pgbouncer else database_url,
                    "DB_STATEMENT_CACHE": str(setup.statement_cache).lower(),
                    "REDIS_URL": REDIS_URL,
                    "JWT_SECRET": secret,
                    "JWT_PREVIOUS_SECRETS": "",
                    "USER_EVENTS_STREAM": stream,
                }
                port = free_port()
                process = servers.enter_context(server("tasks.main:create_app", port, env))
                running[setup.name] = (f"http://127.0.0.1:{port}{path}", process)
            for url, _ in running.values():
                wrk(url, CONNECTIONS[-1], WARMUP_SECONDS, token, None)
            for _ in range(ROUNDS):
                for connections in CONNECTIONS:
                    for setup in SETUPS:
                        url, process = running[setup.name]
                        before = cpu_seconds(process.pid), cpu_seconds(bouncer.pid)
                        r = wrk(url, connections, SECONDS, token, None)
                        cpu = cpu_seconds(process.pid) - before[0], cpu_seconds(bouncer.pid) - before[1]
                        totals[setup.name, connections].add(r, *cpu)
                        print(f"  {setup.name} @ {connections}: {r.requests_per_second:.0f} req/s", file=sys.stderr)
    redis = open_redis(REDIS_URL, timeout_seconds=5)
    try:
        await redis.delete(stream)
    finally:
        await redis.aclose()
    report(totals)


def report(totals: dict[tuple[str, int], Totals]) -> None:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\nGET one task, {ROUNDS} interleaved rounds of wrk {SECONDS}s; tasks on core 0, wrk on core 1")
    print(f"(load average at the end: {load}); CPU µs/request of the tasks process and of PgBouncer\n")
    print("| setup | conns | req/s | p50 ms | p99 ms | tasks CPU µs | PgBouncer CPU µs | × direct | errors |")
    print("|---|---|---|---|---|---|---|---|---|")
    for connections in CONNECTIONS:
        base = totals[SETUPS[0].name, connections]
        for setup in SETUPS:
            t = totals[setup.name, connections]
            per = 1e6 / max(t.requests, 1)
            bouncer = f"{t.bouncer_cpu * per:.0f}" if setup.through_pgbouncer else "–"
            print(
                f"| {setup.name} | {connections} | {t.requests_per_second / t.runs:.0f} | {t.p50_ms / t.runs:.1f} | "
                f"{t.p99_ms / t.runs:.1f} | {t.server_cpu * per:.0f} | {bouncer} | "
                f"{t.requests_per_second / base.requests_per_second:.2f}× | {t.errors} |"
            )


if __name__ == "__main__":
    main()
