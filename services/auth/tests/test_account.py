"""The account lifecycle over Better Auth's protocol (WIRE-ACCOUNT.md), in-process on the real PostgreSQL, Redis
and an SMTP sink: verification, profile, password change and reset, sessions, email change, deletion, disabling."""

from __future__ import annotations

import asyncio
import hashlib
import re
import socket
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from auth import accounts
from auth.config import Settings
from todo_shared.auth import authenticate
from todo_shared.denylist import Denylist
from todo_shared.errors import Unauthorized
from todo_shared.redis import RedisClient, open_redis
from todo_shared.settings import DenylistSettings
from todo_shared.tokens import TokenSigner

pytestmark = pytest.mark.anyio

PASSWORD = "correct horse battery"
NEW_PASSWORD = "a brand new passphrase"
APP = "http://localhost:3000"
ORIGIN = {"Origin": APP}
COOKIE = "better-auth.session_token"
LINK = re.compile(r"https?://\S+")


def unique_email() -> str:
    return f"user-{uuid.uuid4().hex}@example.com"


def error(response: httpx.Response) -> tuple[int, str]:
    body = response.json()
    assert body["detail"] == body["message"]
    return response.status_code, body["code"]


class Browser:
    """One signed-in device: its session cookie, Better Auth token, and our access token for the tasks API."""

    def __init__(self, api: Api, email: str, token: str, cookie: str) -> None:
        self.api, self.email, self.token, self.cookie = api, email, token, cookie

    @property
    def headers(self) -> dict[str, str]:
        return {**ORIGIN, "Cookie": f"{COOKIE}={self.cookie}"}

    async def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return await self.api.call(method, path, headers=self.headers, **kwargs)

    async def session(self) -> Any:
        return (await self.call("GET", "/get-session")).json()

    async def access_token(self) -> str:
        response = await self.call("GET", "/token")
        assert response.status_code == 200, response.text
        token: str = response.json()["token"]
        return token


class Api:
    def __init__(self, client: httpx.AsyncClient, settings: Settings, inbox: Any, redis: RedisClient) -> None:
        self.client, self.settings, self.inbox = client, settings, inbox
        self.verifier = settings.token_verifier()
        self.denylist = Denylist(redis, ttl_seconds=settings.denylist_ttl_seconds)

    async def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        response = await self.client.request(method, "/api/auth" + path, **kwargs)
        self.client.cookies.clear()
        return response

    async def sign_up(self, email: str | None = None) -> Browser:
        email = email or unique_email()
        body = {"name": "Ada", "email": email, "password": PASSWORD}
        response = await self.call("POST", "/sign-up/email", json=body, headers=ORIGIN)
        assert response.status_code == 200, response.text
        return Browser(self, email, response.json()["token"], response.cookies[COOKIE])

    async def sign_in(self, email: str, password: str = PASSWORD) -> httpx.Response:
        return await self.call("POST", "/sign-in/email", json={"email": email, "password": password}, headers=ORIGIN)

    async def device(self, email: str) -> Browser:
        response = await self.sign_in(email)
        assert response.status_code == 200, response.text
        return Browser(self, email, response.json()["token"], response.cookies[COOKIE])

    async def link(self, to: str, count: int = 1) -> str:
        """The link in the ``count``-th email to ``to``."""
        message = await self.inbox.wait_for(to, count)
        body = message.get_body(preferencelist=("plain",)).get_content()
        html = message.get_body(preferencelist=("html",)).get_content()
        found = LINK.search(body)
        assert found, body
        assert found[0].replace("&", "&amp;") in html  # the HTML part carries the same, escaped
        return found[0]

    async def revoked(self, access_token: str) -> bool:
        try:
            await authenticate(f"Bearer {access_token}", verifier=self.verifier, denylist=self.denylist)
        except Unauthorized:
            return True
        return False


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[RedisClient]:
    client = open_redis(redis_url, timeout_seconds=1.0)
    yield client
    await client.aclose()


