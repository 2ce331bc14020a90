"""The front end, built for real and driven in Debian's Chromium against the real system.

The test starts an auth service and a gateway of its own that trust the app's origin (the session's tasks
service is reused) and a MailDev of its own that auth mails and the run reads links from, builds ``frontend/``
with ``NEXT_PUBLIC_API_URL`` pointing at that gateway (Next inlines it at build time, so the build happens here,
into ``frontend/.next``), serves the standalone server, and runs
``frontend/e2e/app.e2e.mjs`` (playwright-core) against it. App and API share the host name ``localhost``: the
Better Auth session cookie is ``SameSite=Lax``, and ``127.0.0.1`` next to ``localhost`` is cross-site.

Without Chromium, Node or ``frontend/node_modules`` the test skips, except under CI (``CI=true``), where it
fails. ``E2E_SCREENSHOT_DIR`` keeps the run's screenshots there (``docs/screenshots`` in the README).

The run ends by deleting an account; the test then checks that its tasks are gone from the tasks database.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import subprocess
import time
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING

import asyncpg
import pytest

if TYPE_CHECKING:
    from tests.conftest import Launcher, MailDev, Server, System

pytestmark = [pytest.mark.browser, pytest.mark.integration]

MAILDEV = Path(__file__).resolve().parents[2] / "tools/maildev/node_modules/maildev/dist/bin/maildev.js"

ROOT = Path(__file__).resolve().parents[2]
FRONTEND = ROOT / "frontend"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
BUILD_TIMEOUT_SECONDS = 600
E2E_TIMEOUT_SECONDS = 300
ON_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _free_port() -> int:
    with closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _require(condition: bool, what: str) -> None:
    if condition:
        return
    if ON_CI:
        pytest.fail(f"{what} (CI: the browser test must run, not skip)")
    pytest.skip(what)


def _tail(text: str, limit: int = 4000) -> str:
    return text if len(text) <= limit else "…" + text[-limit:]


@pytest.fixture
def inbox(launcher: Launcher) -> MailDev:
    """A MailDev of this test's own: the run reads the verification and reset links of its users from it."""
    _require(MAILDEV.is_file(), "MailDev is not installed (make maildev-deps)")
    return launcher.maildev()


@pytest.fixture
def served_app(system: System, launcher: Launcher, inbox: MailDev) -> Server:
    """Auth and a gateway trusting the app's origin, the app built against that gateway, and served."""
    _require(shutil.which("node") is not None and shutil.which("npm") is not None, "node and npm are not on PATH")
    _require(Path(CHROMIUM).is_file(), f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    _require((FRONTEND / "node_modules").is_dir(), "frontend/node_modules is missing (make frontend-deps)")
    app_port, gateway_port = _free_port(), _free_port()
    origin = f"http://localhost:{app_port}"
    api_url = f"http://localhost:{gateway_port}"
    # Emailed links lead to this gateway, and from it to this app's pages.
    auth = launcher.auth(
        FRONTEND_ORIGINS=origin, PUBLIC_APP_URL=origin, PUBLIC_BASE_URL=api_url, SMTP_URL=inbox.smtp_url
    )
    launcher.gateway(auth, system.tasks, gateway_port, FRONTEND_ORIGINS=origin)
    build_env = {**os.environ, "NEXT_PUBLIC_API_URL": api_url, "NEXT_TELEMETRY_DISABLED": "1"}
    build_env.pop("NODE_ENV", None)
    built = subprocess.run(
        ["npm", "run", "build"],
        cwd=FRONTEND,
        env=build_env,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT_SECONDS,
    )
    assert built.returncode == 0, f"npm run build failed:\n{_tail(built.stdout)}\n{_tail(built.stderr)}"
    env = {**os.environ, "NODE_ENV": "production", "NEXT_TELEMETRY_DISABLED": "1"}
    env |= {"PORT": str(app_port), "HOSTNAME": "127.0.0.1"}
    argv = ["node", ".next/standalone/server.js"]
    return launcher.spawn("app", argv, env=env, cwd=FRONTEND, port=app_port, ready_path="/login")


def _tasks_of(system: System, user_id: str) -> int:
    async def count() -> int:
        conn = await asyncpg.connect(system.launcher.database_urls["tasks"].replace("+asyncpg", ""))
        try:
            return int(await conn.fetchval("SELECT count(*) FROM tasks WHERE user_id = $1", user_id))
        finally:
            await conn.close()

    return asyncio.run(count())


def test_the_app_end_to_end_in_chromium(
    served_app: Server,
    system: System,
    launcher: Launcher,
    inbox: MailDev,
    tmp_path: Path,
) -> None:
    """Quick add, optimistic toggle and rollback, undo, keyboard, URL state, session end, stats, the account
    lifecycle with emailed links (verify, change and reset the password, devices, deletion), axe on every page."""
    screenshots = Path(os.environ.get("E2E_SCREENSHOT_DIR") or tmp_path / "screenshots").resolve()
    app_url = served_app.url.replace("127.0.0.1", "localhost")
    results = tmp_path / "e2e-results.json"
    env = {**os.environ, "APP_URL": app_url, "SCREENSHOT_DIR": str(screenshots), "CHROMIUM_PATH": CHROMIUM}
    gateway = next(s for s in launcher.started if s.name == "gateway")
    api_url = gateway.url.replace("127.0.0.1", "localhost")
    env |= {"API_URL": api_url, "MAILDEV_URL": inbox.server.url, "RESULTS_FILE": str(results)}
    run = subprocess.run(
        ["node", "e2e/app.e2e.mjs"],
        cwd=FRONTEND,
        env=env,
        capture_output=True,
        text=True,
        timeout=E2E_TIMEOUT_SECONDS,
    )
    logs = "\n".join(f"--- {s.name} log:\n{_tail(s.log.read_text(), 1500)}" for s in launcher.started)
    report = f"{run.stdout}\n{run.stderr}\n{logs}"
    assert run.returncode == 0, f"the browser run failed (screenshots in {screenshots}):\n{report}"
    summary = run.stdout.strip().splitlines()[-1]
    assert summary.endswith(" 0 failed") and not summary.startswith("0 passed"), report
    assert (screenshots / "tasks-desktop-light.png").is_file()
    # The deleted account's tasks went too: auth's outbox event reached the tasks service through the stream.
    deleted = json.loads(results.read_text())["deletedUserId"]
    deadline = time.monotonic() + 15
    while (left := _tasks_of(system, deleted)) > 0:
        assert time.monotonic() < deadline, f"{left} tasks of the deleted user are still there"
        time.sleep(0.1)
