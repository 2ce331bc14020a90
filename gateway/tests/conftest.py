"""Real servers on free ports: fake upstreams (uvicorn, or a raw socket server) and the gateway under test.

The gateway runs as it is deployed: ``python -m gateway`` in a process of its own, configured only through
its environment, from an empty working directory (so no developer's ``.env`` leaks in).
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from starlette.types import ASGIApp, Receive, Scope, Send


def _free_port() -> int:
    with closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Seen:
    """One request as the upstream received it."""

    method: str
    raw_path: str
    query: str
    headers: list[tuple[str, str]]
    body_length: int

    def header(self, name: str) -> list[str]:
        """Every value of one header."""
        return [v for k, v in self.headers if k == name.lower()]


@dataclass
class FakeUpstream:
    """An ASGI upstream that records what it got and answers a few scripted paths.

    ``.../slow`` stalls for ``stall_seconds``; ``.../stream`` sends one chunk, then waits for ``release``;
    ``.../big`` streams ``BIG`` bytes without a length; ``.../noisy`` answers with headers a proxy must drop;
    ``.../first-chunk`` tells ``got_first_chunk`` when the body's first piece arrived; ``.../empty`` is 204;
    ``/readyz`` answers 503 with ``not_ready`` (a service's own wording) when that is set. Anything else echoes.
    """

    name: str
    stall_seconds: float = 3.0
    not_ready: str | None = None
    seen: list[Seen] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    got_first_chunk: threading.Event = field(default_factory=threading.Event)

    BIG = 5 * 1024 * 1024

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        path: str = scope["path"]
        length = 0
        while True:
            message = await receive()
            length += len(message.get("body", b""))
            if length and path.endswith("/first-chunk"):
                self.got_first_chunk.set()
            if not message.get("more_body", False):
                break
        seen = Seen(
            method=scope["method"],
            raw_path=scope["raw_path"].decode(),
            query=scope["query_string"].decode(),
            headers=[(k.decode(), v.decode()) for k, v in scope["headers"]],
            body_length=length,
        )
        self.seen.append(seen)
        if path.endswith("/slow"):
            await asyncio.sleep(self.stall_seconds)
        if path.endswith("/stream"):
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"first", "more_body": True})
            await asyncio.to_thread(self.release.wait, 10)
            await send({"type": "http.response.body", "body": b"second"})
            return
        if path.endswith("/big"):
            await send({"type": "http.response.start", "status": 200, "headers": []})
            chunk = b"x" * 65536
            for _ in range(self.BIG // len(chunk)):
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b""})
            return
        if path == "/readyz" and self.not_ready is not None:
            body = json.dumps({"detail": self.not_ready, "message": self.not_ready, "code": "not_ready"}).encode()
            await send(
                {"type": "http.response.start", "status": 503, "headers": [(b"content-type", b"application/json")]}
            )
            await send({"type": "http.response.body", "body": body})
            return
        if path.endswith("/empty"):
            await send({"type": "http.response.start", "status": 204, "headers": []})
            await send({"type": "http.response.body", "body": b""})
            return
        headers = [(b"content-type", b"application/json"), (b"x-request-id", b"from-upstream")]
        if path.endswith("/noisy"):
            headers += [
                (b"keep-alive", b"timeout=99"),
                (b"proxy-authenticate", b"Basic"),
                (b"access-control-allow-origin", b"*"),
                (b"set-auth-token", b"tok"),
                (b"vary", b"Accept-Encoding"),
            ]
        body = json.dumps({"upstream": self.name, "method": seen.method, "length": length}).encode()
        headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": 201 if seen.method == "POST" else 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})


class ThreadServer:
    """A uvicorn server running an ASGI app in a background thread."""

    def __init__(self, app: ASGIApp, **options: Any) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", **options)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> ThreadServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("server did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


class OneShotServer:
    """A raw HTTP/1.1 server: answers the first request on a connection, then closes on the next one.

    It lets a test put a request on a pooled connection that the upstream drops without answering.
    """

    def __init__(self) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.methods: list[str] = []
        self._sock = socket.create_server(("127.0.0.1", self.port))
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        self._sock.settimeout(0.1)
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            threading.Thread(target=self._connection, args=(conn,), daemon=True).start()

    def _connection(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(5)
            buffered = b""
            served = 0
            while True:
                while b"\r\n\r\n" not in buffered:
                    try:
                        data = conn.recv(65536)
                    except OSError:
                        return
                    if not data:
                        return
                    buffered += data
                head, _, buffered = buffered.partition(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                self.methods.append(lines[0].split(" ")[0])
                length = next((int(h.split(":")[1]) for h in lines[1:] if h.lower().startswith("content-length:")), 0)
                while len(buffered) < length:
                    buffered += conn.recv(65536)
                buffered = buffered[length:]
                served += 1
                if served > 1:
                    return  # drop the connection without a response
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok")

    def __enter__(self) -> OneShotServer:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._sock.close()


@dataclass
class GatewayProcess:
    """A gateway started with ``python -m gateway``: its public and admin URLs, its process and its log."""

    url: str
    admin_url: str
    process: subprocess.Popen[bytes]
    log: Path

    def worker_pids(self) -> list[int]:
        """The server's worker processes (Granian serves from a child of the process it was started as)."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        return [int(pid) for pid in children]

    def output(self) -> str:
        """Everything the gateway logged so far."""
        return self.log.read_text()


@dataclass
class Stack:
    """The gateway under test with its two fake upstreams."""

    url: str
    auth: FakeUpstream
    tasks: FakeUpstream
    tasks_host: str
    gateway: GatewayProcess


def _dead_url() -> str:
    return f"http://127.0.0.1:{_free_port()}"


# Short timeouts, so the failure tests finish fast; everything else is the gateway's default.
TEST_ENV = {
    "UPSTREAM_READ_TIMEOUT_SECONDS": "0.5",
    "UPSTREAM_CONNECT_TIMEOUT_SECONDS": "0.5",
    "READY_TIMEOUT_SECONDS": "0.5",
    "LOG_LEVEL": "WARNING",
}


@contextmanager
def _serve_gateway(auth_url: str, tasks_url: str, **overrides: str) -> Iterator[GatewayProcess]:
    port, admin_port = _free_port(), _free_port()
    env = {
        "PATH": os.environ.get("PATH", ""),
        "AUTH_URL": auth_url,
        "TASKS_URL": tasks_url,
        "GATEWAY_PORT": str(port),
        "GATEWAY_ADMIN_PORT": str(admin_port),
        **TEST_ENV,
        **{name.upper(): value for name, value in overrides.items()},
    }
    with tempfile.TemporaryDirectory(prefix="gateway-") as workdir:
        log = Path(workdir) / "gateway.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "gateway"], env=env, cwd=workdir, stdout=out, stderr=subprocess.STDOUT
            )
        gateway = GatewayProcess(f"http://127.0.0.1:{port}", f"http://127.0.0.1:{admin_port}", process, log)
        try:
            _wait_until_healthy(gateway)
            yield gateway
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_healthy(gateway: GatewayProcess) -> None:
    deadline = time.monotonic() + 30
    while True:
        if gateway.process.poll() is not None:
            raise RuntimeError(f"the gateway exited with {gateway.process.returncode}:\n{gateway.output()[-3000:]}")
        try:
            if httpx.get(f"{gateway.admin_url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"the gateway did not come up:\n{gateway.output()[-3000:]}")
        time.sleep(0.05)


ServeGateway = Callable[..., AbstractContextManager[GatewayProcess]]


@pytest.fixture
def serve_gateway() -> ServeGateway:
    """Start a gateway for given upstream URLs (and setting overrides, by variable name)."""
    return _serve_gateway


@pytest.fixture
def dead_url() -> str:
    """A URL where nothing listens."""
    return _dead_url()


@pytest.fixture
def one_shot_server() -> Iterator[OneShotServer]:
    """A raw upstream that drops every second request on a connection."""
    with OneShotServer() as server:
        yield server


@pytest.fixture
def fake_upstream() -> Iterator[tuple[str, FakeUpstream]]:
    """A fresh fake upstream of a test's own (URL, recorder)."""
    upstream = FakeUpstream("tasks", stall_seconds=2.0)
    with ThreadServer(upstream) as server:
        yield server.url, upstream


@pytest.fixture
def two_live() -> Iterator[tuple[FakeUpstream, FakeUpstream, str]]:
    """Two live replicas of one service, and the ``AUTH_URL``/``TASKS_URL`` value that names both."""
    one, two = FakeUpstream("tasks-1"), FakeUpstream("tasks-2")
    with ThreadServer(one) as a, ThreadServer(two) as b:
        yield one, two, f"{a.url},{b.url}"


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    """One gateway in front of two live fake upstreams, shared by a module's tests."""
    auth, tasks = FakeUpstream("auth"), FakeUpstream("tasks")
    with ThreadServer(auth) as a, ThreadServer(tasks) as t:
        with _serve_gateway(a.url, t.url) as gateway:
            yield Stack(gateway.url, auth, tasks, f"127.0.0.1:{t.port}", gateway)


@pytest.fixture
def client(stack: Stack) -> Iterator[httpx.Client]:
    """An HTTP client aimed at the gateway."""
    with httpx.Client(base_url=stack.url, timeout=10) as c:
        yield c


@pytest.fixture
def last_seen(stack: Stack) -> Callable[[str], Seen]:
    """The last request one fake upstream received."""

    def get(name: str) -> Seen:
        upstream = stack.auth if name == "auth" else stack.tasks
        assert upstream.seen, f"{name} received nothing"
        return upstream.seen[-1]

    return get
