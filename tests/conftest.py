"""The whole system as real processes: auth, tasks and the gateway, on free ports.

Each process runs its own line of the ``Procfile`` (what ``make dev`` runs, with the same server flags as the
images), given its port and database through the variables that line reads, against throwaway databases (made
by the root conftest's ``create_database`` and migrated by Alembic in a subprocess) and the test Redis. The
tests reach them only through the gateway, over HTTP. They skip until both services exist.
"""

from __future__ import annotations

import importlib.util
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import redis

ROOT = Path(__file__).resolve().parent.parent
PROCFILE = ROOT / "Procfile"
SERVICES = {"auth": ROOT / "services/auth", "tasks": ROOT / "services/tasks"}
MAILDEV = ROOT / "tools/maildev/node_modules/maildev/dist/bin/maildev.js"
ON_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
# A strong secret of this session's own: the services run with ENV=test, which enforces the secret rules.
JWT_SECRET = secrets.token_urlsafe(48)
PASSWORD = "correct horse battery staple"


def _free_port() -> int:
    with closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def until(check: Callable[[], object], seconds: float = 15) -> float:
    """Wait until ``check()`` holds; return how long it took (fail past ``seconds``)."""
    started = time.monotonic()
    while not check():
        assert time.monotonic() - started < seconds, f"not within {seconds} s"
        time.sleep(0.05)
    return time.monotonic() - started


def procfile_command(name: str) -> str:
    """The shell command ``make dev`` runs for process ``name``."""
    for line in PROCFILE.read_text().splitlines():
        if line.startswith(f"{name}:"):
            return line.split(":", 1)[1].strip()
    raise KeyError(f"no {name!r} process in {PROCFILE}")


def services_exist() -> bool:
    """Tell whether both services can be imported (they are built in parallel with these tests)."""
    return all(importlib.util.find_spec(f"{name}.main") is not None for name in SERVICES)


