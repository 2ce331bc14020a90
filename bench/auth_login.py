"""Measure the auth service: login latency, and /healthz latency while logins storm.

Starts ``uvicorn auth.main:create_app`` on a free port against a throwaway database (created, migrated with
Alembic, dropped afterwards) and the local Redis, with production Argon2id settings unless told otherwise.

    uv run python bench/auth_login.py                 # defaults: 30 sequential logins, 8 concurrent for 10 s
    uv run python bench/auth_login.py --hash-workers 40   # what the default thread pool would do
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import socket
import subprocess
import sys
import time
import uuid
from contextlib import closing
from pathlib import Path

import asyncpg
import httpx

AUTH_DIR = Path(__file__).resolve().parents[1] / "services" / "auth"
PASSWORD = "correct horse battery staple"  # noqa: S105 - a throwaway bench user


def free_port() -> int:
    """Ask the kernel for a port nobody listens on."""
    with closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def percentile(samples: list[float], q: float) -> float:
    """Return the q-th percentile (0-100) in milliseconds, nearest-rank."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))] * 1000


async def wait_ready(client: httpx.AsyncClient, deadline: float) -> None:
    """Poll /readyz until the service answers 200."""
    while time.monotonic() < deadline:
        try:
            if (await client.get("/readyz")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.1)
    raise SystemExit("auth service did not become ready")


async def login(client: httpx.AsyncClient, email: str) -> float:
    """Sign in once and return the seconds it took."""
    started = time.perf_counter()
    response = await client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    elapsed = time.perf_counter() - started
    response.raise_for_status()
    return elapsed


async def measure(base_url: str, sequential: int, concurrency: int, storm_seconds: float) -> None:
    """Run the three measurements and print them."""
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as client:
        await wait_ready(client, time.monotonic() + 30)
        email = f"bench-{uuid.uuid4().hex}@example.com"
        (await client.post("/api/auth/signup", json={"email": email, "password": PASSWORD})).raise_for_status()

        await login(client, email)  # warm-up: pool connections, first-call imports
        singles = [await login(client, email) for _ in range(sequential)]
        print(
            f"login, one at a time ({sequential}x): p50 {percentile(singles, 50):.0f} ms, "
            f"p90 {percentile(singles, 90):.0f} ms"
        )

        idle = []
        for _ in range(200):
            started = time.perf_counter()
            (await client.get("/healthz")).raise_for_status()
            idle.append(time.perf_counter() - started)
        print(f"/healthz idle (200x): p50 {percentile(idle, 50):.1f} ms, p99 {percentile(idle, 99):.1f} ms")

        stop = time.monotonic() + storm_seconds
        storm: list[float] = []
        health: list[float] = []

        async def login_loop() -> None:
            while time.monotonic() < stop:
                storm.append(await login(client, email))

        async def health_loop() -> None:
            while time.monotonic() < stop:
                started = time.perf_counter()
                (await client.get("/healthz")).raise_for_status()
                health.append(time.perf_counter() - started)
                await asyncio.sleep(0.01)

        await asyncio.gather(health_loop(), *(login_loop() for _ in range(concurrency)))
        print(
            f"login, {concurrency} at once for {storm_seconds:.0f} s ({len(storm)} logins, "
            f"{len(storm) / storm_seconds:.1f}/s): p50 {percentile(storm, 50):.0f} ms, "
            f"p99 {percentile(storm, 99):.0f} ms"
        )
        print(
            f"/healthz during that storm ({len(health)}x): p50 {percentile(health, 50):.1f} ms, "
            f"p99 {percentile(health, 99):.1f} ms, max {max(health) * 1000:.1f} ms"
        )


async def admin(server_url: str, sql: str) -> None:
    """Run one statement on the maintenance database."""
    conn = await asyncpg.connect(server_url)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def main() -> None:
    """Parse arguments, set up a database and a server, measure, and clean up."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--sequential", type=int, default=30)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--hash-workers", type=int, help="PASSWORD_HASH_WORKERS (default: the core count)")
    args = parser.parse_args()

    database = f"bench_auth_{uuid.uuid4().hex[:12]}"
    asyncio.run(admin(args.postgres, f'CREATE DATABASE "{database}"'))
    try:
        env = {
            **os.environ,
            "ENV": "production",
            "JWT_SECRET": secrets.token_urlsafe(48),
            "DATABASE_URL": args.postgres.rsplit("/", 1)[0] + f"/{database}",
            "REDIS_URL": args.redis,
            "LOG_LEVEL": "WARNING",
            "LOGIN_IP_LIMIT": "1000000 per minute",  # measuring hashing, not the limiter
        }
        if args.hash_workers:
            env["PASSWORD_HASH_WORKERS"] = str(args.hash_workers)
        subprocess.run(
            [sys.executable, "-m", "alembic", "upgrade", "head"], cwd=AUTH_DIR, env=env, check=True, capture_output=True
        )
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "auth.main:create_app", "--factory", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            print(f"cores: {os.cpu_count()}, hash workers: {args.hash_workers or 'default (cores)'}")
            asyncio.run(measure(f"http://127.0.0.1:{port}", args.sequential, args.concurrency, args.seconds))
        finally:
            server.terminate()
            server.wait(timeout=10)
    finally:
        asyncio.run(admin(args.postgres, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
