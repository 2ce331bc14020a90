"""What the gateway costs: GET one task straight from tasks, through the gateway, its candidates, and nginx.

Run with ``make bench-gateway`` (or ``uv run python bench/gateway_bench.py --help``). It starts the tasks
service as ``make dev`` does (its Procfile line) against a throwaway database on the local PostgreSQL and
Redis (or, with ``--stand-in`` or when the tasks service is not installed, a stand-in that answers the same
JSON); the shipped gateway (``python -m gateway``, access log on); the candidate stacks of
``gateway_candidates.py`` (uvicorn httptools/h11 and Granian ASGI/RSGI, each with aiohttp or pyreqwest, all on
uvloop); and Debian's nginx configured as the same reverse proxy. It drives each with wrk at 1, 16 and 64
connections, the servers pinned to one core and wrk to the other, paths taking turns within each round, and
prints req/s, p50/p99, the ratios to direct and each proxy's CPU time per request.

Goals (issue 10): through the gateway >= 0.90x of direct req/s at 16 and 64 connections (within a few percent
of nginx in the same run), <= 0.15 ms added at p50 with one connection, no errors or timeouts at 64.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import itertools
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONNECTIONS = (1, 16, 64)
# name -> (server argv before the app, the app); ``{port}`` is filled in. The shipped gateway is "gateway".
UVICORN = (
    "-m",
    "uvicorn",
    "--factory",
    "--loop",
    "uvloop",
    "--no-access-log",
    "--no-proxy-headers",
    "--lifespan",
    "on",
)
GRANIAN = ("-m", "granian", "--factory", "--http", "1", "--no-ws", "--loop", "uvloop", "--log-level", "warning")
CANDIDATES: dict[str, tuple[str, ...]] = {
    "uv-httptools/aiohttp": (*UVICORN, "--http", "httptools", "--port", "{port}", "gateway_candidates:asgi_aiohttp"),
    "uv-h11/aiohttp": (*UVICORN, "--http", "h11", "--port", "{port}", "gateway_candidates:asgi_aiohttp"),
    "uv-httptools/pyreqwest": (
        *UVICORN,
        "--http",
        "httptools",
        "--port",
        "{port}",
        "gateway_candidates:asgi_pyreqwest",
    ),
    "gr-asgi/aiohttp": (*GRANIAN, "--interface", "asgi", "--port", "{port}", "gateway_candidates:asgi_aiohttp"),
    "gr-asgi/pyreqwest": (*GRANIAN, "--interface", "asgi", "--port", "{port}", "gateway_candidates:asgi_pyreqwest"),
    "gr-rsgi/aiohttp": (*GRANIAN, "--interface", "rsgi", "--port", "{port}", "gateway_candidates:rsgi_aiohttp"),
    "gr-rsgi/pyreqwest": (*GRANIAN, "--interface", "rsgi", "--port", "{port}", "gateway_candidates:rsgi_pyreqwest"),
}
TICKS = os.sysconf("SC_CLK_TCK")
# A secret for this run only: the bench mints its own token, so it never needs a real one.
BENCH_SECRET = "bench-" + uuid.uuid4().hex + uuid.uuid4().hex
USER_ID = str(uuid.uuid4())

# wrk reports through this script one parseable line per run; latencies are in microseconds.
WRK_REPORT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), e.connect, e.read, e.write, e.status, e.timeout))
end
"""

NGINX_CONF = """
worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {tmp}/body;
  proxy_temp_path {tmp}/proxy;
  fastcgi_temp_path {tmp}/fastcgi;
  uwsgi_temp_path {tmp}/uwsgi;
  scgi_temp_path {tmp}/scgi;
  client_max_body_size 1m;
  upstream tasks {{ server 127.0.0.1:{upstream_port}; keepalive 64; }}
  server {{
    listen 127.0.0.1:{port};
    location ~ ^/api/[^/]+/tasks(/|$) {{
      proxy_pass http://tasks;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-Host $host;
      proxy_set_header X-Request-ID $request_id;
      proxy_connect_timeout 2s;
      proxy_read_timeout 30s;
    }}
    location / {{ return 404; }}
  }}
}}
"""


@dataclass(frozen=True)
class Result:
    """One wrk run, with the CPU each server spent per request (immune to other load on the machine)."""

    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int
    upstream_cpu_us: float = 0.0
    proxy_cpu_us: float = 0.0


