"""Logout, refresh rotation and reuse detection, logout-all: revocation takes effect on the very next request."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import anyio
import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

pytestmark = pytest.mark.anyio

SignUp = Callable[..., Awaitable[dict[str, Any]]]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def refresh(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.post("/api/auth/refresh", json={"refresh_token": token})


async def test_logout_revokes_the_access_token_on_the_very_next_request(
    client: httpx.AsyncClient, sign_up: SignUp
) -> None:
    tokens = await sign_up()
    assert (await client.get("/api/auth/me", headers=bearer(tokens["access_token"]))).status_code == 200
    response = await client.post("/api/auth/logout", headers=bearer(tokens["access_token"]))
    assert response.status_code == 200
    assert response.json() == {"message": "Successfully logged out"}
    after = await client.get("/api/auth/me", headers=bearer(tokens["access_token"]))
    assert after.status_code == 401
    assert after.json()["code"] == "token_revoked"


async def test_logout_revokes_the_sessions_refresh_token_and_other_access_tokens(
    client: httpx.AsyncClient, sign_up: SignUp, engine: AsyncEngine
) -> None:
    first = await sign_up()
    second = (await refresh(client, first["refresh_token"])).json()
    assert (await client.post("/api/auth/logout", headers=bearer(first["access_token"]))).status_code == 200
    assert (await client.get("/api/auth/me", headers=bearer(second["access_token"]))).status_code == 401
    assert (await refresh(client, second["refresh_token"])).status_code == 401
    async with engine.connect() as conn:
        revoked = await conn.scalar(
            text("SELECT revoked_at IS NOT NULL FROM sessions WHERE user_id = :u"), {"u": first["user"]["id"]}
        )
    assert revoked is True


async def test_logout_leaves_the_users_other_sessions_alone(
    client: httpx.AsyncClient, sign_up: SignUp, new_email: Callable[[], str], password: str
) -> None:
    email = new_email()
    phone = await sign_up(email)
    laptop = (await client.post("/api/auth/login", json={"email": email, "password": password})).json()
    assert (await client.post("/api/auth/logout", headers=bearer(phone["access_token"]))).status_code == 200
    assert (await client.get("/api/auth/me", headers=bearer(laptop["access_token"]))).status_code == 200
    assert (await refresh(client, laptop["refresh_token"])).status_code == 200


async def test_refresh_returns_a_new_pair_and_spends_the_old_token(client: httpx.AsyncClient, sign_up: SignUp) -> None:
    tokens = await sign_up()
    response = await refresh(client, tokens["refresh_token"])
    assert response.status_code == 200
    rotated = response.json()
    assert rotated["refresh_token"] != tokens["refresh_token"]
    assert rotated["access_token"] != tokens["access_token"]
    assert rotated["user"] == tokens["user"]
    assert (await client.get("/api/auth/me", headers=bearer(rotated["access_token"]))).status_code == 200
    assert (await refresh(client, rotated["refresh_token"])).status_code == 200


async def test_refresh_reuse_revokes_the_session_so_the_rotated_pair_stops_working(
    client: httpx.AsyncClient, sign_up: SignUp
) -> None:
    tokens = await sign_up()
    rotated = (await refresh(client, tokens["refresh_token"])).json()
    replay = await refresh(client, tokens["refresh_token"])
    assert replay.status_code == 401
    assert replay.json()["code"] == "refresh_token_reused"
    assert (await client.get("/api/auth/me", headers=bearer(rotated["access_token"]))).status_code == 401
    assert (await client.get("/api/auth/me", headers=bearer(tokens["access_token"]))).status_code == 401
    assert (await refresh(client, rotated["refresh_token"])).status_code == 401


async def test_two_parallel_refreshes_with_one_token_give_exactly_one_200(
    client: httpx.AsyncClient, sign_up: SignUp
) -> None:
    tokens = await sign_up()
    statuses: list[int] = []

    async def attempt() -> None:
        statuses.append((await refresh(client, tokens["refresh_token"])).status_code)

    async with anyio.create_task_group() as tg:
        tg.start_soon(attempt)
        tg.start_soon(attempt)
    assert sorted(statuses) == [200, 401]


@pytest.mark.parametrize("token", ["", "nope", "x" * 257, "MrmuPGjB6ZRsb_kOrqDuXoy1IKN4SW_jJgroVmowigY"])
async def test_an_unknown_or_malformed_refresh_token_is_rejected(client: httpx.AsyncClient, token: str) -> None:
    response = await refresh(client, token)
    assert response.status_code in (401, 422)
    assert response.json()["code"] in ("invalid_refresh_token", "validation_error")


async def test_an_expired_refresh_token_is_401(client: httpx.AsyncClient, sign_up: SignUp, engine: AsyncEngine) -> None:
    tokens = await sign_up()
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "UPDATE refresh_tokens SET expires_at = now() - interval '1 second'"
                " WHERE session_id IN (SELECT id FROM sessions WHERE user_id = :u)"
            ),
            {"u": tokens["user"]["id"]},
        )
    response = await refresh(client, tokens["refresh_token"])
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_refresh_token"


async def test_logout_all_voids_every_session_and_token(
    client: httpx.AsyncClient, sign_up: SignUp, new_email: Callable[[], str], password: str
) -> None:
    email = new_email()
    sessions = [await sign_up(email)]
    for _ in range(2):
        sessions.append((await client.post("/api/auth/login", json={"email": email, "password": password})).json())
    rotated = (await refresh(client, sessions[1]["refresh_token"])).json()
    response = await client.post("/api/auth/logout-all", headers=bearer(sessions[0]["access_token"]))
    assert response.status_code == 200
    for tokens in (*sessions[::2], rotated):
        assert (await client.get("/api/auth/me", headers=bearer(tokens["access_token"]))).status_code == 401
        assert (await refresh(client, tokens["refresh_token"])).status_code == 401
    # A sign-in after it, even within the same second, starts a working session.
    fresh = (await client.post("/api/auth/login", json={"email": email, "password": password})).json()
    assert (await client.get("/api/auth/me", headers=bearer(fresh["access_token"]))).status_code == 200


async def test_logout_and_logout_all_need_a_valid_token(client: httpx.AsyncClient) -> None:
    for path in ("/api/auth/logout", "/api/auth/logout-all"):
        response = await client.post(path)
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"
