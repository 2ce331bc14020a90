"""Our hot paths next to Better Auth's: get-session, /token, sign-in and GET one task, in one run.

Run with ``make bench-auth`` (or ``uv run python -m bench.auth_bench --help``). It starts auth, tasks and the
gateway as ``make dev`` does (their Procfile lines) against throwaway databases on the local PostgreSQL and
Redis, and Better Auth 1.7.25 from ``../shared/bench/better-auth`` (copied, ``npm ci``, migrated into a
throwaway database; skipped with a message when it cannot be set up). Every server is pinned to one core and
wrk to the other; the workloads take turns within each round, and the table shows the medians of the rounds.

Both sides run without a sign-in rate limit (Better Auth's reference has its limiter off; ours gets
``LOGIN_IP_LIMIT`` and ``LOGIN_FAILURE_LIMIT`` raised), so the sign-in figures measure the work.

Goals (issue 11): get-session and /token through the gateway >= 3x Better Auth's at 16 and 64 connections with
a lower p99 at 64; sign-in >= 1.5x at 8 connections; the liveness probe's p99 during the sign-in storm <= 20 ms;
GET one task through the gateway >= 5x Better Auth's get-session.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import itertools
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from bench.gateway_bench import (
    WRK_REPORT,
    Load,
    Result,
    _create_database,
    _drop_database,
    find_wrk,
    free_port,
    median,
    pinned,
    pinning,
    process,
    procfile_command,
    run_wrk,
)

ROOT = Path(__file__).resolve().parent.parent
BETTER_AUTH = ROOT.parent / "shared" / "bench" / "better-auth"
ORIGIN = "http://localhost:3000"
PASSWORD = "correct horse battery staple 42"  # noqa: S105 - a throwaway bench user
EMAIL = f"bench-{uuid.uuid4().hex[:10]}@example.com"
SIGN_IN = """
wrk.method = "POST"
wrk.body = '{"email": "%s", "password": "%s"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Origin"] = "%s"
"""


@dataclass(frozen=True)
class Target:
    """One server's way to a workload: the URL, the bearer, and whose CPU to charge."""

    url: str
    token: str
    server_pid: int
    proxy_pid: int | None = None


def _post(
    url: str, body: dict[str, str], headers: dict[str, str] | None = None
) -> tuple[dict[str, object], dict[str, str]]:
    request = urllib.request.Request(  # noqa: S310 - a local http URL we built
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Origin": ORIGIN, **(headers or {})},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        return json.load(response), dict(response.headers)


def _get(url: str, token: str) -> dict[str, object]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        return dict(json.load(response))


def sign_up_and_in(api: str) -> tuple[str, str]:
    """Create the bench user through a Better Auth API and sign in; return the session bearer and the user id."""
    _post(f"{api}/sign-up/email", {"email": EMAIL, "password": PASSWORD, "name": "Bench"})
    body, headers = _post(f"{api}/sign-in/email", {"email": EMAIL, "password": PASSWORD})
    user = body["user"]
    assert isinstance(user, dict)
    return headers["set-auth-token"], str(user["id"])


def probe_latencies(url: str, stop: threading.Event) -> list[float]:
    """Poll a liveness URL every 10 ms until ``stop``; return the latencies in milliseconds."""
    samples: list[float] = []
    while not stop.is_set():
        started = time.perf_counter()
        with urllib.request.urlopen(url, timeout=10):  # noqa: S310 - a local http URL we built
            pass
        samples.append((time.perf_counter() - started) * 1000)
        time.sleep(0.01)
    return samples


def while_probing(url: str, measure: Callable[[], Result]) -> tuple[Result, float]:
    """Run ``measure`` while a thread polls the liveness ``url``; return its result and the probe's p99 (ms)."""
    stop = threading.Event()
    latencies: list[float] = []
    prober = threading.Thread(target=lambda: latencies.extend(probe_latencies(url, stop)))
    prober.start()
    try:
        result = measure()
    finally:
        stop.set()
        prober.join()
    return result, percentile(latencies, 99)


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))] if ordered else float("nan")


