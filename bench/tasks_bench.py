"""Benchmark the tasks service with wrk: GET one, list 50, create and no-token, against the token-check ceiling.

The servers (uvicorn, one process, uvloop + httptools) run pinned to core 0 and wrk to core 1, against a
throwaway, seeded database and the local Redis. Prints req/s, p50, p99, errors and each ratio to the
ceiling measured in the same run, then the cost of the token check alone in µs.
Run: ``make bench-tasks`` (or ``uv run python -m bench.tasks_bench`` from the repo root);
``BENCH_SECONDS`` sets each run's length.
"""

from __future__ import annotations

import asyncio
import http.client
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from bench.tasks_common import ROOT, throwaway_database
from todo_shared.denylist import Denylist
from todo_shared.postgres import to_asyncpg_dsn
from todo_shared.redis import open_redis
from todo_shared.tokens import TokenSigner, TokenVerifier

SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
WARMUP_SECONDS = 3
CONNECTIONS = (16, 64)
SERVER_CORE, LOAD_CORE = "0", "1"
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
ISSUER, AUDIENCE = "todo-auth", "todo-api"
CREATE_LUA = Path(__file__).with_name("tasks_create.lua")
SEED_TASKS_PER_USER = 1_000


@dataclass(frozen=True)
class Scenario:
    name: str
    server: str  # "tasks" or "ceiling"
    path: str
    token: str | None
    script: Path | None = None
    expect_2xx: bool = True


@dataclass(frozen=True)
class Result:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    non_2xx: int
    socket_errors: int


