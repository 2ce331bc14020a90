"""Redis or PostgreSQL unreachable: 503 in the envelope, nothing reported as done, probes say which is down."""

from __future__ import annotations

from collections.abc import Callable
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


async def test_logout_is_503_and_changes_nothing_when_redis_goes_away(
    open_client: Callable[..., Any],
    make_settings: Callable[..., Settings],
    own_redis: Any,
    engine: AsyncEngine,
    new_email: Callable[[], str],
    password: str,
) -> None:
    async with open_client(make_settings(redis_url=own_redis.url)) as client:
        created = await client.post("/api/auth/signup", json={"email": new_email(), "password": password})
        tokens = created.json()
        own_redis.stop()
        for path in ("/api/auth/logout", "/api/auth/logout-all"):
            response = await client.post(path, headers=bearer(tokens["access_token"]))
            assert response.status_code == 503, response.text
            assert response.json()["code"] == "service_unavailable"
    async with engine.connect() as conn:
        revoked = await conn.scalar(
            text("SELECT count(*) FROM sessions WHERE user_id = :u AND revoked_at IS NOT NULL"),
            {"u": tokens["user"]["id"]},
        )
    assert revoked == 0


async def test_logout_is_503_and_changes_nothing_when_redis_reads_but_refuses_writes(
    open_client: Callable[..., Any],
    make_settings: Callable[..., Settings],
    own_redis: Any,
    new_email: Callable[[], str],
    password: str,
) -> None:
    async with open_client(make_settings(redis_url=own_redis.url)) as client:
        tokens = (await client.post("/api/auth/signup", json={"email": new_email(), "password": password})).json()
        # With no replica to satisfy it, this makes Redis refuse every write while reads (the denylist check) work.
        async with Redis.from_url(own_redis.url) as admin:
            await admin.config_set("min-replicas-to-write", 1)
        assert (await client.get("/api/auth/me", headers=bearer(tokens["access_token"]))).status_code == 200
        for path in ("/api/auth/logout", "/api/auth/logout-all"):
            response = await client.post(path, headers=bearer(tokens["access_token"]))
            assert response.status_code == 503, response.text
            assert response.json()["detail"] == "Revocation could not be recorded, nothing was changed"
        assert (await client.get("/api/auth/me", headers=bearer(tokens["access_token"]))).status_code == 200
        assert (await client.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]})).is_success


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
    assert ready.json()["detail"] == "Not ready: redis unavailable"


async def test_readyz_is_200_when_postgres_and_redis_answer(client: httpx.AsyncClient) -> None:
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ok", "checks": {"postgres": "ok", "redis": "ok"}}


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
    assert login.json()["code"] == "database_unavailable"
