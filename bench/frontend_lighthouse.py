"""Lighthouse on the production build of ``/login`` and ``/tasks`` (a seeded user), mobile and desktop presets.

Starts auth, tasks and the gateway (uvicorn, the Procfile's command lines) on free ports against throwaway
databases, builds the front end against that gateway (into ``frontend/.next``, as the browser test does),
serves ``.next/standalone/server.js``, signs a user up through Better Auth's route, seeds 30 tasks, and runs
Lighthouse (``bench/lighthouse``, npm) with Debian's Chromium, never a downloaded browser. ``/tasks`` gets the
session cookie through Lighthouse's extra headers. Each page and preset runs ``LIGHTHOUSE_RUNS`` times (5):
it prints the median of each category (0-100) and performance's range, which a shared machine moves a lot.
Run: ``make bench-frontend`` (part of ``make bench``, not of ``make test``).
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx
from alembic import command
from alembic.config import Config

from bench.tasks_bench import free_port
from bench.tasks_common import SERVER_URL

ROOT = Path(__file__).resolve().parents[1]
FRONTEND = ROOT / "frontend"
LIGHTHOUSE = ROOT / "bench/lighthouse/node_modules/lighthouse/cli/index.js"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
RUNS = int(os.environ.get("LIGHTHOUSE_RUNS", "5"))
PASSWORD = "correct horse battery staple"  # noqa: S105 - a throwaway user of a throwaway database


@contextmanager
def database(service: str) -> Iterator[str]:
    """A throwaway database for ``service`` at its latest migration; dropped afterwards."""
    name = f"lighthouse_{service}_{uuid.uuid4().hex[:8]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    try:
        url = SERVER_URL.replace("postgresql://", "postgresql+asyncpg://").rsplit("/", 1)[0] + f"/{name}"
        config = Config(str(ROOT / f"services/{service}/alembic.ini"))
        config.set_main_option("sqlalchemy.url", url)
        config.attributes["configure_logger"] = False
        command.upgrade(config, "head")
        yield url
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _admin(sql: str) -> None:
    conn = await asyncpg.connect(SERVER_URL)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@contextmanager
def process(argv: list[str], env: dict[str, str], ready: str, cwd: Path = ROOT) -> Iterator[None]:
    """Run a server until the block ends; wait until ``ready`` answers 200."""
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen(argv, env={**os.environ, **env}, cwd=cwd, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                log.seek(0)
                raise SystemExit(f"{argv[:3]} exited:\n{log.read().decode()[-2000:]}")
            try:
                if httpx.get(ready, timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"{argv[:3]} did not answer {ready}")
            time.sleep(0.2)
        yield
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


def uvicorn(app: str, port: int) -> list[str]:
    """The Procfile's command line for one service."""
    factory = f"{app}.main:create_app"
    return [sys.executable, "-m", "uvicorn", factory, "--factory", "--host", "127.0.0.1", "--port", str(port)]


def seed(api: str, origin: str) -> str:
    """Sign a user up as the app does, add 30 tasks, and return the session cookie (``name=value``)."""
    with httpx.Client(base_url=api, headers={"Origin": origin}, timeout=10) as client:
        email = f"lighthouse-{uuid.uuid4().hex[:8]}@example.com"
        signed = client.post("/api/auth/sign-up/email", json={"name": "Ada", "email": email, "password": PASSWORD})
        signed.raise_for_status()
        cookie = signed.headers["set-cookie"].split(";", 1)[0]
        user_id = signed.json()["user"]["id"]
        token = client.get("/api/auth/token", headers={"Cookie": cookie}).json()["token"]
        today = datetime.now(UTC).date()
        for i in range(30):
            due = today + timedelta(days=i % 9 - 3)
            body = {"title": f"Task number {i + 1}", "priority": ("low", "medium", "high")[i % 3]}
            if i % 2:
                body["due_date"] = f"{due}T00:00:00Z"
            created = client.post(f"/api/{user_id}/tasks", json=body, headers={"Authorization": f"Bearer {token}"})
            created.raise_for_status()
        return cookie


