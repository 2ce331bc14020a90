"""``todo-auth users …``, run as the real command against the test database and Redis."""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.anyio

PASSWORD = "correct horse battery"


@pytest.fixture
def todo_auth(auth_database_url: str, redis_url: str) -> Callable[..., subprocess.CompletedProcess[str]]:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        env = {"PATH": os.environ["PATH"], "DATABASE_URL": auth_database_url, "REDIS_URL": redis_url}
        return subprocess.run(["todo-auth", *args], env=env, capture_output=True, text=True, timeout=60, check=False)

    return run


async def test_disable_and_enable_a_user(
    client: httpx.AsyncClient, sign_up: Callable[..., Any], todo_auth: Callable[..., Any]
) -> None:
    email = f"user-{uuid.uuid4().hex}@example.com"
    tokens = await sign_up(email)
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert (await client.get("/api/auth/me", headers=headers)).status_code == 200

    disabled = todo_auth("users", "disable", email.upper())
    assert disabled.returncode == 0, disabled.stderr
    assert disabled.stdout.strip() == f"{email} ({tokens['user']['id']}) disabled"
    assert (await client.get("/api/auth/me", headers=headers)).status_code == 401
    refused = await client.post("/api/auth/sign-in/email", json={"email": email, "password": PASSWORD})
    assert (refused.status_code, refused.json()["code"]) == (403, "BANNED_USER")
    listed = todo_auth("users", "list", "--disabled")
    assert email in listed.stdout and "disabled" in listed.stdout

    assert todo_auth("users", "enable", email).returncode == 0
    assert email not in todo_auth("users", "list", "--disabled").stdout


def test_an_unknown_address_is_an_error(todo_auth: Callable[..., Any]) -> None:
    result = todo_auth("users", "disable", "nobody-at-all@example.com")
    assert result.returncode == 1
    assert result.stderr.strip() == "todo-auth: No account with the address nobody-at-all@example.com"
