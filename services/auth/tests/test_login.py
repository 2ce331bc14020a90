"""POST /api/auth/login and GET /api/auth/me."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from auth.config import Settings

pytestmark = pytest.mark.anyio

SignUp = Callable[..., Awaitable[dict[str, Any]]]
ClientFactory = Callable[[Settings], Any]


async def test_login_is_200_with_a_token_response_whatever_the_email_case(
    client: httpx.AsyncClient, sign_up: SignUp, new_email: Callable[[], str], password: str
) -> None:
    email = new_email()
    user = (await sign_up(email))["user"]
    response = await client.post("/api/auth/login", json={"email": email.upper(), "password": password})
    assert response.status_code == 200
    body = response.json()
    assert body["user"] == user
    assert body["token_type"] == "bearer"
    assert body["refresh_token"]


async def test_wrong_password_and_unknown_email_get_the_same_401(
    client: httpx.AsyncClient, sign_up: SignUp, new_email: Callable[[], str]
) -> None:
    email = new_email()
    await sign_up(email)
    wrong = await client.post("/api/auth/login", json={"email": email, "password": "not the password"})
    unknown = await client.post("/api/auth/login", json={"email": new_email(), "password": "not the password"})
    for response in (wrong, unknown):
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"
        body = response.json()
        assert {k: v for k, v in body.items() if k != "request_id"} == {
            "detail": "Invalid email or password",
            "message": "Invalid email or password",
            "code": "invalid_credentials",
        }


async def test_a_disabled_account_is_403_with_the_right_password_only(
    client: httpx.AsyncClient, engine: AsyncEngine, sign_up: SignUp, new_email: Callable[[], str], password: str
) -> None:
    email = new_email()
    await sign_up(email)
    async with engine.begin() as conn:
        await conn.execute(text("UPDATE users SET is_active = false WHERE email = :e"), {"e": email})
    right = await client.post("/api/auth/login", json={"email": email, "password": password})
    assert right.status_code == 403
    assert right.json()["detail"] == "Account is disabled"
    wrong = await client.post("/api/auth/login", json={"email": email, "password": "not the password"})
    assert wrong.status_code == 401


async def test_a_hash_with_old_parameters_is_rehashed_on_login(
    open_client: ClientFactory,
    make_settings: Callable[..., Settings],
    engine: AsyncEngine,
    new_email: Callable[[], str],
    password: str,
) -> None:
    email = new_email()
    async with open_client(make_settings()) as old:
        assert (await old.post("/api/auth/signup", json={"email": email, "password": password})).status_code == 201
    stronger = make_settings(argon2_time_cost=2, argon2_memory_cost=2048)
    async with open_client(stronger) as new:
        assert (await new.post("/api/auth/login", json={"email": email, "password": password})).status_code == 200
        async with engine.connect() as conn:
            stored = (await conn.execute(text("SELECT password_hash FROM users WHERE email = :e"), {"e": email})).one()
        assert stored.password_hash.startswith("$argon2id$v=19$m=2048,t=2,p=1$")
        assert (await new.post("/api/auth/login", json={"email": email, "password": password})).status_code == 200


async def test_a_hash_with_argon2_cffi_defaults_is_upgraded_to_the_service_defaults_on_login(
    open_client: ClientFactory,
    make_settings: Callable[..., Settings],
    engine: AsyncEngine,
    new_email: Callable[[], str],
    password: str,
) -> None:
    email = new_email()
    # What every hash was made with before the cost was chosen by measurement: t=3, 64 MiB, p=4.
    before = make_settings(argon2_time_cost=3, argon2_memory_cost=65536, argon2_parallelism=4)
    async with open_client(before) as old:
        assert (await old.post("/api/auth/signup", json={"email": email, "password": password})).status_code == 201
    defaults = {name: Settings.model_fields[name].default for name in ("argon2_time_cost", "argon2_memory_cost")}
    async with open_client(make_settings(**defaults, argon2_parallelism=1)) as new:
        assert (await new.post("/api/auth/login", json={"email": email, "password": password})).status_code == 200
    async with engine.connect() as conn:
        stored = (await conn.execute(text("SELECT password_hash FROM users WHERE email = :e"), {"e": email})).one()
    assert stored.password_hash.startswith("$argon2id$v=19$m=47104,t=1,p=1$")


async def test_me_returns_id_email_name_and_created_at(client: httpx.AsyncClient, sign_up: SignUp) -> None:
    signed_up = await sign_up(name="Ada Lovelace")
    response = await client.get("/api/auth/me", headers={"Authorization": f"Bearer {signed_up['access_token']}"})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"id", "email", "name", "created_at"}
    assert body["id"] == signed_up["user"]["id"]
    assert body["name"] == "Ada Lovelace"
    assert body["created_at"].endswith("Z") or "+00:00" in body["created_at"]


async def test_me_without_a_token_is_401(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/auth/me")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["code"] == "not_authenticated"