def free_port() -> int:
    with closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_healthy(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server on :{port} exited with {process.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"server on :{port} did not become healthy")


@contextmanager
def server(app: str, port: int, env: dict[str, str], *extra: str) -> Iterator[subprocess.Popen[bytes]]:
    """Run one uvicorn worker pinned to the server core."""
    args = ["taskset", "-c", SERVER_CORE, sys.executable, "-m", "uvicorn", app, "--factory", *extra]
    args += ["--host", "127.0.0.1", "--port", str(port), "--loop", "uvloop", "--http", "httptools"]
    args += ["--no-access-log", "--log-level", "warning"]
    process = subprocess.Popen(args, env=env, cwd=ROOT)
    try:
        wait_healthy(port, process)
        yield process
    finally:
        process.terminate()
        process.wait(timeout=15)


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


def wait_for_other_loads(limit_seconds: float = 180) -> None:
    """Wait while another wrk runs on this machine (another benchmark would take the same cores)."""
    deadline = time.monotonic() + limit_seconds
    while subprocess.run(["pgrep", "-x", "wrk"], capture_output=True).returncode == 0:
        if time.monotonic() > deadline:
            print("  another wrk is still running; measuring anyway", file=sys.stderr)
            return
        time.sleep(1)


def wrk(url: str, connections: int, seconds: int, token: str | None, script: Path | None) -> Result:
    """Drive one URL with wrk on the load core and parse what it prints."""
    wait_for_other_loads()
    args = ["taskset", "-c", LOAD_CORE, "wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s"]
    args.append("--latency")
    if token:
        args += ["-H", f"Authorization: Bearer {token}"]
    if script:
        args += ["-s", str(script)]
    out = subprocess.run([*args, url], capture_output=True, text=True, check=True).stdout
    percentiles = dict(re.findall(r"^\s*(50|99)%\s+(\S+)\s*$", out, re.MULTILINE))
    if "requests in" not in out or len(percentiles) != 2:
        raise SystemExit(f"could not read wrk's results for {url}:\n{out}")
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return Result(
        requests_per_second=float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        p50_ms=_ms(percentiles["50"]),
        p99_ms=_ms(percentiles["99"]),
        requests=int(re.search(r"(\d+) requests in", out).group(1)),  # type: ignore[union-attr]
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=sum(int(n) for n in socket_errors.groups()) if socket_errors else 0,
    )


def mean(a: Result, b: Result) -> Result:
    """Average two runs of one scenario (errors add up)."""
    return Result(
        requests_per_second=(a.requests_per_second + b.requests_per_second) / 2,
        p50_ms=(a.p50_ms + b.p50_ms) / 2,
        p99_ms=(a.p99_ms + b.p99_ms) / 2,
        requests=a.requests + b.requests,
        non_2xx=a.non_2xx + b.non_2xx,
        socket_errors=a.socket_errors + b.socket_errors,
    )


def keeps_connection_open(port: int, path: str) -> bool:
    """Tell whether two token-less requests get 401s on one and the same connection."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    statuses, sockets = [], []
    for _ in range(2):
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        statuses.append(response.status)
        sockets.append(conn.sock)
        if (response.getheader("connection") or "").lower() == "close":
            return False
    conn.close()
    return statuses == [401, 401] and sockets[0] is sockets[1] and sockets[0] is not None


async def seed(database_url: str, users: list[str]) -> int:
    """Give each user ``SEED_TASKS_PER_USER`` tasks in one statement; return one task id of the first user."""
    conn = await asyncpg.connect(to_asyncpg_dsn(database_url))
    try:
        await conn.execute(
            "INSERT INTO tasks (user_id, title, description, priority, due_date) "
            "SELECT u, 'task ' || i, 'seeded for the benchmark', "
            "(ARRAY['low', 'medium', 'high'])[1 + i % 3]::task_priority, now() + i * interval '1 hour' "
            "FROM unnest($1::text[]) AS u, generate_series(1, $2) AS i",
            users,
            SEED_TASKS_PER_USER,
        )
        await conn.execute("VACUUM ANALYZE tasks")
        task_id: int = await conn.fetchval("SELECT min(id) FROM tasks WHERE user_id = $1", users[0])
        return task_id
    finally:
        await conn.close()


async def token_check_cost(secret: str, token: str, rounds: int = 20_000) -> tuple[float, float]:
    """Measure the two halves of the token check in µs per request: verify, and the denylist MGET."""
    verifier = TokenVerifier(secret=secret, issuer=ISSUER, audience=AUDIENCE)
    started = time.perf_counter()
    for _ in range(rounds):
        claims = verifier.verify(token)
    verify_us = (time.perf_counter() - started) / rounds * 1e6
    redis = open_redis(REDIS_URL, timeout_seconds=1.0)
    denylist = Denylist(redis, ttl_seconds=960)
    try:
        await denylist.is_revoked(claims)
        started = time.perf_counter()
        for _ in range(rounds // 4):
            await denylist.is_revoked(claims)
        mget_us = (time.perf_counter() - started) / (rounds // 4) * 1e6
    finally:
        await redis.aclose()
    return verify_us, mget_us


def main() -> None:
    if shutil.which("wrk") is None:
        print("wrk is not installed: apt-get install -y wrk (Debian's package). Skipping the tasks benchmark.")
        return
    if shutil.which("taskset") is None or len(os.sched_getaffinity(0)) < 2:
        print("taskset and two cores are needed to pin server and load apart. Skipping the tasks benchmark.")
        return
    asyncio.run(run())


async def run() -> None:
    secret = secrets.token_urlsafe(48)
    signer = TokenSigner(secret=secret, issuer=ISSUER, audience=AUDIENCE, lifetime_seconds=3600)
    reader, writer = str(uuid.uuid4()), str(uuid.uuid4())
    read_token, _ = signer.mint(user_id=reader, email="reader@example.com", session_id=uuid.uuid4().hex)
    write_token, _ = signer.mint(user_id=writer, email="writer@example.com", session_id=uuid.uuid4().hex)
    others = [str(uuid.uuid4()) for _ in range(8)]

    async with throwaway_database("bench_tasks") as database_url:
        task_id = await seed(database_url, [reader, *others])
        env = {
            **os.environ,
            "ENV": "production",
            "LOG_LEVEL": "WARNING",
            "DATABASE_URL": database_url,
            "REDIS_URL": REDIS_URL,
            "JWT_SECRET": secret,
            "JWT_PREVIOUS_SECRETS": "",
            "JWT_ISSUER": ISSUER,
            "JWT_AUDIENCE": AUDIENCE,
        }
        ports = {"tasks": free_port(), "ceiling": free_port()}
        scenarios = [
            Scenario("ceiling (token check only)", "ceiling", f"/api/{reader}/whoami", read_token),
            Scenario("GET one task", "tasks", f"/api/{reader}/tasks/{task_id}", read_token),
            Scenario("list 50", "tasks", f"/api/{reader}/tasks?limit=50", read_token),
            Scenario("create (POST)", "tasks", f"/api/{writer}/tasks", write_token, CREATE_LUA),
            Scenario("no token (401)", "tasks", f"/api/{reader}/tasks/{task_id}", None, expect_2xx=False),
        ]
        results: dict[tuple[str, int], Result] = {}
        with (
            server("tasks.main:create_app", ports["tasks"], env),
            server("bench.tasks_ceiling:create_app", ports["ceiling"], env),
        ):
            keepalive = keeps_connection_open(ports["tasks"], scenarios[-1].path)
            for connections in CONNECTIONS:
                # The ceiling runs first and last; its mean is the denominator, so drift in between evens out.
                for s in [*scenarios, scenarios[0]]:
                    url = f"http://127.0.0.1:{ports[s.server]}{s.path}"
                    wrk(url, connections, WARMUP_SECONDS, s.token, s.script)
                    r = wrk(url, connections, SECONDS, s.token, s.script)
                    print(f"  {s.name} @ {connections}: {r.requests_per_second:.0f} req/s", file=sys.stderr)
                    earlier = results.get((s.name, connections))
                    results[s.name, connections] = r if earlier is None else mean(earlier, r)

    verify_us, mget_us = await token_check_cost(secret, read_token)
    report(scenarios, results, keepalive, verify_us, mget_us)


def errors(scenario: Scenario, result: Result) -> int:
    """Count socket errors and timeouts plus answers with a status the scenario did not expect."""
    unexpected = result.non_2xx if scenario.expect_2xx else result.requests - result.non_2xx
    return result.socket_errors + unexpected


def report(
    scenarios: list[Scenario], results: dict[tuple[str, int], Result], keepalive: bool, verify_us: float, mget_us: float
) -> None:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\nTasks service, wrk {SECONDS}s per run, server on core {SERVER_CORE}, wrk on core {LOAD_CORE}")
    print(f"(load average at the end: {load}; PostgreSQL and Redis float over both cores)")
    print("(ceiling: mean of a run before and a run after the others at the same connection count)\n")
    header = (
        f"| {'scenario':<27} | conns | {'req/s':>8} | {'p50 ms':>7} | {'p99 ms':>7} | wrong status | socket errors "
        "| × ceiling |"
    )
    print(header)
    print("|" + "|".join("-" * (len(cell)) for cell in header.split("|")[1:-1]) + "|")
    for connections in CONNECTIONS:
        ceiling = results["ceiling (token check only)", connections].requests_per_second
        for s in scenarios:
            r = results[s.name, connections]
            wrong_status = errors(s, r) - r.socket_errors
            print(
                f"| {s.name:<27} | {connections:>5} | {r.requests_per_second:>8.0f} | {r.p50_ms:>7.2f} | "
                f"{r.p99_ms:>7.2f} | {wrong_status:>12} | {r.socket_errors:>13} | "
                f"{r.requests_per_second / ceiling:>8.2f}× |"
            )
    print(f"\nToken check: verify {verify_us:.1f} µs + denylist MGET {mget_us:.1f} µs = {verify_us + mget_us:.1f} µs")
    print(f"No-token 401 keeps the connection open: {'yes' if keepalive else 'NO'}")

    def ratio(name: str, connections: int) -> float:
        base = results["ceiling (token check only)", connections].requests_per_second
        return results[name, connections].requests_per_second / base

    goals = [
        ("GET one ≥ 0.5× ceiling", all(ratio("GET one task", c) >= 0.5 for c in CONNECTIONS)),
        ("list 50 ≥ 0.25× ceiling", all(ratio("list 50", c) >= 0.25 for c in CONNECTIONS)),
        ("no errors or timeouts at 64", all(errors(s, results[s.name, 64]) == 0 for s in scenarios)),
        ("no-token 401 on a connection that stays open", keepalive),
    ]
    for goal, met in goals:
        print(f"  [{'met' if met else 'MISSED'}] {goal}")


if __name__ == "__main__":
    main()