def lighthouse(url: str, preset: str, cookie: str | None) -> dict[str, int]:
    """Run Lighthouse once and return its category scores (0-100)."""
    with tempfile.TemporaryDirectory() as out:
        report = Path(out) / "report.json"
        argv = ["node", str(LIGHTHOUSE), url, "--output=json", f"--output-path={report}", "--quiet"]
        argv += [f"--only-categories={','.join(CATEGORIES)}", "--chrome-flags=--headless=new --no-sandbox"]
        if preset == "desktop":
            argv.append("--preset=desktop")
        if cookie:
            argv.append(f"--extra-headers={json.dumps({'Cookie': cookie})}")
        subprocess.run(argv, check=True, env={**os.environ, "CHROME_PATH": CHROMIUM}, timeout=300)
        categories = json.loads(report.read_text())["categories"]
        return {name: round(categories[name]["score"] * 100) for name in CATEGORIES}


def main() -> None:
    """Bring the system up, build and serve the app, seed a user and print Lighthouse's scores."""
    if not LIGHTHOUSE.is_file():
        raise SystemExit("bench/lighthouse/node_modules is missing: run `make bench-frontend`")
    ports = {name: free_port() for name in ("auth", "tasks", "gateway", "app")}
    origin = f"http://localhost:{ports['app']}"
    api = f"http://localhost:{ports['gateway']}"
    common = {"ENV": "test", "LOG_LEVEL": "WARNING", "JWT_SECRET": secrets.token_urlsafe(48), "REDIS_URL": REDIS_URL}
    with ExitStack() as stack:
        auth_db, tasks_db = stack.enter_context(database("auth")), stack.enter_context(database("tasks"))
        for name, env in (
            ("auth", {"DATABASE_URL": auth_db, "FRONTEND_ORIGINS": origin}),
            ("tasks", {"DATABASE_URL": tasks_db}),
        ):
            health = f"http://127.0.0.1:{ports[name]}/healthz"
            stack.enter_context(process(uvicorn(name, ports[name]), common | env, health))
        upstreams = {f"{n.upper()}_URL": f"http://127.0.0.1:{ports[n]}" for n in ("auth", "tasks")}
        gateway_env = common | upstreams | {"FRONTEND_ORIGINS": origin}
        stack.enter_context(process(uvicorn("gateway", ports["gateway"]), gateway_env, f"{api}/healthz"))
        print(f"building the front end against {api} …", flush=True)
        build_env = {**os.environ, "NEXT_PUBLIC_API_URL": api, "NEXT_TELEMETRY_DISABLED": "1"}
        subprocess.run(["npm", "run", "build"], cwd=FRONTEND, env=build_env, check=True, capture_output=True)
        app_env = {"NODE_ENV": "production", "PORT": str(ports["app"]), "HOSTNAME": "127.0.0.1"}
        argv = ["node", ".next/standalone/server.js"]
        stack.enter_context(process(argv, app_env, f"http://127.0.0.1:{ports['app']}/login", cwd=FRONTEND))
        cookie = seed(api, origin)
        print(f"| page | preset | {' | '.join(CATEGORIES)} | performance, {RUNS} runs |")
        print(f"|---|---|{'---|' * len(CATEGORIES)}---|")
        for path, session in (("/login", None), ("/tasks", cookie)):
            for preset in ("mobile", "desktop"):
                runs = [lighthouse(f"{origin}{path}", preset, session) for _ in range(RUNS)]
                medians = [str(round(statistics.median(r[c] for r in runs))) for c in CATEGORIES]
                spread = sorted(r["performance"] for r in runs)
                line = f"| `{path}` | {preset} | {' | '.join(medians)} | {spread[0]}–{spread[-1]} |"
                print(line, flush=True)


if __name__ == "__main__":
    main()
