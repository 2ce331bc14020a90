"""The front end, built for real and driven in Debian's Chromium against the real system.

The test starts an auth service and a gateway of its own that trust the app's origin (the session's tasks
service is reused), builds ``frontend/`` with ``NEXT_PUBLIC_API_URL`` pointing at that gateway (Next inlines it
at build time, so the build happens here, into ``frontend/.next``), serves the standalone server, and runs
``frontend/e2e/app.e2e.mjs`` (playwright-core) against it. App and API share the host name ``localhost``: the
Better Auth session cookie is ``SameSite=Lax``, and ``127.0.0.1`` next to ``localhost`` is cross-site.

Without Chromium, Node or ``frontend/node_modules`` the test skips, except under CI (``CI=true``), where it
fails. ``E2E_SCREENSHOT_DIR`` keeps the run's screenshots there (``docs/screenshots`` in the README).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.conftest import Launcher, Server, System

pytestmark = [pytest.mark.browser, pytest.mark.integration]

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
def served_app(system: System, launcher: Launcher) -> Server:
    """Auth and a gateway trusting the app's origin, the app built against that gateway, and served."""
    _require(shutil.which("node") is not None and shutil.which("npm") is not None, "node and npm are not on PATH")
    _require(Path(CHROMIUM).is_file(), f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    _require((FRONTEND / "node_modules").is_dir(), "frontend/node_modules is missing (make frontend-deps)")
    app_port = _free_port()
    origin = f"http://localhost:{app_port}"
    auth = launcher.auth(FRONTEND_ORIGINS=origin)
    gateway = launcher.gateway(auth, system.tasks, FRONTEND_ORIGINS=origin)
    api_url = gateway.url.replace("127.0.0.1", "localhost")
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


def test_the_app_end_to_end_in_chromium(served_app: Server, launcher: Launcher, tmp_path: Path) -> None:
    """Quick add, optimistic toggle and rollback, undo, keyboard, URL state, session end, stats, axe on every page."""
    screenshots = Path(os.environ.get("E2E_SCREENSHOT_DIR") or tmp_path / "screenshots").resolve()
    app_url = served_app.url.replace("127.0.0.1", "localhost")
    env = {**os.environ, "APP_URL": app_url, "SCREENSHOT_DIR": str(screenshots), "CHROMIUM_PATH": CHROMIUM}
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
