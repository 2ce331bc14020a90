"""POST /api/auth/signup: the token response, normalised unique emails, the race, field limits."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

pytestmark = pytest.mark.anyio

SignUp = Callable[..., Awaitable[dict[str, Any]]]


async def test_signup_returns_201_with_a_token_response(
    client: httpx.AsyncClient, new_email: Callable[[], str]
) -> None:
    email = new_email()
    response = await client.post("/api/auth/signup", json={"email": email, "password": "correct horse battery"})
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "refresh_token", "user"}
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 900
    assert len(body["refresh_token"]) >= 43  # 32 random bytes, base64url
    assert set(body["user"]) == {"id", "email", "name"}
    assert body["user"]["email"] == email
    assert body["user"]["name"] == email.partition("@")[0]


async def test_signup_stores_the_email_normalised(client: httpx.AsyncClient, new_email: Callable[[], str]) -> None:
    email = new_email()
    response = await client.post("/api/auth/signup", json={"email": email.upper(), "password": "correct horse battery"})
    assert response.status_code == 201
    assert response.json()["user"]["email"] == email


async def test_signup_with_an_email_taken_in_another_case_is_400(
    client: httpx.AsyncClient, sign_up: SignUp, new_email: Callable[[], str]
) -> None:
    email = new_email()
    await sign_up(email)
    response = await client.post("/api/auth/signup", json={"email": email.upper(), "password": "another password"})
    assert response.status_code == 400
    assert response.json()["detail"] == "Email already registered"
    assert response.json()["code"] == "email_taken"


async def test_twenty_parallel_signups_of_one_email_give_exactly_one_201(
    client: httpx.AsyncClient, new_email: Callable[[], str]
) -> None:
    email = new_email()
    statuses: list[int] = []

    async def attempt(i: int) -> None:
        body = {"email": email.upper() if i % 2 else email, "password": f"password number {i}"}
        statuses.append((await client.post("/api/auth/signup", json=body)).status_code)

    async with anyio.create_task_group() as tg:
        for i in range(20):
            tg.start_soon(attempt, i)
    assert sorted(statuses) == [201] + [400] * 19


async def test_the_database_itself_refuses_a_second_account_in_another_case(
    engine: AsyncEngine, sign_up: SignUp, new_email: Callable[[], str]
) -> None:
    email = new_email()
    await sign_up(email)
    with pytest.raises(IntegrityError, match="uq_users_email_lower"):
        async with engine.begin() as conn:
            await conn.execute(
                text("INSERT INTO users (id, email, name, password_hash) VALUES (gen_random_uuid(), :e, 'x', 'x')"),
                {"e": email.upper()},
            )


async def test_name_defaults_to_the_local_part_when_blank(sign_up: SignUp, new_email: Callable[[], str]) -> None:
    email = new_email()
    assert (await sign_up(email, name="   "))["user"]["name"] == email.partition("@")[0]


@pytest.mark.parametrize(
    "name",
    [
        "Robert'); DROP TABLE users;--",
        "' OR '1'='1",
        "Zoë Ñandú 李小龍 🚀",
        "<script>alert(1)</script>",
        "x" * 100,
    ],
)
async def test_names_are_stored_and_returned_verbatim(client: httpx.AsyncClient, sign_up: SignUp, name: str) -> None:
    token = (await sign_up(name=name))["access_token"]
    me = await client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["name"] == name


async def test_an_internationalised_email_signs_up_and_in(client: httpx.AsyncClient) -> None:
    email = f"zoë-{uuid.uuid4().hex[:8]}@exämple.com"
    created = await client.post("/api/auth/signup", json={"email": email, "password": "pässwörd-ünïcode"})
    assert created.status_code == 201
    login = await client.post("/api/auth/login", json={"email": email.upper(), "password": "pässwörd-ünïcode"})
    assert login.status_code == 200
    assert login.json()["user"]["id"] == created.json()["user"]["id"]


async def test_a_common_password_is_422_naming_the_password_and_creates_nobody(
    client: httpx.AsyncClient, new_email: Callable[[], str]
) -> None:
    email = new_email()
    response = await client.post("/api/auth/signup", json={"email": email, "password": "Password1234"})
    assert response.status_code == 422
    envelope = response.json()
    assert envelope["code"] == "validation_error"
    assert envelope["detail"] == "Field 'password': is one of the most common passwords; choose another"
    assert envelope["errors"][0]["loc"] == ["body", "password"]
    assert envelope["errors"][0]["type"] == "password_too_common"
    retry = await client.post("/api/auth/signup", json={"email": email, "password": "correct horse battery"})
    assert retry.status_code == 201, retry.text


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "not-an-email", "password": "correct horse"}, "email"),
        ({"email": "a@b", "password": "correct horse"}, "email"),
        ({"email": "x" * 250 + "@example.com", "password": "correct horse"}, "email"),
        ({"email": "ok@example.com", "password": "short"}, "password"),
        ({"email": "ok@example.com", "password": "p" * 129}, "password"),
        ({"email": "ok@example.com", "password": "correct horse", "name": "n" * 101}, "name"),
    ],
    ids=["no-at", "no-dot-domain", "email-too-long", "password-short", "password-long", "name-long"],
)
async def test_out_of_bounds_fields_are_422_naming_the_field(
    client: httpx.AsyncClient, body: dict[str, Any], field: str
) -> None:
    response = await client.post("/api/auth/signup", json=body)
    assert response.status_code == 422
    envelope = response.json()
    assert envelope["code"] == "validation_error"
    assert f"'{field}'" in envelope["detail"]
    assert envelope["errors"][0]["loc"] == ["body", field]