def start_better_auth(stack: ExitStack, tmp: Path, server_cpu: int | None, database_server: str) -> Target | None:
    """Set up and start Better Auth's reference server; None (with a message) when it cannot be."""
    npm, node = shutil.which("npm"), shutil.which("node")
    if not BETTER_AUTH.is_dir() or npm is None or node is None:
        print(f"Better Auth skipped: needs {BETTER_AUTH} and node + npm")
        return None
    workdir = tmp / "better-auth"
    shutil.copytree(BETTER_AUTH, workdir, ignore=shutil.ignore_patterns("node_modules"))
    installed = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=workdir, capture_output=True, check=False)
    if installed.returncode:
        print(f"Better Auth skipped: npm ci failed: {installed.stderr.decode()[-300:]}")
        return None
    name = f"bench_ba_{uuid.uuid4().hex[:12]}"
    asyncio.run(_create_database(database_server, name))
    stack.callback(lambda: asyncio.run(_drop_database(database_server, name)))
    port = free_port()
    env = {
        **os.environ,
        "BETTER_AUTH_SECRET": secrets.token_hex(32),
        "BA_DATABASE_URL": f"{database_server.rsplit('/', 1)[0]}/{name}",
        "NODE_ENV": "production",
        "PORT": str(port),
    }
    subprocess.run([node, "migrate.mjs"], cwd=workdir, env=env, check=True, capture_output=True)
    url = f"http://127.0.0.1:{port}/api/auth"
    argv = pinned(server_cpu, [node, str(workdir / "server.mjs")])
    pid = stack.enter_context(process(argv, env, f"{url}/ok", tmp / "better-auth.log"))
    token, _ = sign_up_and_in(url)
    return Target(url, token, pid)