@pytest.fixture
def api(client: httpx.AsyncClient, settings: Settings, inbox: Any, redis: RedisClient) -> Api:
    return Api(client, settings, inbox, redis)


async def stream_entries(redis: RedisClient, stream: str) -> list[dict[str, str]]:
    entries: Any = await redis.xrange(stream)
    return [fields for _, fields in entries]


def path_of(link: str) -> str:
    parts = urlsplit(link)
    assert parts.path.startswith("/api/auth/")
    return parts.path.removeprefix("/api/auth") + (f"?{parts.query}" if parts.query else "")


def query(link: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(link).query).items()}


# --- email verification ---------------------------------------------------------------------------------------


async def test_sign_up_emails_a_verification_link_that_verifies_once(api: Api, engine: AsyncEngine) -> None:
    ada = await api.sign_up()
    link = await api.link(ada.email)
    assert link.startswith(f"{api.settings.public_base_url}/api/auth/verify-email?token=")
    assert query(link)["callbackURL"] == "/"
    token = query(link)["token"]
    async with engine.connect() as conn:  # stored as a digest only, for 24 hours
        row = (
            await conn.execute(
                text("SELECT token_hash, expires_at - created_at AS ttl FROM email_tokens WHERE email = :e"),
                {"e": ada.email},
            )
        ).one()
    assert row.token_hash == hashlib.sha256(token.encode()).digest()
    assert abs(row.ttl - timedelta(hours=24)) < timedelta(seconds=5)

    assert (await ada.session())["user"]["emailVerified"] is False
    verified = await api.call("GET", f"/verify-email?token={token}")
    assert (verified.status_code, verified.json()) == (200, {"status": True, "user": None})
    assert (await ada.session())["user"]["emailVerified"] is True
    assert error(await api.call("GET", f"/verify-email?token={token}")) == (401, "INVALID_TOKEN")


async def test_the_emailed_link_redirects_to_the_front_end(api: Api) -> None:
    ada = await api.sign_up()
    opened = await api.call("GET", path_of(await api.link(ada.email)))
    assert (opened.status_code, opened.headers["location"], opened.content) == (302, f"{APP}/", b"")
    again = await api.call("GET", path_of(await api.link(ada.email)))
    assert again.headers["location"] == f"{APP}/?error=INVALID_TOKEN"


async def test_verify_email_refuses_garbage_expired_and_untrusted_callbacks(api: Api, engine: AsyncEngine) -> None:
    assert error(await api.call("GET", "/verify-email?token=garbage")) == (401, "INVALID_TOKEN")
    bad = await api.call("GET", "/verify-email?token=garbage&callbackURL=http://localhost:3000/verified?x=1")
    assert bad.headers["location"] == f"{APP}/verified?x=1&error=INVALID_TOKEN"
    evil = await api.call("GET", "/verify-email?token=garbage&callbackURL=https://evil.example/")
    assert error(evil) == (403, "INVALID_CALLBACK_URL")
    ada = await api.sign_up()
    token = query(await api.link(ada.email))["token"]
    async with engine.begin() as conn:
        await conn.execute(text("UPDATE email_tokens SET expires_at = now() WHERE email = :e"), {"e": ada.email})
    assert error(await api.call("GET", f"/verify-email?token={token}")) == (401, "TOKEN_EXPIRED")


async def test_send_verification_email_signed_in_and_out(api: Api) -> None:
    ada = await api.sign_up()
    await api.link(ada.email)
    body = {"email": ada.email, "callbackURL": f"{APP}/verified"}
    assert (await ada.call("POST", "/send-verification-email", json=body)).json() == {"status": True}
    assert query(await api.link(ada.email, 2))["callbackURL"] == f"{APP}/verified"
    other = await ada.call("POST", "/send-verification-email", json={"email": unique_email()})
    assert error(other) == (400, "EMAIL_MISMATCH")
    nobody = unique_email()
    signed_out = await api.call("POST", "/send-verification-email", json={"email": nobody}, headers=ORIGIN)
    assert (signed_out.status_code, signed_out.json()) == (200, {"status": True})
    await api.call("GET", path_of(await api.link(ada.email, 2)))
    assert error(await ada.call("POST", "/send-verification-email", json={"email": ada.email})) == (
        400,
        "EMAIL_ALREADY_VERIFIED",
    )
    await asyncio.sleep(0.3)
    assert api.inbox.to(nobody) == []


