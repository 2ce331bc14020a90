"""The system's edge as a hostile client meets it, with every process run by its Procfile line (as make dev does).

Nobody but the gateway decides who the client is: forged forwarding headers change nothing, whatever the
services' own TRUSTED_PROXIES hold. No redirect names an internal address, and the errors are the envelope.
"""

from __future__ import annotations

import socket
import uuid
from typing import TYPE_CHECKING

import httpx
import pytest

if TYPE_CHECKING:
    from conftest import RedisProcess
    from tests.conftest import Launcher, SignUp, System

pytestmark = pytest.mark.integration

PASSWORD = "correct horse battery staple"
ENVELOPE_KEYS = {"detail", "message", "code", "request_id"}


def _forged(i: int) -> dict[str, str]:
    """A different made-up origin on every request, in every header a proxy might believe."""
    address = f"10.{i}.{i}.{i}"
    return {
        "X-Forwarded-For": address,
        "X-Real-IP": address,
        "Forwarded": f"for={address};proto=https",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "evil.test",
    }


def test_forged_forwarding_headers_do_not_escape_the_failed_login_limit(gateway: httpx.Client, sign_up: SignUp) -> None:
    account = sign_up()
    wrong = [
        gateway.post(
            "/api/auth/login", json={"email": account.email, "password": f"wrong-{i}-xxxxx"}, headers=_forged(i)
        )
        for i in range(1, 11)
    ]
    assert [r.status_code for r in wrong] == [401] * 10
    # The default limit is 10 failures per email and client: the 11th try waits, even with the right password.
    right = gateway.post("/api/auth/login", json={"email": account.email, "password": PASSWORD}, headers=_forged(11))
    assert right.status_code == 429, right.text
    assert right.json()["code"] == "rate_limited"


def test_forged_forwarding_headers_do_not_escape_the_per_ip_limit(
    system: System, launcher: Launcher, own_redis: RedisProcess
) -> None:
    # An auth of its own, on a Redis of its own, so the per-IP window starts empty; its limit is set low.
    auth = launcher.auth(REDIS_URL=own_redis.url, LOGIN_IP_LIMIT="5 per minute")
    gateway = launcher.gateway(auth, system.tasks)
    with httpx.Client(base_url=gateway.url, timeout=30) as client:
        statuses = [
            client.post(
                "/api/auth/signup",
                json={"email": f"ip-{uuid.uuid4().hex[:12]}@example.com", "password": PASSWORD},
                headers=_forged(i),
            ).status_code
            for i in range(1, 8)
        ]
    assert statuses == [201] * 5 + [429] * 2


@pytest.mark.parametrize(
    "path", ["/api/auth/me/", "/api/auth/login/", "/api/{user_id}/tasks/", "/api/{user_id}/tasks/1/"]
)
def test_a_trailing_slash_is_a_404_envelope_not_a_redirect(gateway: httpx.Client, sign_up: SignUp, path: str) -> None:
    account = sign_up()
    response = gateway.get(path.format(user_id=account.user_id), headers=account.headers)
    assert response.status_code == 404, response.text
    assert "location" not in response.headers
    assert set(response.json()) >= ENVELOPE_KEYS
    assert "127.0.0.1" not in response.text


def test_errors_through_the_gateway_are_never_plain_text(gateway: httpx.Client, sign_up: SignUp) -> None:
    account = sign_up()
    tasks = f"/api/{account.user_id}/tasks"
    answers = [
        gateway.get("/api/nothing"),
        gateway.get(f"{tasks}/"),
        gateway.delete(tasks, headers=account.headers),  # 405 from the service
        gateway.post(tasks, headers={**account.headers, "Content-Type": "application/json"}, content=b"{not json"),
        gateway.post("/api/auth/login", json={"email": "nobody"}),
        gateway.get("/api/auth/me", headers={"Authorization": "Bearer nonsense"}),
        gateway.options(tasks, headers={"Origin": "http://evil.test", "Access-Control-Request-Method": "GET"}),
    ]
    for answer in answers:
        assert answer.status_code >= 400, answer.text
        assert answer.headers["content-type"].startswith("application/json"), (answer.status_code, answer.text)
        assert set(answer.json()) >= ENVELOPE_KEYS


def test_a_1_mib_header_is_refused_before_any_service(system: System, gateway: httpx.Client) -> None:
    response = gateway.get("/api/auth/me", headers={"X-Big": "a" * 1024 * 1024})
    assert response.status_code == 431
    # The services cap headers too (the same Granian limits), for whatever reaches them without the gateway.
    for service in (system.auth, system.tasks):
        assert _status_after_a_big_header(service.url, 1024 * 1024).startswith(b"HTTP/1.1 431")


def _status_after_a_big_header(url: str, size: int) -> bytes:
    """Send a request with one ``size``-byte header as far as the server reads it; return its status line."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        try:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: service\r\nX-Big: " + b"a" * size + b"\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server stopped reading: its answer is still in the socket
        try:
            return sock.recv(4096).split(b"\r\n", 1)[0]
        except ConnectionResetError:
            return b""