def main() -> int:  # noqa: PLR0915 - one straight script: set up, measure, print
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=10, help="length of each measured run")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; the table shows medians")
    parser.add_argument(
        "--database-url", default=os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    )
    parser.add_argument("--redis-url", default=os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0"))
    args = parser.parse_args()

    wrk = find_wrk()
    if wrk is None:
        return 0
    server_cpu, client_cpu = pinning()
    tmp = Path(tempfile.mkdtemp(prefix="auth-bench-"))
    report = tmp / "report.lua"
    report.write_text(WRK_REPORT)
    sign_in = tmp / "sign-in.lua"
    sign_in.write_text(SIGN_IN % (EMAIL, PASSWORD, ORIGIN) + WRK_REPORT)
    python = sys.executable
    server = args.database_url.replace("postgresql+asyncpg://", "postgresql://")

    with ExitStack() as stack:
        better_auth = start_better_auth(stack, tmp, server_cpu, server)
        env = {
            **os.environ,
            "PATH": f"{Path(python).parent}{os.pathsep}{os.environ.get('PATH', '')}",
            "ENV": "production",
            "LOG_LEVEL": "WARNING",
            "JWT_SECRET": secrets.token_urlsafe(48),
            "REDIS_URL": args.redis_url,
            "LOGIN_IP_LIMIT": "1000000 per minute",
            "LOGIN_FAILURE_LIMIT": "1000000 per minute",
            "FRONTEND_ORIGINS": ORIGIN,
        }
        ports = {name: free_port() for name in ("auth", "tasks", "gateway")}
        for name in ("auth", "tasks"):
            database = f"bench_{name}_{uuid.uuid4().hex[:12]}"
            asyncio.run(_create_database(server, database))
            stack.callback(lambda d=database: asyncio.run(_drop_database(server, d)))  # type: ignore[misc]
            url = f"{server.rsplit('/', 1)[0]}/{database}".replace("postgresql://", "postgresql+asyncpg://")
            migrate = {**env, "DATABASE_URL": url}
            subprocess.run(
                [python, "-m", "alembic", "upgrade", "head"], cwd=ROOT / "services" / name, env=migrate, check=True
            )
            env[f"{name.upper()}_DATABASE_URL"] = url
        env |= {f"{name.upper()}_PORT": str(port) for name, port in ports.items()}
        env |= {"AUTH_METRICS_PORT": str(free_port()), "TASKS_METRICS_PORT": str(free_port())}
        env["GATEWAY_ADMIN_PORT"] = str(free_port())
        pids = {}
        for name in ("auth", "tasks", "gateway"):
            argv = pinned(server_cpu, ["bash", "-c", procfile_command(name)])
            ready = f"http://127.0.0.1:{ports[name]}/healthz"
            pids[name] = stack.enter_context(process(argv, env, ready, tmp / f"{name}.log"))
        gateway, auth, tasks = (f"http://127.0.0.1:{ports[n]}" for n in ("gateway", "auth", "tasks"))
        session, user_id = sign_up_and_in(f"{gateway}/api/auth")
        access = str(_get(f"{gateway}/api/auth/token", session)["token"])
        task, _ = _post(
            f"{gateway}/api/{user_id}/tasks", {"title": "Benchmark task"}, {"Authorization": f"Bearer {access}"}
        )
        task_path = f"/api/{user_id}/tasks/{task['id']}"

        # workload -> connections -> target name -> (target, wrk script)
        def ours(path: str, token: str, service: str) -> dict[str, Target]:
            return {
                "ours, gateway": Target(gateway + path, token, pids[service], pids["gateway"]),
                "ours, direct": Target((auth if service == "auth" else tasks) + path, token, pids[service]),
            }

        workloads: dict[str, tuple[tuple[int, ...], Path, dict[str, Target]]] = {
            "get-session": ((16, 64), report, ours("/api/auth/get-session", session, "auth")),
            "/token": ((16, 64), report, ours("/api/auth/token", session, "auth")),
            "sign-in": ((8,), sign_in, ours("/api/auth/sign-in/email", "", "auth")),
            "GET one task": ((16, 64), report, ours(task_path, access, "tasks")),
        }
        if better_auth is not None:
            ba = better_auth
            workloads["get-session"][2]["Better Auth"] = Target(f"{ba.url}/get-session", ba.token, ba.server_pid)
            workloads["/token"][2]["Better Auth"] = Target(f"{ba.url}/token", ba.token, ba.server_pid)
            workloads["sign-in"][2]["Better Auth"] = Target(f"{ba.url}/sign-in/email", "", ba.server_pid)
        probes = {"ours, gateway": f"{auth}/healthz", "ours, direct": f"{auth}/healthz"}
        if better_auth is not None:
            probes["Better Auth"] = f"{better_auth.url}/ok"

        def run(target: Target, script: Path, connections: int, seconds: int) -> Result:
            load = Load(wrk, client_cpu, target.token, script, target.server_pid, target.proxy_pid)
            return run_wrk(load, target.url, connections, seconds)

        print(f"servers on cpu {server_cpu}, wrk on cpu {client_cpu}; {args.rounds} rounds of {args.seconds}s runs")
        print(f"(medians; the workloads take turns within each round); logs in {tmp}\n")
        for _, (_, script, targets) in workloads.items():  # warm up: pools filled, lazy imports done
            for target in targets.values():
                run(target, script, 8, 2)

        runs: dict[tuple[str, int, str], list[Result]] = {}
        probe_p99: dict[str, list[float]] = {}
        for _ in range(args.rounds):
            for workload, (connections, script, targets) in workloads.items():
                for conns, (name, target) in itertools.product(connections, targets.items()):
                    if workload != "sign-in":
                        runs.setdefault((workload, conns, name), []).append(run(target, script, conns, args.seconds))
                        continue
                    result, p99 = while_probing(
                        probes[name], functools.partial(run, target, sign_in, conns, args.seconds)
                    )
                    runs.setdefault((workload, conns, name), []).append(result)
                    probe_p99.setdefault(name, []).append(p99)

    print_table({key: median(values) for key, values in runs.items()}, workloads, task_baseline="get-session")
    print(
        "\nliveness probe p99 during the sign-in storm (ms): "
        + ", ".join(f"{name} {statistics.median(values):.1f}" for name, values in probe_p99.items())
    )
    return 0


def print_table(
    results: dict[tuple[str, int, str], Result],
    workloads: dict[str, tuple[tuple[int, ...], Path, dict[str, Target]]],
    *,
    task_baseline: str,
) -> None:
    """One line per workload, connections and target, with the ratio to Better Auth's same workload.

    GET one task is compared with Better Auth's get-session: the same job, authenticate a request and read a row.
    """
    heads = ("req/s", "p50 ms", "p99 ms", "errors", "x BA", "srv us/req", "gw us/req")
    print(f"{'workload':<13} {'conns':>5} {'target':<14} " + " ".join(f"{h:>10}" for h in heads))
    fmt: Callable[[float], str] = lambda v: f"{v:>10.2f}"  # noqa: E731
    for workload, (connections, _, targets) in workloads.items():
        for conns in connections:
            baseline_workload = task_baseline if workload == "GET one task" else workload
            baseline = results.get((baseline_workload, conns, "Better Auth"))
            for name in targets:
                r = results[workload, conns, name]
                ratio = (
                    r.requests_per_second / baseline.requests_per_second
                    if baseline and baseline.requests_per_second
                    else float("nan")
                )
                cells = (r.requests_per_second, r.p50_ms, r.p99_ms, r.errors, ratio, r.upstream_cpu_us, r.proxy_cpu_us)
                print(f"{workload:<13} {conns:>5} {name:<14} " + " ".join(fmt(c) for c in cells))


if __name__ == "__main__":
    sys.exit(main())