# --- profile ---------------------------------------------------------------------------------------------------


async def test_update_user_sets_the_name_and_image(api: Api) -> None:
    ada = await api.sign_up()
    before = (await ada.session())["user"]["updatedAt"]
    response = await ada.call("POST", "/update-user", json={"name": "Ada Lovelace", "image": "https://x.example/a.png"})
    assert (response.status_code, response.json()) == (200, {"status": True})
    user = (await ada.session())["user"]
    assert (user["name"], user["image"]) == ("Ada Lovelace", "https://x.example/a.png")
    assert user["updatedAt"] > before
    await ada.call("POST", "/update-user", json={"image": None})
    assert (await ada.session())["user"]["image"] is None


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({}, 400, "NO_FIELDS_TO_UPDATE"),
        ({"email": "x@example.com"}, 400, "EMAIL_CAN_NOT_BE_UPDATED"),
        ({"name": 5}, 400, "VALIDATION_ERROR"),
        ({"name": "x" * 101}, 400, "VALIDATION_ERROR"),
        ({"image": "x" * 3000}, 400, "VALIDATION_ERROR"),
    ],
)
async def test_update_user_refuses_bad_input(api: Api, body: dict[str, Any], status: int, code: str) -> None:
    ada = await api.sign_up()
    assert error(await ada.call("POST", "/update-user", json=body)) == (status, code)


async def test_account_routes_need_a_session_and_take_our_access_token(api: Api) -> None:
    assert error(await api.call("POST", "/update-user", json={"name": "X"}, headers=ORIGIN)) == (401, "UNAUTHORIZED")
    assert error(await api.call("GET", "/list-sessions")) == (401, "UNAUTHORIZED")
    ada = await api.sign_up()
    access = await ada.access_token()
    jwt = {"Authorization": f"Bearer {access}"}
    assert (await api.call("POST", "/update-user", json={"name": "Via JWT"}, headers=jwt)).status_code == 200
    assert (await ada.session())["user"]["name"] == "Via JWT"
    assert len((await api.call("GET", "/list-sessions", headers=jwt)).json()) == 1
    await ada.call("POST", "/sign-out", json={})
    assert error(await api.call("GET", "/list-sessions", headers=jwt)) == (401, "UNAUTHORIZED")


# --- password change -------------------------------------------------------------------------------------------


async def test_change_password_checks_the_current_one_first(api: Api) -> None:
    ada = await api.sign_up()
    wrong = {"currentPassword": "not my password", "newPassword": NEW_PASSWORD}
    assert error(await ada.call("POST", "/change-password", json=wrong)) == (400, "INVALID_PASSWORD")
    short = {"currentPassword": "not my password", "newPassword": "short"}
    assert error(await ada.call("POST", "/change-password", json=short)) == (400, "PASSWORD_TOO_SHORT")
    missing = await ada.call("POST", "/change-password", json={"newPassword": NEW_PASSWORD})
    assert error(missing) == (400, "VALIDATION_ERROR")
    common = {"currentPassword": PASSWORD, "newPassword": "password123"}
    assert error(await ada.call("POST", "/change-password", json=common)) == (400, "PASSWORD_COMPROMISED")


