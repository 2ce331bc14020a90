"""What PgBouncer (transaction mode) costs the tasks hot path: GET one task through it vs straight to PostgreSQL.

Three tasks servers, one at a time, each one uvicorn process pinned to core 0 with wrk on core 1, on the same
seeded database: direct with asyncpg's statement cache (the default), direct without it (what the PgBouncer
setting costs by itself: every statement parsed again), and through PgBouncer with ``DB_STATEMENT_CACHE=false``.
Prints req/s, p50/p99 and the CPU each request costs the server process and PgBouncer (from /proc).
Run: ``make bench-pgbouncer``; ``BENCH_SECONDS`` sets each run's length.
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
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench.tasks_bench import (
    AUDIENCE,
    ISSUER,
    REDIS_URL,
    SECONDS,
    WARMUP_SECONDS,
    Result,
    free_port,
    seed,
    server,
    wrk,
)
from bench.tasks_common import SERVER_URL, throwaway_database
from todo_shared.tokens import TokenSigner

CONNECTIONS = (16, 64)
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


async def run(binary: str) -> None:
    secret = secrets.token_urlsafe(48)
    signer = TokenSigner(secret=secret, issuer=ISSUER, audience=AUDIENCE, lifetime_seconds=3600)
    reader = str(uuid.uuid4())
    token, _ = signer.mint(user_id=reader, email="reader@example.com", session_id=uuid.uuid4().hex)
    results: dict[tuple[str, int], tuple[Result, float, float]] = {}
    async with throwaway_database("bench_pgbouncer") as database_url:
        task_id = await seed(database_url, [reader])
        path = f"/api/{reader}/tasks/{task_id}"
        with pgbouncer(binary) as (bouncer_port, bouncer):
            bounced = urlunsplit(urlsplit(database_url)._replace(netloc=f"postgres@127.0.0.1:{bouncer_port}"))
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
                }
                port = free_port()
                with server("tasks.main:create_app", port, env) as process:
                    url = f"http://127.0.0.1:{port}{path}"
                    for connections in CONNECTIONS:
                        wrk(url, connections, WARMUP_SECONDS, token, None)
                        before = cpu_seconds(process.pid), cpu_seconds(bouncer.pid)
                        r = wrk(url, connections, SECONDS, token, None)
                        server_cpu = cpu_seconds(process.pid) - before[0]
                        bouncer_cpu = cpu_seconds(bouncer.pid) - before[1]
                        results[setup.name, connections] = (r, server_cpu, bouncer_cpu)
                        print(f"  {setup.name} @ {connections}: {r.requests_per_second:.0f} req/s", file=sys.stderr)
    report(results)


def report(results: dict[tuple[str, int], tuple[Result, float, float]]) -> None:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\nGET one task, wrk {SECONDS}s per run, tasks server on core 0, wrk on core 1 (load average {load})")
    print("CPU µs/request: the tasks process, and PgBouncer's (PostgreSQL's own is not counted)\n")
    header = (
        f"| {'setup':<36} | conns | {'req/s':>7} | {'p50 ms':>6} | {'p99 ms':>6} | tasks CPU µs | PgBouncer CPU µs |"
    )
    print(header)
    print("|" + "|".join("-" * len(cell) for cell in header.split("|")[1:-1]) + "|")
    for connections in CONNECTIONS:
        base = results[SETUPS[0].name, connections][0].requests_per_second
        for setup in SETUPS:
            r, server_cpu, bouncer_cpu = results[setup.name, connections]
            per = 1e6 / max(r.requests, 1)
            bouncer = f"{bouncer_cpu * per:>16.0f}" if setup.through_pgbouncer else f"{'-':>16}"
            errors = "" if r.non_2xx + r.socket_errors == 0 else f" ({r.non_2xx + r.socket_errors} errors)"
            print(
                f"| {setup.name:<36} | {connections:>5} | {r.requests_per_second:>7.0f} | {r.p50_ms:>6.2f} | "
                f"{r.p99_ms:>6.2f} | {server_cpu * per:>12.0f} | {bouncer} | {r.requests_per_second / base:>7.2f}× |"
                f"{errors}"
            )


if __name__ == "__main__":
    main()
