"""Sign-in rate limits in Redis: per email+IP failures, per IP requests, 429 with Retry-After, shared by replicas."""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from auth.config import Settings
from auth.ratelimit import client_ip

pytestmark = pytest.mark.anyio

SignUp = Callable[..., Awaitable[dict[str, Any]]]


def _assert_429(response: httpx.Response, max_wait: int) -> None:
    assert response.status_code == 429, response.text
    assert response.json()["code"] == "rate_limited"
    assert 1 <= int(response.headers["retry-after"]) <= max_wait


async def test_after_the_failure_limit_even_the_right_password_gets_429(
    open_client: Callable[..., Any], make_settings: Callable[..., Settings], new_email: Callable[[], str], password: str
) -> None:
    email = new_email()
    async with open_client(make_settings(login_failure_limit="3 per 15 minutes")) as client:
        await client.post("/api/auth/signup", json={"email": email, "password": password})
        for _ in range(3):
            wrong = await client.post("/api/auth/login", json={"email": email, "password": "not the password"})
            assert wrong.status_code == 401
        _assert_429(await client.post("/api/auth/login", json={"email": email, "password": password}), 15 * 60)
        # Another address is not punished for this one's failures.
        other_ip = {"X-Forwarded-For": "192.0.2.77"}
        ok = await client.post("/api/auth/login", json={"email": email, "password": password}, headers=other_ip)
        assert ok.status_code == 200


async def test_successful_logins_do_not_count_as_failures(
    open_client: Callable[..., Any], make_settings: Callable[..., Settings], new_email: Callable[[], str], password: str
) -> None:
    email = new_email()
    async with open_client(make_settings(login_failure_limit="2 per 15 minutes")) as client:
        await client.post("/api/auth/signup", json={"email": email, "password": password})
        for _ in range(4):
            ok = await client.post("/api/auth/login", json={"email": email, "password": password})
            assert ok.status_code == 200


async def test_the_per_ip_limit_covers_signups_and_logins(
    open_client: Callable[..., Any], make_settings: Callable[..., Settings], new_email: Callable[[], str], password: str
) -> None:
    async with open_client(make_settings(login_ip_limit="3 per minute")) as client:
        assert (await client.post("/api/auth/signup", json={"email": new_email(), "password": password})).is_success
        assert (await client.post("/api/auth/signup", json={"email": new_email(), "password": password})).is_success
        assert (
            await client.post("/api/auth/login", json={"email": new_email(), "password": password})
        ).status_code == 401
        _assert_429(await client.post("/api/auth/signup", json={"email": new_email(), "password": password}), 60)
        _assert_429(await client.post("/api/auth/login", json={"email": new_email(), "password": password}), 60)


async def test_the_limit_is_shared_by_every_replica(
    open_client: Callable[..., Any], make_settings: Callable[..., Settings], new_email: Callable[[], str], password: str
) -> None:
    email = new_email()
    limited = make_settings(login_failure_limit="2 per 15 minutes")
    same_client = {"X-Forwarded-For": "198.51.100.23"}
    async with open_client(limited) as replica_a, open_client(limited) as replica_b:
        await replica_a.post("/api/auth/signup", json={"email": email, "password": password})
        for replica in (replica_a, replica_b):
            wrong = {"email": email, "password": "not the password"}
            assert (await replica.post("/api/auth/login", json=wrong, headers=same_client)).status_code == 401
        right = {"email": email, "password": password}
        _assert_429(await replica_a.post("/api/auth/login", json=right, headers=same_client), 15 * 60)
        _assert_429(await replica_b.post("/api/auth/login", json=right, headers=same_client), 15 * 60)


PROXIES = [ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("127.0.0.1/32")]


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        ("203.0.113.5", None, "203.0.113.5"),
        ("203.0.113.5", "198.51.100.1", "203.0.113.5"),  # an untrusted peer cannot pick its own address
        ("127.0.0.1", "198.51.100.1", "198.51.100.1"),
        ("127.0.0.1", "1.2.3.4, 198.51.100.1", "198.51.100.1"),  # the client may prepend lies; we read from the right
        ("127.0.0.1", "198.51.100.1, 10.1.2.3", "10.1.2.3"),  # the gateway's last entry, even from a trusted network
        ("127.0.0.1", "garbage", "127.0.0.1"),
        ("127.0.0.1", "198.51.100.1, garbage", "127.0.0.1"),
        ("127.0.0.1", "garbage, 198.51.100.1", "198.51.100.1"),
        ("127.0.0.1", " 2001:db8::1 ", "2001:db8::1"),
        (None, "198.51.100.1", "unknown"),
    ],
)
def test_client_ip_believes_x_forwarded_for_only_from_trusted_proxies(
    peer: str | None, forwarded: str | None, expected: str
) -> None:
    assert client_ip(peer, forwarded, PROXIES) == expected
