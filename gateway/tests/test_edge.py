"""The gateway at the edge, as started by ``python -m gateway``: bounded requests, the admin listener, the access log.

Every gateway here is a real process with the deployed defaults (``conftest._serve_gateway``); a test that
shortens a timeout says so in its environment.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from gateway.config import Settings
from gateway.server import server

if TYPE_CHECKING:
    from gateway.tests.conftest import FakeUpstream, GatewayProcess, ServeGateway, Stack

ENVELOPE_KEYS = {"detail", "message", "code", "request_id"}
MiB = 1024 * 1024


def _address(url: str) -> tuple[str, int]:
    host, port = url.removeprefix("http://").split(":")
    return host, int(port)


def _status_line(sock: socket.socket, timeout: float) -> bytes:
    """The first line the server answers on ``sock`` (b"" if it closed without a word)."""
    sock.settimeout(timeout)
    data = b""
    try:
        while b"\r\n" not in data:
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
    except ConnectionResetError:
        pass
    return data.split(b"\r\n", 1)[0]


def _send_header(url: str, size: int) -> bytes:
    """Send a request whose one header is ``size`` bytes, as far as the server lets it; return its status line."""
    with socket.create_connection(_address(url), timeout=10) as sock:
        head = b"GET /api/u1/tasks HTTP/1.1\r\nHost: gateway\r\nX-Big: "
        try:
            sock.sendall(head)
            block = b"a" * (256 * 1024)
            for _ in range(size // len(block)):
                sock.sendall(block)
            sock.sendall(b"\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server stopped reading: what it answered is still in the socket
        return _status_line(sock, 5)


def _memory_kib(pid: int, field: str) -> int:
    """VmRSS (resident now) or VmHWM (resident at its peak) of a process, in KiB."""
    status = Path(f"/proc/{pid}/status").read_text()
    match = re.search(rf"^{field}:\s+(\d+) kB", status, re.MULTILINE)
    assert match, status
    return int(match[1])


# -- bounded requests ----------------------------------------------------------------------------------------


def test_a_1_mib_header_is_refused_with_431_within_a_second(stack: Stack) -> None:
    started = time.monotonic()
    status = _send_header(stack.url, MiB)
    assert status.startswith(b"HTTP/1.1 431"), status
    assert time.monotonic() - started < 1.0


def test_a_header_at_the_limit_passes(client: httpx.Client) -> None:
    # The 16 KiB cap is request line + every header: a 12 KiB cookie leaves room for the rest.
    response = client.get("/api/u1/tasks", headers={"Cookie": "c=" + "x" * 12 * 1024})
    assert response.status_code == 200


def test_ten_parallel_32_mib_headers_leave_memory_flat(
    serve_gateway: ServeGateway, fake_upstream: tuple[str, FakeUpstream]
) -> None:
    url, upstream = fake_upstream
    with serve_gateway(url, url) as gateway:
        [worker] = gateway.worker_pids()
        before = _memory_kib(worker, "VmRSS")
        statuses: list[bytes] = []
        threads = [
            threading.Thread(target=lambda: statuses.append(_send_header(gateway.url, 32 * MiB))) for _ in range(10)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        peak = _memory_kib(worker, "VmHWM")
        assert httpx.get(f"{gateway.url}/healthz").status_code == 200
    assert all(s.startswith(b"HTTP/1.1 431") or s == b"" for s in statuses), statuses
    assert not [s for s in upstream.seen if s.header("x-big")], "an oversized header reached the upstream"
    assert peak - before < 50 * 1024, f"RSS {before} KiB before, peak {peak} KiB during the attack"


def test_a_client_dripping_its_headers_is_cut_off(serve_gateway: ServeGateway, dead_url: str) -> None:
    with serve_gateway(dead_url, dead_url, HEADER_READ_TIMEOUT_SECONDS="1") as gateway:
        with socket.create_connection(_address(gateway.url), timeout=10) as sock:
            started = time.monotonic()
            sock.sendall(b"GET /healthz HTTP/1.1\r\n")
            with pytest.raises(OSError):  # noqa: PT012 - the drip goes on until the gateway hangs up
                for _ in range(50):
                    sock.sendall(b"X-Slow: 1\r\n")
                    time.sleep(0.2)
                    if sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b"":
                        raise ConnectionAbortedError("closed by the gateway")
            assert time.monotonic() - started < 5


def test_an_idle_keep_alive_connection_is_closed(serve_gateway: ServeGateway, dead_url: str) -> None:
    with serve_gateway(dead_url, dead_url, HEADER_READ_TIMEOUT_SECONDS="1") as gateway:
        with socket.create_connection(_address(gateway.url), timeout=10) as sock:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: gateway\r\n\r\n")
            assert _status_line(sock, 5) == b"HTTP/1.1 200 OK"
            started = time.monotonic()
            sock.settimeout(10)
            while sock.recv(4096):
                pass  # the rest of the answer, then the close
            assert time.monotonic() - started < 5


def test_open_connections_are_bounded(serve_gateway: ServeGateway, dead_url: str) -> None:
    with serve_gateway(dead_url, dead_url, MAX_CONNECTIONS="2") as gateway:
        held = [socket.create_connection(_address(gateway.url)) for _ in range(2)]
        for sock in held:
            sock.sendall(b"GET /healthz HTTP/1.1\r\n")  # headers begun, never finished
        with pytest.raises(httpx.ReadTimeout):
            httpx.get(f"{gateway.url}/healthz", timeout=0.5)
        for sock in held:
            sock.close()
        assert httpx.get(f"{gateway.url}/healthz", timeout=5).status_code == 200


def test_the_servers_defaults_are_the_edge_limits() -> None:
    configured = server(Settings(_env_file=None))
    assert configured.http1_settings is not None
    assert configured.http1_settings.max_buffer_size == 16 * 1024
    assert configured.http1_settings.header_read_timeout == 10_000
    assert configured.backpressure == 1024
    assert configured.http.value == "1"  # no h2c, whose header allowance is its own
    assert (configured.bind_addr, configured.bind_port) == ("127.0.0.1", 8000)


# -- answers the server writes itself, and the ones the app writes -----------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        b"GARBAGE\r\n\r\n",
        b"GET /x HTTP/1.1\r\nHost: a\r\nContent-Length: abc\r\n\r\n",
        b"GET /x HTTP/1.1\r\nBad\r\n\r\n",
    ],
)
def test_malformed_requests_are_refused_without_plain_text(stack: Stack, raw: bytes) -> None:
    # The server refuses these before the app sees them (so no envelope is possible): 400 with an empty body.
    with socket.create_connection(_address(stack.url), timeout=5) as sock:
        sock.sendall(raw)
        sock.settimeout(5)
        answer = sock.recv(65536)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400"), answer
    assert body == b""
    assert b"content-length: 0" in head.lower()


def test_every_answer_the_gateway_writes_is_the_envelope(
    serve_gateway: ServeGateway, fake_upstream: tuple[str, FakeUpstream], dead_url: str
) -> None:
    url, upstream = fake_upstream
    with serve_gateway(dead_url, url) as gateway, httpx.Client(base_url=gateway.url, timeout=10) as c:
        answers = [
            c.get("/nowhere"),
            c.get("/metrics"),
            c.post("/api/u1/tasks", content=b"x" * (2 * MiB)),
            c.get("/api/auth/me"),  # auth is down: 502
            c.get("/api/u1/tasks/slow"),  # tasks stalls past the read timeout: 504
            c.get("/readyz"),
            c.options("/api/u1/tasks", headers={"Origin": "http://evil.test", "Access-Control-Request-Method": "GET"}),
        ]
    assert [a.status_code for a in answers] == [404, 404, 413, 502, 504, 503, 400]
    for answer in answers:
        assert answer.headers["content-type"] == "application/json"
        assert set(answer.json()) == ENVELOPE_KEYS


# -- the admin listener -------------------------------------------------------------------------------------


def test_the_public_port_never_answers_metrics(client: httpx.Client) -> None:
    response = client.get("/metrics")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_metrics_count_requests_by_upstream_and_status(stack: Stack, client: httpx.Client) -> None:
    client.get("/api/u1/tasks/1")
    client.get("/nowhere")
    client.post("/api/u1/tasks", content=b"x" * (2 * MiB))
    text = httpx.get(f"{stack.gateway.admin_url}/metrics").text
    assert re.search(r'^todo_gateway_requests_total\{status="200",upstream="tasks"\} [1-9]', text, re.MULTILINE)
    assert re.search(r'^todo_gateway_requests_total\{status="404",upstream="gateway"\} [1-9]', text, re.MULTILINE)
    assert re.search(r'^todo_gateway_failures_total\{code="payload_too_large",upstream="tasks"\} [1-9]', text, re.M)
    assert re.search(r'^todo_gateway_upstream_latency_seconds_count\{upstream="tasks"\} [1-9]', text, re.MULTILINE)
    assert re.search(r"^todo_gateway_open_connections \d", text, re.MULTILINE)


def test_metrics_count_502_and_504(
    serve_gateway: ServeGateway, fake_upstream: tuple[str, FakeUpstream], dead_url: str
) -> None:
    url, _ = fake_upstream
    with serve_gateway(dead_url, url) as gateway:
        httpx.get(f"{gateway.url}/api/auth/me")
        httpx.get(f"{gateway.url}/api/u1/tasks/slow")
        text = httpx.get(f"{gateway.admin_url}/metrics").text
    assert 'todo_gateway_failures_total{code="bad_gateway",upstream="auth"} 1.0' in text
    assert 'todo_gateway_failures_total{code="gateway_timeout",upstream="tasks"} 1.0' in text


def test_open_connections_are_counted(stack: Stack) -> None:
    with socket.create_connection(_address(stack.url)), socket.create_connection(_address(stack.url)):
        time.sleep(0.2)
        text = httpx.get(f"{stack.gateway.admin_url}/metrics").text
    match = re.search(r"^todo_gateway_open_connections (\d+)", text, re.MULTILINE)
    assert match and int(float(match[1])) >= 2


def test_the_admin_listener_serves_the_probes(stack: Stack) -> None:
    admin = stack.gateway.admin_url
    assert httpx.get(f"{admin}/healthz").json() == {"status": "ok"}
    assert httpx.get(f"{admin}/readyz").json() == {"status": "ok", "checks": {"auth": "ok", "tasks": "ok"}}
    missing = httpx.get(f"{admin}/api/u1/tasks")
    assert missing.status_code == 404
    assert set(missing.json()) == ENVELOPE_KEYS


def test_the_admin_listener_is_on_loopback_by_default() -> None:
    settings = Settings(_env_file=None)
    assert (settings.gateway_admin_host, settings.gateway_admin_port) == ("127.0.0.1", 9000)


# -- the access log -----------------------------------------------------------------------------------------


def _access_lines(gateway: GatewayProcess) -> list[dict[str, object]]:
    lines = [json.loads(line) for line in gateway.output().splitlines() if line.startswith("{")]
    return [line for line in lines if line.get("logger") == "gateway.access"]


def test_one_access_line_per_request_with_the_query_redacted(
    serve_gateway: ServeGateway, fake_upstream: tuple[str, FakeUpstream]
) -> None:
    url, _ = fake_upstream
    with serve_gateway(url, url, LOG_LEVEL="INFO") as gateway:
        headers = {"X-Request-ID": "access-1"}
        httpx.get(f"{gateway.url}/api/u1/tasks/7?access_token=s3cret&q=milk", headers=headers)
        httpx.get(f"{gateway.url}/api/auth/me", headers={"X-Request-ID": "access-2"})
        httpx.get(f"{gateway.url}/nowhere/at/all", headers={"X-Request-ID": "access-3"})
        deadline = time.monotonic() + 5
        while len(_access_lines(gateway)) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        lines = {line["request_id"]: line for line in _access_lines(gateway)}
        output = gateway.output()
    task = lines["access-1"]
    assert {k: task[k] for k in ("method", "route", "status", "upstream", "query")} == {
        "method": "GET",
        "route": "/api/{user_id}/tasks/{id}",
        "status": 200,
        "upstream": "tasks",
        "query": "access_token=[redacted]&q=milk",
    }
    assert isinstance(task["duration_ms"], float) and isinstance(task["bytes"], int) and task["bytes"] > 0
    assert (lines["access-2"]["route"], lines["access-2"]["upstream"]) == ("/api/auth/**", "auth")
    assert (lines["access-3"]["route"], lines["access-3"]["status"]) == ("unmatched", 404)
    assert "s3cret" not in output