def median(results: list[Result]) -> Result:
    """The median of each figure across rounds; errors are summed, since any error counts."""
    return Result(
        statistics.median(r.requests_per_second for r in results),
        statistics.median(r.p50_ms for r in results),
        statistics.median(r.p99_ms for r in results),
        sum(r.errors for r in results),
        statistics.median(r.upstream_cpu_us for r in results),
        statistics.median(r.proxy_cpu_us for r in results),
    )


def cpu_seconds(pid: int | None) -> float:
    """User + system CPU time of a process and all its descendants (nginx's workers), from /proc."""
    total, pending = 0.0, [pid] if pid is not None else []
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / TICKS
            pending += [int(c) for c in Path(f"/proc/{current}/task/{current}/children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def free_port() -> int:
    """Ask the kernel for a TCP port nobody listens on."""
    with closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pinned(cpu: int | None, argv: Sequence[str]) -> list[str]:
    """Prefix ``argv`` with taskset when pinning."""
    return ["taskset", "-c", str(cpu), *argv] if cpu is not None else list(argv)


def wait_until_up(url: str, timeout: float = 30) -> None:
    """Poll ``url`` until it answers at all (any status)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=1):  # noqa: S310 - a local http URL we built
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not come up") from None
            time.sleep(0.1)


@contextmanager
def process(argv: Sequence[str], env: dict[str, str], ready_url: str, log: Path) -> Iterator[int]:
    """Run a server until the block ends, yielding its pid; its output goes to ``log``."""
    with log.open("wb") as out:
        proc = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
        try:
            wait_until_up(ready_url)
            yield proc.pid
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def ensure_tool(binary: str, package: str) -> str | None:
    """Find ``binary``, installing Debian's ``package`` when running as root; None if it stays missing."""
    if found := shutil.which(binary):
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print(f"installing {package} with apt-get ...")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        install = ["apt-get", "install", "-y", "-q", package]
        if subprocess.run(install, env=env, check=False, capture_output=True).returncode:
            subprocess.run(["apt-get", "update", "-q"], env=env, check=False, capture_output=True)
            subprocess.run(install, env=env, check=False, capture_output=True)
    return shutil.which(binary)


def find_wrk() -> str | None:
    """wrk, installed with apt-get when missing (as root); None, said once, when it cannot be had."""
    found = ensure_tool("wrk", "wrk")
    if found is None:
        print("wrk is not installed and could not be installed (apt-get install wrk): skipping the benchmark")
    return found


def pinning() -> tuple[int | None, int | None]:
    """The core the servers run on and the one wrk runs on; (None, None), said once, with one core or no taskset."""
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) > 1 and shutil.which("taskset"):
        return cpus[0], cpus[-1]
    print("one core (or no taskset): servers and wrk are not pinned, figures will be noisy")
    return None, None


@dataclass(frozen=True)
class Load:
    """How to drive one path with wrk, and which processes serve it."""

    wrk: str
    cpu: int | None
    token: str
    script: Path
    upstream_pid: int
    proxy_pid: int | None


def run_wrk(load: Load, url: str, connections: int, seconds: int) -> Result:
    """Drive ``url`` with wrk, parse its report line, and charge each server's CPU time to the requests."""
    argv = [load.wrk, "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s", "-s", str(load.script)]
    if load.token:
        argv += ["-H", f"Authorization: Bearer {load.token}"]
    before = cpu_seconds(load.upstream_pid), cpu_seconds(load.proxy_pid)
    out = subprocess.run(pinned(load.cpu, [*argv, url]), capture_output=True, text=True, check=True).stdout
    after = cpu_seconds(load.upstream_pid), cpu_seconds(load.proxy_pid)
    line = next(line for line in out.splitlines() if line.startswith("RESULT "))
    requests, duration_us, p50, p99, *errors = (int(v) for v in line.split()[1:])
    per_request = [(a - b) * 1e6 / max(requests, 1) for a, b in zip(after, before, strict=True)]
    return Result(requests / (duration_us / 1e6), p50 / 1000, p99 / 1000, sum(errors), *per_request)


async def _create_database(server_url: str, name: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(server_url)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


async def _drop_database(server_url: str, name: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(server_url)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def mint_token() -> str:
    """Sign an access token for the bench user, as the auth service would."""
    from todo_shared.tokens import TokenSigner

    signer = TokenSigner(secret=BENCH_SECRET, issuer="todo-auth", audience="todo-api", lifetime_seconds=3600)
    token, _ = signer.mint(user_id=USER_ID, email="bench@example.com", session_id=str(uuid.uuid4()))
    return token


def create_task(base: str, token: str) -> str:
    """Create the one task the bench reads; return its path."""
    request = urllib.request.Request(  # noqa: S310 - a local http URL we built
        f"{base}/api/{USER_ID}/tasks",
        data=b'{"title": "Benchmark task", "description": "A task of typical size, read again and again."}',
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    import json

    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return f"/api/{USER_ID}/tasks/{json.load(response)['id']}"


def procfile_command(name: str) -> str:
    """The shell command ``make dev`` runs for process ``name``."""
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.startswith(f"{name}:"):
            return line.split(":", 1)[1].strip()
    raise KeyError(name)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=5, help="length of each measured run")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; the table shows medians")
    parser.add_argument("--stand-in", action="store_true", help="use the stand-in upstream, not the tasks service")
    parser.add_argument("--only", help="comma-separated paths to measure (default: all); direct is always measured")
    parser.add_argument(
        "--database-url", default=os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    )
    parser.add_argument("--redis-url", default=os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0"))
    args = parser.parse_args()
    wanted = set(args.only.split(",")) if args.only else None

    wrk = find_wrk()
    if wrk is None:
        return 0
    nginx = ensure_tool("nginx", "nginx-light") if wanted is None or "nginx" in wanted else None
    if nginx is None and (wanted is None or "nginx" in wanted):
        print("nginx is not installed and could not be installed (apt-get install nginx-light): measuring without it")

    server_cpu, client_cpu = pinning()

    use_tasks = not args.stand_in and importlib.util.find_spec("tasks.main") is not None
    tmp = Path(tempfile.mkdtemp(prefix="gateway-bench-"))
    script = tmp / "report.lua"
    script.write_text(WRK_REPORT)
    python = sys.executable
    upstream_port = free_port()
    upstream_url = f"http://127.0.0.1:{upstream_port}"
    server_env = {
        **os.environ,
        "PATH": f"{Path(python).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "ENV": "development",
        "LOG_LEVEL": "WARNING",
        "JWT_SECRET": BENCH_SECRET,
    }

    with ExitStack() as stack:
        if use_tasks:
            server_url = args.database_url.replace("postgresql+asyncpg://", "postgresql://")
            name = f"bench_tasks_{uuid.uuid4().hex[:12]}"
            asyncio.run(_create_database(server_url, name))
            stack.callback(lambda: asyncio.run(_drop_database(server_url, name)))
            db_url = server_url.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://") + f"/{name}"
            server_env |= {"DATABASE_URL": db_url, "REDIS_URL": args.redis_url}
            subprocess.run(
                [python, "-m", "alembic", "upgrade", "head"], cwd=ROOT / "services/tasks", env=server_env, check=True
            )
            # The tasks service exactly as make dev runs it.
            upstream = ["bash", "-c", procfile_command("tasks")]
            upstream_env = {
                **server_env,
                "TASKS_DATABASE_URL": db_url,
                "TASKS_PORT": str(upstream_port),
                "TASKS_METRICS_PORT": str(free_port()),
            }
            ready = f"{upstream_url}/healthz"
        else:
            upstream = [python, *GRANIAN, "--interface", "asgi", "--no-factory", "--port", str(upstream_port)]
            upstream += ["--working-dir", str(ROOT / "bench"), "gateway_standin:app"]
            upstream_env, ready = server_env, upstream_url
        upstream_pid = stack.enter_context(
            process(pinned(server_cpu, upstream), upstream_env, ready, tmp / "upstream.log")
        )

        proxy_env = {
            **server_env,
            "TASKS_URL": upstream_url,
            "AUTH_URL": upstream_url,
            "PYTHONPATH": str(ROOT / "bench"),
        }
        targets: dict[str, str] = {"direct": upstream_url}
        pids: dict[str, int | None] = {"direct": None}

        def start(name: str, argv: list[str], env: dict[str, str], port: int, ready_path: str) -> None:
            log = tmp / f"{name.replace('/', '_')}.log"
            url = f"http://127.0.0.1:{port}"
            pids[name] = stack.enter_context(process(pinned(server_cpu, argv), env, url + ready_path, log))
            targets[name] = url

        if wanted is None or "gateway" in wanted:
            port, admin = free_port(), free_port()
            # The shipped gateway, access log on (it is part of the cost), into its log file.
            env = {**proxy_env, "GATEWAY_PORT": str(port), "GATEWAY_ADMIN_PORT": str(admin), "LOG_LEVEL": "INFO"}
            start("gateway", [python, "-m", "gateway"], env, port, "/healthz")
        for name, candidate in CANDIDATES.items():
            if wanted is None or name in wanted:
                port = free_port()
                start(name, [python, *(a.format(port=port) for a in candidate)], proxy_env, port, "/")
        if nginx is not None:
            port = free_port()
            conf = tmp / "nginx.conf"
            conf.write_text(NGINX_CONF.format(tmp=tmp, port=port, upstream_port=upstream_port))
            start(
                "nginx",
                [nginx, "-c", str(conf), "-p", str(tmp), "-e", str(tmp / "error.log")],
                dict(os.environ),
                port,
                "/",
            )

        token = mint_token() if use_tasks else ""
        path = create_task(upstream_url, token) if use_tasks else f"/api/{USER_ID}/tasks/1"

        print(f"upstream: {'tasks service (its Procfile line)' if use_tasks else 'stand-in'}; GET {path}")
        print(f"servers on cpu {server_cpu}, wrk on cpu {client_cpu}; {args.rounds} rounds of {args.seconds}s runs")
        print(f"(medians; the paths take turns within each round, so a noisy moment hits them alike); logs in {tmp}\n")
        loads = {name: Load(wrk, client_cpu, token, script, upstream_pid, pids[name]) for name in targets}
        for name, url in targets.items():  # warm up every path: pools filled, lazy imports done
            run_wrk(loads[name], url + path, 16, 2)

        runs: dict[tuple[str, int], list[Result]] = {key: [] for key in itertools.product(targets, CONNECTIONS)}
        for _ in range(args.rounds):
            for connections in CONNECTIONS:
                for name, url in targets.items():
                    runs[name, connections].append(run_wrk(loads[name], url + path, connections, args.seconds))
        results = {key: median(values) for key, values in runs.items()}

    heads = ("req/s", "p50 ms", "p99 ms", "errors", "x direct", "+p50 ms", "up us/req", "px us/req")
    width = max(len(name) for name in targets)
    print(f"{'path':<{width}} {'conns':>5} " + " ".join(f"{h:>9}" for h in heads))
    for connections in CONNECTIONS:
        direct = results["direct", connections]
        for name in targets:
            r = results[name, connections]
            ratio = r.requests_per_second / direct.requests_per_second
            added = r.p50_ms - direct.p50_ms
            print(
                f"{name:<{width}} {connections:>5} {r.requests_per_second:>9.0f} {r.p50_ms:>9.3f} {r.p99_ms:>9.3f}"
                f" {r.errors:>9} {ratio:>9.2f} {added:>+9.3f} {r.upstream_cpu_us:>9.0f} {r.proxy_cpu_us:>9.0f}"
            )
    if "gateway" not in targets:
        return 0
    gw = {c: results["gateway", c] for c in CONNECTIONS}
    straight = {c: results["direct", c] for c in CONNECTIONS}
    goals = [
        (
            ">= 0.90x direct req/s at 16 and 64",
            all(gw[c].requests_per_second >= 0.90 * straight[c].requests_per_second for c in (16, 64)),
        ),
        ("<= 0.15 ms added p50 at 1 connection", gw[1].p50_ms - straight[1].p50_ms <= 0.15),
        ("no errors or timeouts at 64", gw[64].errors == 0),
    ]
    if "nginx" in targets:
        ng = {c: results["nginx", c] for c in CONNECTIONS}
        goals.append(
            (
                "within 5% of nginx's req/s at 16 and 64",
                all(gw[c].requests_per_second >= 0.95 * ng[c].requests_per_second for c in (16, 64)),
            )
        )
    print()
    for goal, met in goals:
        print(f"  [{'met' if met else 'MISSED'}] gateway {goal}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
