"""Redis or PostgreSQL unreachable: 503 in the envelope, nothing reported as done, probes say which is down."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from auth.config import Settings

pytestmark = pytest.mark.anyio


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _revoked_sessions(engine: AsyncEngine, user_id: str) -> int:
    async with engine.connect() as conn:
        count = await conn.scalar(
            text("SELECT count(*) FROM sessions WHERE user_id = :u AND revoked_at IS NOT NULL"), {"u": user_id}
        )
    return int(count or 0)


async def _eventually(check: Callable[[], Awaitable[bool]], seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not await check():
        assert time.monotonic() < deadline, "not within the deadline"
        await asyncio.sleep(0.1)


@pytest.mark.parametrize("path", ["/api/auth/logout", "/api/auth/logout-all"])
async def test_a_logout_while_redis_is_down_is_503_but_recorded_and_indexed_once_redis_is_back(
    open_client: Callable[..., Any],
    make_settings: Callable[..., Settings],
    own_redis: Any,
    engine: AsyncEngine,
    new_email: Callable[[], str],
    password: str,
    path: str,
) -> None:
    settings = make_settings(redis_url=own_redis.url, denylist_sync_interval_seconds=0.1)
    async with open_client(settings) as client:
        tokens = (await client.post("/api/auth/signup", json={"email": new_email(), "password": password})).json()
        own_redis.stop()
        assert (await client.get("/readyz")).status_code == 503
        response = await client.post(path, headers=bearer(tokens["access_token"]))
        assert response.status_code == 503, response.text
        assert response.json()["code"] == "service_unavailable"
        # PostgreSQL has the record: the session can no longer be refreshed.
        assert await _revoked_sessions(engine, tokens["user"]["id"]) == 1
        assert (
            await client.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
        ).status_code == 401
        own_redis.start()  # empty: the sync rebuilds the denylist from the record, with no retry from the client

        async def refused() -> bool:
            response = await client.get("/api/auth/me", headers=bearer(tokens["access_token"]))
            return bool(response.status_code == 401)

        await _eventually(refused)
        assert (await client.get("/readyz")).status_code == 200
        retried = await client.post(path, headers=bearer(tokens["access_token"]))
        assert retried.status_code == 200, retried.text


@pytest.mark.parametrize("path", ["/api/auth/logout", "/api/auth/logout-all"])
async def test_a_logout_whose_denylist_write_fails_is_recorded_and_repaired_when_redis_kept_its_data(
    open_client: Callable[..., Any],
    make_settings: Callable[..., Settings],
    own_redis: Any,
    new_email: Callable[[], str],
    password: str,
    path: str,
) -> None:
    settings = make_settings(redis_url=own_redis.url, denylist_sync_interval_seconds=0.1)
    async with open_client(settings) as client:
        tokens = (await client.post("/api/auth/signup", json={"email": new_email(), "password": password})).json()
        headers = bearer(tokens["access_token"])
        # With no replica to satisfy it, this makes Redis refuse every write while reads (the denylist check) work.
        async with Redis.from_url(own_redis.url) as admin:
            await admin.config_set("min-replicas-to-write", 1)
            response = await client.post(path, headers=headers)
            assert response.status_code == 503, response.text
            assert response.json()["detail"] == "Revocation could not be recorded right now"
            # Auth reads the record itself: the token is refused at once, and so is the refresh token.
            assert (await client.get("/api/auth/me", headers=headers)).status_code == 401
            assert (
                await client.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
            ).status_code == 401
            await admin.config_set("min-replicas-to-write", 0)

            async def indexed() -> bool:
                return bool(await admin.keys(f"denylist:{{{tokens['user']['id']}}}:*"))

            await _eventually(indexed)  # the sync re-wrote it from the record, with no retry from the client
        retried = await client.post(path, headers=headers)
        assert retried.status_code == 200, retried.text


@pytest.mark.parametrize("path", ["/api/auth/signup", "/api/auth/login"])
async def test_signup_and_login_are_503_while_the_rate_limit_cannot_be_checked(
    open_client: Callable[..., Any],
    make_settings: Callable[..., Settings],
    dead_redis_url: str,
    new_email: Callable[[], str],
    password: str,
    path: str,
) -> None:
    async with open_client(make_settings(redis_url=dead_redis_url)) as client:
        response = await client.post(path, json={"email": new_email(), "password": password})
    assert response.status_code == 503
    assert response.json()["code"] == "service_unavailable"


async def test_readyz_names_redis_when_it_is_down_while_healthz_stays_up(
    open_client: Callable[..., Any], make_settings: Callable[..., Settings], dead_redis_url: str
) -> None:
    async with open_client(make_settings(redis_url=dead_redis_url)) as client:
        assert (await client.get("/healthz")).json() == {"status": "ok"}
        ready = await client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["detail"] == "Not ready: denylist, redis unavailable"


async def test_readyz_is_200_when_postgres_and_redis_answer(client: httpx.AsyncClient) -> None:
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ok", "checks": {"postgres": "ok", "redis": "ok", "denylist": "ok"}}


async def test_a_database_that_is_down_is_503_not_500(
    open_client: Callable[..., Any],
    make_settings: Callable[..., Settings],
    dead_redis_url: str,
    new_email: Callable[[], str],
    password: str,
) -> None:
    port = dead_redis_url.rsplit(":", 1)[1].split("/")[0]  # borrow its free port: nothing listens there
    down = make_settings(database_url=f"postgresql+asyncpg://postgres@127.0.0.1:{port}/auth")
    async with open_client(down) as client:
        ready = await client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["detail"] == "Not ready: postgres unavailable"
        login = await client.post("/api/auth/login", json={"email": new_email(), "password": password})
    assert login.status_code == 503
    assert login.json()["code"] == "service_unavailable"