@dataclass
class Server:
    """One process of the system (auth, tasks, the gateway, or the front end)."""

    name: str
    url: str
    process: subprocess.Popen[bytes]
    log: Path
    metrics_url: str | None = None  # its Prometheus listener, on a port of its own (the gateway's admin listener)

    # Signals go to the whole process group: a Granian server answers from a worker process of its own.
    def kill(self) -> None:
        """Kill it outright (SIGKILL), as a crash would."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def pause(self) -> None:
        """Freeze it (SIGSTOP): the kernel still accepts connections, nobody answers them."""
        os.killpg(self.process.pid, signal.SIGSTOP)

    def resume(self) -> None:
        """Let a paused process run again."""
        os.killpg(self.process.pid, signal.SIGCONT)

    def stop(self) -> None:
        """Stop it gracefully, or kill it after ten seconds."""
        if self.process.poll() is None:
            self.resume()
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


@dataclass
class Launcher:
    """Starts services of the system; stops every one it started when the test (or session) ends."""

    workdir: Path
    redis_url: str
    database_urls: dict[str, str]
    # Settings every auth and tasks process of the session gets (its mail server, its own event stream).
    service_env: dict[str, str] = field(default_factory=dict)
    started: list[Server] = field(default_factory=list)

    def spawn(
        self, name: str, argv: list[str], *, env: dict[str, str], cwd: Path, port: int, ready_path: str
    ) -> Server:
        """Start any process of the system and wait until ``ready_path`` on ``port`` answers 200."""
        log = self.workdir / f"{name}-{port}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                argv, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        server = Server(name=name, url=f"http://127.0.0.1:{port}", process=process, log=log)
        self.started.append(server)
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited with {process.returncode}:\n{log.read_text()[-3000:]}")
            try:
                if httpx.get(f"{server.url}{ready_path}", timeout=1).status_code == 200:
                    return server
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{name} did not answer {ready_path}:\n{log.read_text()[-3000:]}")
            time.sleep(0.1)

    def _start(self, name: str, env: dict[str, str], port: int | None = None) -> Server:
        port = port or _free_port()
        base = {
            # The Procfile's commands name their programs (uvicorn, python); honcho finds them in the venv.
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
            "ENV": "test",
            "LOG_LEVEL": "WARNING",
            "JWT_SECRET": JWT_SECRET,
            "REDIS_URL": self.redis_url,
            f"{name.upper()}_PORT": str(port),
            **self.service_env,
        }
        argv = ["bash", "-c", procfile_command(name)]
        # The working directory is empty, so no developer's .env leaks into the services' settings.
        return self.spawn(name, argv, env=base | env, cwd=self.workdir, port=port, ready_path="/healthz")

    def _start_service(self, name: str, env: dict[str, str]) -> Server:
        # Metrics on, as under `make dev`, each on a free port of its own.
        env = {"DATABASE_URL": self.database_urls[name], "METRICS_PORT": str(_free_port()), **env}
        metrics_port = env["METRICS_PORT"]
        # The Procfile line sets DATABASE_URL and METRICS_PORT from AUTH_DATABASE_URL, AUTH_METRICS_PORT, ...
        for variable in ("DATABASE_URL", "METRICS_PORT"):
            env[f"{name.upper()}_{variable}"] = env.pop(variable)
        server = self._start(name, env)
        server.metrics_url = f"http://127.0.0.1:{metrics_port}/metrics"
        return server

    def auth(self, **env: str) -> Server:
        """Start an auth service on its database."""
        return self._start_service("auth", env)

    def tasks(self, **env: str) -> Server:
        """Start a tasks service on its database."""
        return self._start_service("tasks", env)

    def gateway(
        self,
        auth: Server | str | Sequence[Server],
        tasks: Server | str | Sequence[Server],
        port: int | None = None,
        **env: str,
    ) -> Server:
        """Start a gateway in front of the given upstreams: servers or URLs on 127.0.0.1, or lists of replicas.

        On ``port`` if given (a port chosen before auth starts, so auth's emailed links can name the gateway). Its
        ``metrics_url`` is the admin listener's ``/metrics``.
        """
        upstreams: dict[str, str] = {}
        for name, s in (("AUTH", auth), ("TASKS", tasks)):
            if isinstance(s, Server | str):
                upstreams[f"{name}_PORT"] = str(urlsplit(s.url if isinstance(s, Server) else s).port)
            else:  # replicas: the Procfile line takes AUTH_URL/TASKS_URL as they are
                upstreams[f"{name}_URL"] = ",".join(replica.url for replica in s)
        admin_port = str(_free_port())
        server = self._start("gateway", {"GATEWAY_ADMIN_PORT": admin_port, **upstreams, **env}, port)
        server.metrics_url = f"http://127.0.0.1:{admin_port}/metrics"
        return server

    def maildev(self) -> MailDev:
        """Start MailDev (tools/maildev) on free SMTP and web ports."""
        smtp, web = _free_port(), _free_port()
        argv = ["node", str(MAILDEV), "--smtp", str(smtp), "--ip", "127.0.0.1", "--web", str(web)]
        argv += ["--web-ip", "127.0.0.1", "--silent"]
        env = {"PATH": os.environ.get("PATH", "")}
        server = self.spawn("maildev", argv, env=env, cwd=self.workdir, port=web, ready_path="/api/healthz")
        return MailDev(server=server, smtp_url=f"smtp://127.0.0.1:{smtp}")

    def stop_all(self) -> None:
        """Stop every process this launcher started."""
        for server in reversed(self.started):
            server.stop()


@dataclass
class MailDev:
    """The session's inbox: every email the auth services send lands here, read through MailDev's JSON API."""

    server: Server
    smtp_url: str

    def emails_to(self, address: str) -> list[dict[str, Any]]:
        """Every email to ``address``, oldest first."""
        emails: list[dict[str, Any]] = httpx.get(f"{self.server.url}/api/email", timeout=5).json()
        return [e for e in emails if any(to["address"] == address for to in e["to"])]

    def wait_for(self, address: str, count: int = 1, seconds: float = 15) -> dict[str, Any]:
        """Wait until ``address`` got ``count`` emails; return the last."""
        deadline = time.monotonic() + seconds
        while len(found := self.emails_to(address)) < count:
            assert time.monotonic() < deadline, f"{address} got {len(found)} emails, not {count}"
            time.sleep(0.1)
        return found[count - 1]


@dataclass
class System:
    """The shared system: one auth, one tasks, one gateway, and MailDev when it is installed."""

    auth: Server
    tasks: Server
    gateway: Server
    launcher: Launcher
    maildev: MailDev | None


@dataclass(frozen=True)
class Account:
    """A user signed up through the gateway."""

    email: str
    user_id: str
    access_token: str
    refresh_token: str

    @property
    def headers(self) -> dict[str, str]:
        """The Authorization header for this user."""
        return {"Authorization": f"Bearer {self.access_token}"}


def migrate(service: str, database_url: str, **settings: str) -> None:
    """Bring a service's database to head with its own Alembic tree, as ``make migrate`` does."""
    env = {"PATH": os.environ.get("PATH", ""), "DATABASE_URL": database_url, **settings}
    argv = [sys.executable, "-m", "alembic", "upgrade", "head"]
    done = subprocess.run(argv, cwd=SERVICES[service], env=env, capture_output=True, text=True)
    assert done.returncode == 0, f"{service} migrations failed:\n{done.stderr[-3000:]}"


@pytest.fixture(scope="session")
def system(
    create_database: Callable[[str], str], redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[System]:
    """Auth, tasks and the gateway, migrated and healthy, for the whole session."""
    if not services_exist():
        pytest.skip("the auth and tasks services are not built yet")
    urls = {name: create_database(name) for name in SERVICES}
    for name, url in urls.items():
        migrate(name, url)
    launcher = Launcher(tmp_path_factory.mktemp("system"), redis_url, urls)
    # A stream of the session's own: the machine's Redis is shared with other runs.
    launcher.service_env["USER_EVENTS_STREAM"] = f"test:{uuid.uuid4().hex}:user-events"
    launcher.service_env["USER_EVENTS_POLL_SECONDS"] = "0.1"
    # Every request reaches auth from the gateway's 127.0.0.1, and the limits live in the machine's shared Redis:
    # per-IP limits as tight as production's would make runs (and engineers) throttle each other.
    launcher.service_env["EMAIL_SEND_LIMIT"] = "1000 per minute"
    launcher.service_env["CHANGE_PASSWORD_LIMIT"] = "1000 per minute"
    try:
        maildev = launcher.maildev() if MAILDEV.exists() and shutil.which("node") else None
        # Without MailDev, mail goes nowhere (SMTP to a closed port): sending fails in the background only.
        launcher.service_env["SMTP_URL"] = maildev.smtp_url if maildev else f"smtp://127.0.0.1:{_free_port()}"
        auth, tasks = launcher.auth(), launcher.tasks()
        gateway = launcher.gateway(auth, tasks)
        yield System(auth=auth, tasks=tasks, gateway=gateway, launcher=launcher, maildev=maildev)
    finally:
        launcher.stop_all()
        stream = launcher.service_env["USER_EVENTS_STREAM"]
        with redis.Redis.from_url(redis_url) as client:  # the machine's Redis is shared: leave nothing behind
            client.delete(stream, f"{{{stream}}}:relayed")


@pytest.fixture
def launcher(system: System, tmp_path: Path) -> Iterator[Launcher]:
    """Extra processes for one test (fault tests break these, never the shared system)."""
    extra = Launcher(
        tmp_path, system.launcher.redis_url, system.launcher.database_urls, dict(system.launcher.service_env)
    )
    try:
        yield extra
    finally:
        extra.stop_all()


@pytest.fixture
def gateway(system: System) -> Iterator[httpx.Client]:
    """An HTTP client on the shared gateway: the only door the tests use."""
    with httpx.Client(base_url=system.gateway.url, timeout=10) as client:
        yield client


@pytest.fixture
def maildev(system: System) -> MailDev:
    """The session's MailDev; without it (``make maildev-deps`` installs it) the test skips, or fails under CI."""
    if system.maildev is None:
        reason = "MailDev is not installed (make maildev-deps) or node is missing"
        if ON_CI:
            pytest.fail(reason)
        pytest.skip(reason)
    return system.maildev


SignUp = Callable[[], Account]


@pytest.fixture
def sign_up(gateway: httpx.Client) -> SignUp:
    """Sign a fresh user up through the gateway."""

    def make() -> Account:
        email = f"user-{uuid.uuid4().hex[:12]}@example.com"
        response = gateway.post("/api/auth/signup", json={"email": email, "password": PASSWORD})
        assert response.status_code == 201, response.text
        body = response.json()
        return Account(email, body["user"]["id"], body["access_token"], body["refresh_token"])

    return make