async def test_change_password_keeps_other_sessions_unless_asked(api: Api) -> None:
    ada = await api.sign_up()
    phone = await api.device(ada.email)
    body = {"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD}
    changed = await ada.call("POST", "/change-password", json=body)
    assert changed.status_code == 200, changed.text
    assert changed.json()["token"] is None and changed.json()["user"]["email"] == ada.email
    assert await phone.session() is not None
    assert error(await api.sign_in(ada.email)) == (401, "INVALID_EMAIL_OR_PASSWORD")
    assert (await api.sign_in(ada.email, NEW_PASSWORD)).status_code == 200


async def test_change_password_with_revoke_other_sessions_revokes_them_at_once(api: Api) -> None:
    ada = await api.sign_up()
    phone = await api.device(ada.email)
    phone_access = await phone.access_token()
    body = {"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD, "revokeOtherSessions": True}
    assert (await ada.call("POST", "/change-password", json=body)).status_code == 200
    assert await phone.session() is None
    assert await api.revoked(phone_access)  # the tasks service refuses it on the next request
    assert (await ada.session())["user"]["email"] == ada.email
    assert not await api.revoked(await ada.access_token())


async def test_change_password_is_limited_per_account(api: Api) -> None:
    ada = await api.sign_up()
    wrong = {"currentPassword": "not my password", "newPassword": NEW_PASSWORD}
    statuses = [(await ada.call("POST", "/change-password", json=wrong)).status_code for _ in range(4)]
    assert statuses == [400, 400, 400, 429]
    limited = await ada.call("POST", "/change-password", json=wrong)
    assert limited.json()["message"] == "Too many requests. Please try again later."
    assert int(limited.headers["x-retry-after"]) > 0


# --- password reset --------------------------------------------------------------------------------------------


async def test_request_password_reset_answers_the_same_for_known_and_unknown_emails(api: Api) -> None:
    ada = await api.sign_up()
    nobody = unique_email()
    answers = []
    for email in (ada.email, nobody):
        body = {"email": email, "redirectTo": f"{APP}/reset-password"}
        response = await api.call("POST", "/request-password-reset", json=body, headers=ORIGIN)
        answers.append((response.status_code, response.json()))
    assert (
        answers[0]
        == answers[1]
        == (
            200,
            {"status": True, "message": "If this email exists in our system, check your email for the reset link"},
        )
    )
    link = await api.link(ada.email, 2)  # the first is the sign-up's verification
    assert link.startswith(f"{api.settings.public_base_url}/api/auth/reset-password/")
    assert query(link) == {"callbackURL": f"{APP}/reset-password"}
    await asyncio.sleep(0.3)
    assert api.inbox.to(nobody) == []


async def test_request_password_reset_refuses_an_untrusted_redirect_and_a_bad_email(api: Api) -> None:
    evil = {"email": unique_email(), "redirectTo": "https://evil.example/reset"}
    assert error(await api.call("POST", "/request-password-reset", json=evil)) == (403, "INVALID_REDIRECT_URL")
    bad = await api.call("POST", "/request-password-reset", json={"email": "nope"})
    assert bad.json()["message"] == "[body.email] Invalid email address"


@pytest.fixture
def black_hole() -> Iterator[str]:
    """An SMTP URL whose server accepts the connection and never says a word."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    try:
        yield f"smtp://127.0.0.1:{server.getsockname()[1]}"
    finally:
        server.close()


async def test_request_password_reset_never_waits_for_the_mail_server(
    open_client: Callable[[Settings], AbstractAsyncContextManager[httpx.AsyncClient]],
    make_settings: Callable[..., Settings],
    black_hole: str,
    engine: AsyncEngine,
) -> None:
    email = unique_email()
    async with engine.begin() as conn:
        await conn.execute(
            text("INSERT INTO users (id, email, name, password_hash) VALUES (:i, :e, 'x', 'x')"),
            {"i": uuid.uuid4(), "e": email},
        )
    settings = make_settings(smtp_url=black_hole, smtp_timeout_seconds=30)
    async with open_client(settings) as client:
        started = time.monotonic()
        response = await client.post("/api/auth/request-password-reset", json={"email": email})
        elapsed = time.monotonic() - started
    assert response.status_code == 200
    assert elapsed < 5  # the mail server would hold a waiting request for 30 s


async def _reset_link(api: Api, email: str, count: int) -> str:
    body = {"email": email, "redirectTo": "/reset-password"}
    assert (await api.call("POST", "/request-password-reset", json=body, headers=ORIGIN)).status_code == 200
    return await api.link(email, count)


async def test_the_reset_link_leads_to_the_front_end_page_with_the_token(api: Api) -> None:
    ada = await api.sign_up()
    link = await _reset_link(api, ada.email, 2)
    token = urlsplit(link).path.rsplit("/", 1)[1]
    opened = await api.call("GET", path_of(link))
    assert (opened.status_code, opened.headers["location"]) == (302, f"{APP}/reset-password?token={token}")
    assert (await api.call("GET", f"/reset-password/{token}?callbackURL=")).headers["location"] == (
        f"{APP}/reset-password?token={token}"
    )
    bogus = await api.call("GET", "/reset-password/bogus?callbackURL=%2Freset-password")
    assert bogus.headers["location"] == f"{APP}/reset-password?error=INVALID_TOKEN"
    assert error(await api.call("GET", f"/reset-password/{token}")) == (400, "VALIDATION_ERROR")
    untrusted = await api.call("GET", f"/reset-password/{token}?callbackURL=https://evil.example/")
    assert error(untrusted) == (403, "INVALID_CALLBACK_URL")


async def test_reset_password_sets_the_password_revokes_every_session_and_spends_the_token(
    api: Api, engine: AsyncEngine
) -> None:
    ada = await api.sign_up()
    phone = await api.device(ada.email)
    access = await phone.access_token()
    first = urlsplit(await _reset_link(api, ada.email, 2)).path.rsplit("/", 1)[1]
    second = urlsplit(await _reset_link(api, ada.email, 3)).path.rsplit("/", 1)[1]
    async with engine.connect() as conn:
        ttl = await conn.scalar(
            text(
                "SELECT max(expires_at - created_at) FROM email_tokens WHERE email = :e AND purpose = 'reset_password'"
            ),
            {"e": ada.email},
        )
    assert abs(ttl - timedelta(hours=1)) < timedelta(seconds=5)

    short = await api.call("POST", "/reset-password", json={"newPassword": "short", "token": first})
    assert error(short) == (400, "PASSWORD_TOO_SHORT")
    common = await api.call("POST", "/reset-password", json={"newPassword": "password123", "token": first})
    assert error(common) == (400, "PASSWORD_COMPROMISED")
    done = await api.call("POST", "/reset-password", json={"newPassword": NEW_PASSWORD, "token": first})
    assert (done.status_code, done.json()) == (200, {"status": True})
    assert await ada.session() is None and await phone.session() is None
    assert await api.revoked(access)
    assert error(await api.sign_in(ada.email)) == (401, "INVALID_EMAIL_OR_PASSWORD")
    assert (await api.sign_in(ada.email, NEW_PASSWORD)).status_code == 200
    # Single use, and a reset voids every other outstanding reset link.
    for token in (first, second):
        again = await api.call("POST", "/reset-password", json={"newPassword": "another passphrase", "token": token})
        assert error(again) == (400, "INVALID_TOKEN")
    assert error(await api.call("POST", "/reset-password", json={"newPassword": NEW_PASSWORD})) == (
        400,
        "INVALID_TOKEN",
    )


# --- sessions --------------------------------------------------------------------------------------------------


async def test_list_sessions_hands_out_handles_not_secrets(api: Api) -> None:
    ada = await api.sign_up()
    phone = await api.device(ada.email)
    listed = await ada.call("GET", "/list-sessions")
    assert listed.status_code == 200
    sessions = listed.json()
    assert [s["id"] for s in sessions] == [
        (await ada.session())["session"]["id"],
        (await phone.session())["session"]["id"],
    ]
    for item in sessions:
        assert item["token"] == item["id"]  # a handle, not the bearer secret
        assert set(item) == {"id", "token", "userId", "expiresAt", "createdAt", "updatedAt", "ipAddress", "userAgent"}
    assert ada.token not in listed.text and phone.token not in listed.text
    eve = await api.sign_up()
    assert len((await eve.call("GET", "/list-sessions")).json()) == 1


async def test_revoke_session_by_its_handle_reaches_the_denylist(api: Api) -> None:
    ada = await api.sign_up()
    phone = await api.device(ada.email)
    access = await phone.access_token()
    handle = (await ada.call("GET", "/list-sessions")).json()[1]["token"]
    revoked = await ada.call("POST", "/revoke-session", json={"token": handle})
    assert (revoked.status_code, revoked.json()) == (200, {"status": True})
    assert "set-cookie" not in revoked.headers
    assert await phone.session() is None and await api.revoked(access)
    assert await ada.session() is not None
    eve = await api.sign_up()
    foreign = (await eve.call("GET", "/list-sessions")).json()[0]["token"]
    assert (await ada.call("POST", "/revoke-session", json={"token": foreign})).json() == {"status": True}
    assert await eve.session() is not None
    assert error(await ada.call("POST", "/revoke-session", json={})) == (400, "VALIDATION_ERROR")


async def test_revoking_the_current_session_clears_its_cookies(api: Api) -> None:
    ada = await api.sign_up()
    response = await ada.call("POST", "/revoke-session", json={"token": ada.token})  # a raw token works too
    assert [c.split(";")[0] for c in response.headers.get_list("set-cookie")] == [
        "better-auth.session_token=",
        "better-auth.session_data=",
        "better-auth.dont_remember=",
    ]
    assert await ada.session() is None


async def test_revoke_other_sessions_and_revoke_sessions(api: Api) -> None:
    ada = await api.sign_up()
    phone, laptop = await api.device(ada.email), await api.device(ada.email)
    phone_access = await phone.access_token()
    assert (await ada.call("POST", "/revoke-other-sessions", json={})).json() == {"status": True}
    assert await phone.session() is None and await laptop.session() is None and await api.revoked(phone_access)
    assert len((await ada.call("GET", "/list-sessions")).json()) == 1
    tablet = await api.device(ada.email)
    ada_access = await ada.access_token()
    everything = await ada.call("POST", "/revoke-sessions", json={})
    assert everything.json() == {"status": True} and len(everything.headers.get_list("set-cookie")) == 3
    assert await ada.session() is None and await tablet.session() is None and await api.revoked(ada_access)


# --- email change ----------------------------------------------------------------------------------------------


async def test_a_verified_user_changes_email_through_both_addresses(api: Api) -> None:
    ada = await api.sign_up()
    await api.call("GET", path_of(await api.link(ada.email)))  # verified
    new = unique_email()
    body = {"newEmail": new.upper(), "callbackURL": f"{APP}/email-changed"}
    assert (await ada.call("POST", "/change-email", json=body)).json() == {"status": True}
    confirm = await api.link(ada.email, 2)  # to the old address first
    assert (await api.call("GET", path_of(confirm))).headers["location"] == f"{APP}/email-changed"
    assert (await ada.session())["user"]["email"] == ada.email  # nothing changed yet
    verify = await api.link(new)
    opened = await api.call("GET", path_of(verify).split("&callbackURL")[0])
    assert opened.status_code == 200 and opened.json()["user"]["email"] == new
    user = (await ada.session())["user"]
    assert (user["email"], user["emailVerified"]) == (new, True)
    assert error(await api.sign_in(ada.email)) == (401, "INVALID_EMAIL_OR_PASSWORD")
    assert (await api.sign_in(new)).status_code == 200


async def test_an_unverified_user_changes_email_by_the_new_address_alone(api: Api) -> None:
    ada = await api.sign_up()
    new = unique_email()
    await ada.call("POST", "/change-email", json={"newEmail": new})
    opened = await api.call("GET", path_of(await api.link(new)))
    assert opened.headers["location"] == f"{APP}/"
    assert (await ada.session())["user"]["email"] == new
    # The sign-up's link was for the old address: it no longer verifies anything.
    assert (await api.call("GET", path_of(await api.link(ada.email)))).headers["location"].endswith("INVALID_TOKEN")


async def test_change_email_to_a_taken_address_says_ok_and_sends_nothing(api: Api) -> None:
    ada, eve = await api.sign_up(), await api.sign_up()
    assert (await ada.call("POST", "/change-email", json={"newEmail": eve.email})).json() == {"status": True}
    assert error(await ada.call("POST", "/change-email", json={"newEmail": ada.email})) == (400, "EMAIL_IS_THE_SAME")
    await asyncio.sleep(0.3)
    assert len(api.inbox.to(eve.email)) == 1 and len(api.inbox.to(ada.email)) == 1  # their sign-up emails only


async def test_an_email_change_link_opened_as_another_user_is_refused(api: Api) -> None:
    ada, eve = await api.sign_up(), await api.sign_up()
    new = unique_email()
    await ada.call("POST", "/change-email", json={"newEmail": new})
    link = await api.link(new)
    assert error(await eve.call("GET", path_of(link).split("&callbackURL")[0])) == (401, "INVALID_USER")
    assert (await ada.call("GET", path_of(link))).status_code == 302


# --- deletion and disabling ------------------------------------------------------------------------------------


async def test_delete_user_checks_the_password_and_deletes_everything_at_once(api: Api, engine: AsyncEngine) -> None:
    ada = await api.sign_up()
    phone = await api.device(ada.email)
    access = await phone.access_token()
    user_id = (await ada.session())["user"]["id"]
    assert error(await ada.call("POST", "/delete-user", json={"password": "wrong password"})) == (
        400,
        "INVALID_PASSWORD",
    )
    deleted = await ada.call("POST", "/delete-user", json={"password": PASSWORD})
    assert (deleted.status_code, deleted.json()) == (200, {"success": True, "message": "User deleted"})
    assert len(deleted.headers.get_list("set-cookie")) == 3
    assert await ada.session() is None and await phone.session() is None and await api.revoked(access)
    assert error(await api.sign_in(ada.email)) == (401, "INVALID_EMAIL_OR_PASSWORD")
    async with engine.connect() as conn:
        assert await conn.scalar(text("SELECT count(*) FROM sessions WHERE user_id = :u"), {"u": user_id}) == 0
        events = (
            await conn.execute(text("SELECT event, payload FROM outbox WHERE payload->>'user_id' = :u"), {"u": user_id})
        ).all()
        before = await conn.scalar(
            text("SELECT revoked_before FROM user_revocations WHERE user_id = :u"), {"u": user_id}
        )
    assert [(e.event, e.payload) for e in events] == [("user.deleted", {"user_id": user_id})]
    # Rounded up to the next second: a token minted in the very second of the deletion is void too, even by a
    # session the record no longer has (the denylist's "before" compares whole seconds).
    assert before > datetime.now(UTC) - timedelta(seconds=1) and before.microsecond == 0
    signer = TokenSigner(
        secret=api.settings.jwt_secret.get_secret_value(),
        issuer=api.settings.jwt_issuer,
        audience=api.settings.jwt_audience,
        lifetime_seconds=900,
    )
    same_second, _ = signer.mint(
        user_id=user_id, email=ada.email, session_id=str(uuid.uuid4()), now=int(before.timestamp()) - 1
    )
    assert await api.revoked(same_second)


async def test_delete_user_without_a_password_needs_a_fresh_session(api: Api, engine: AsyncEngine) -> None:
    ada = await api.sign_up()
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "UPDATE sessions SET created_at = now() - interval '2 days'"
                " FROM users WHERE users.id = sessions.user_id AND users.email = :e"
            ),
            {"e": ada.email},
        )
    assert error(await ada.call("POST", "/delete-user", json={})) == (400, "SESSION_EXPIRED")
    fresh = await api.device(ada.email)
    assert (await fresh.call("POST", "/delete-user", json={})).json() == {"success": True, "message": "User deleted"}
    assert error(await fresh.call("POST", "/delete-user", json={"token": "x"})) == (401, "UNAUTHORIZED")


async def test_the_outbox_relay_publishes_the_deletion_to_the_stream(api: Api, redis: RedisClient) -> None:
    ada = await api.sign_up()
    user_id = (await ada.session())["user"]["id"]
    await ada.call("POST", "/delete-user", json={"password": PASSWORD})
    stream = api.settings.user_events_stream
    deadline = time.monotonic() + 10
    while True:
        entries = await stream_entries(redis, stream)
        if any(fields["user_id"] == user_id for fields in entries):
            break
        assert time.monotonic() < deadline, "not published"
        await asyncio.sleep(0.05)
    assert [f["event"] for f in entries if f["user_id"] == user_id] == ["user.deleted"]


async def test_a_lost_stream_is_published_again_from_the_outbox(
    api: Api, redis: RedisClient, open_client: Callable[..., Any], make_settings: Callable[..., Settings]
) -> None:
    stream = f"test:{uuid.uuid4().hex}:user-events"
    async with open_client(make_settings(user_events_stream=stream)) as client:
        other = Api(client, api.settings, api.inbox, redis)
        ada = await other.sign_up()
        user_id = (await ada.session())["user"]["id"]
        await ada.call("POST", "/delete-user", json={"password": PASSWORD})

        async def published() -> list[str]:
            return [f["user_id"] for f in await stream_entries(redis, stream)]

        deadline = time.monotonic() + 10
        while user_id not in await published():
            assert time.monotonic() < deadline
            await asyncio.sleep(0.05)
        await redis.delete(stream, f"{{{stream}}}:relayed")  # Redis lost it before tasks read it
        while user_id not in await published():
            assert time.monotonic() < deadline, "not published again"
            await asyncio.sleep(0.05)
    await redis.delete(stream, f"{{{stream}}}:relayed")


async def test_disabling_a_user_kills_their_tokens_and_refuses_sign_in(
    api: Api, engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    ada = await api.sign_up()
    access = await ada.access_token()
    sessionmaker = async_sessionmaker(engine, expire_on_commit=False, class_=AsyncSession)
    async with sessionmaker() as db:
        await accounts.set_active(db, denylist=api.denylist, email=ada.email, active=False)
    assert await ada.session() is None and await api.revoked(access)
    refused = await api.sign_in(ada.email)
    assert refused.status_code == 403
    assert refused.json()["code"] == "BANNED_USER"
    assert refused.json()["message"].startswith("You have been banned from this application")
    login = await client.post("/api/auth/login", json={"email": ada.email, "password": PASSWORD})
    assert (login.status_code, login.json()["code"]) == (403, "account_disabled")
    async with sessionmaker() as db:
        await accounts.set_active(db, denylist=api.denylist, email=ada.email, active=True)
    await asyncio.sleep(1)  # the disabling voided every token issued up to the next whole second
    assert (await api.sign_in(ada.email)).status_code == 200


def test_the_admin_settings_need_no_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JWT_SECRET", raising=False)
    assert DenylistSettings(_env_file=None).denylist_ttl_seconds == 930


def test_openapi_documents_every_account_route(settings: Settings) -> None:
    from auth.main import create_app

    paths = create_app(settings).openapi()["paths"]
    for path in (
        "/api/auth/send-verification-email",
        "/api/auth/verify-email",
        "/api/auth/update-user",
        "/api/auth/change-password",
        "/api/auth/request-password-reset",
        "/api/auth/reset-password/{token}",
        "/api/auth/reset-password",
        "/api/auth/list-sessions",
        "/api/auth/revoke-session",
        "/api/auth/revoke-other-sessions",
        "/api/auth/revoke-sessions",
        "/api/auth/change-email",
        "/api/auth/delete-user",
    ):
        assert path in paths, path
    change = paths["/api/auth/change-password"]["post"]
    assert "revokeOtherSessions" in change["requestBody"]["content"]["application/json"]["schema"]["properties"]
    assert {"400", "401", "429"} <= set(change["responses"])
