"""The tasks service under each server it could run on: uvicorn (httptools, h11) and Granian, GET one task.

Run with ``make bench-servers`` (``uv run python -m bench.service_servers``). Issue 10 moved auth and tasks
from uvicorn + httptools (no header-size limit) to Granian with a 16 KiB cap; the alternative with a cap,
uvicorn + h11, is measured too. Each server runs the tasks service on one throwaway database, pinned to one
core, wrk on the other, the three taking turns within each round; the table gives medians and each server's
CPU time per request.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import subprocess
import sys
import tempfile
import uuid
from contextlib import ExitStack
from pathlib import Path

from bench.gateway_bench import (
    BENCH_SECRET,
    WRK_REPORT,
    Load,
    Result,
    _create_database,
    _drop_database,
    create_task,
    find_wrk,
    free_port,
    median,
    mint_token,
    pinned,
    pinning,
    process,
    run_wrk,
)

ROOT = Path(__file__).resolve().parent.parent
UVICORN = ["-m", "uvicorn", "tasks.main:create_app", "--factory", "--no-access-log", "--no-proxy-headers"]
# The Procfile's and the image's flags.
GRANIAN = ["-m", "granian", "--interface", "asgi", "--factory", "--http", "1", "--no-ws", "--loop", "uvloop"]
GRANIAN += ["--http1-buffer-size", "16384", "--http1-header-read-timeout", "10000", "tasks.main:create_app"]
SERVERS = {
    "uvicorn-httptools": [*UVICORN, "--http", "httptools"],
    "uvicorn-h11": [*UVICORN, "--http", "h11"],
    "granian": GRANIAN,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--database-url", default=os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    )
    parser.add_argument("--redis-url", default=os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0"))
    args = parser.parse_args()
    wrk = find_wrk()
    if wrk is None:
        return 0
    server_cpu, client_cpu = pinning()
    tmp = Path(tempfile.mkdtemp(prefix="service-servers-"))
    script = tmp / "report.lua"
    script.write_text(WRK_REPORT)
    server_url = args.database_url.replace("postgresql+asyncpg://", "postgresql://")
    name = f"bench_tasks_{uuid.uuid4().hex[:12]}"
    db_url = server_url.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://") + f"/{name}"
    env = {
        **os.environ,
        "ENV": "development",
        "LOG_LEVEL": "WARNING",
        "JWT_SECRET": BENCH_SECRET,
        "DATABASE_URL": db_url,
        "REDIS_URL": args.redis_url,
    }
    with ExitStack() as stack:
        asyncio.run(_create_database(server_url, name))
        stack.callback(lambda: asyncio.run(_drop_database(server_url, name)))
        migrate = [sys.executable, "-m", "alembic", "upgrade", "head"]
        subprocess.run(migrate, cwd=ROOT / "services/tasks", env=env, check=True, capture_output=True)
        urls, pids = {}, {}
        for server, argv in SERVERS.items():
            port = free_port()
            command = [sys.executable, *argv, "--host", "127.0.0.1", "--port", str(port)]
            urls[server] = f"http://127.0.0.1:{port}"
            log = tmp / f"{server}.log"
            pids[server] = stack.enter_context(
                process(pinned(server_cpu, command), env, f"{urls[server]}/healthz", log)
            )
        token = mint_token()
        path = create_task(urls["uvicorn-httptools"], token)
        loads = {server: Load(wrk, client_cpu, token, script, pids[server], None) for server in SERVERS}
        for server in SERVERS:
            run_wrk(loads[server], urls[server] + path, 16, 2)
        runs: dict[tuple[str, int], list[Result]] = {key: [] for key in itertools.product(SERVERS, (1, 16, 64))}
        for _ in range(args.rounds):
            for connections in (1, 16, 64):
                for server in SERVERS:
                    result = run_wrk(loads[server], urls[server] + path, connections, args.seconds)
                    runs[server, connections].append(result)
    print(
        f"{'server':<18} {'conns':>5} {'req/s':>7} {'x httptools':>11} {'p50 ms':>7} {'cpu us/req':>10} {'errors':>6}"
    )
    for connections in (1, 16, 64):
        base = median(runs["uvicorn-httptools", connections])
        for server in SERVERS:
            r = median(runs[server, connections])
            ratio = r.requests_per_second / base.requests_per_second
            print(
                f"{server:<18} {connections:>5} {r.requests_per_second:>7.0f} {ratio:>11.2f} {r.p50_ms:>7.3f}"
                f" {r.upstream_cpu_us:>10.0f} {r.errors:>6}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
