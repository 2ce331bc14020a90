"""The account lifecycle through the gateway, as the official Better Auth client makes the calls, with the emails
read from MailDev; and deleting an account reaching the tasks service through the outbox and the Redis Stream."""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import asyncpg
import httpx
import pytest
import redis

from tests.conftest import until

if TYPE_CHECKING:
    from tests.conftest import Launcher, MailDev, Server, System

pytestmark = pytest.mark.integration

PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "a brand new passphrase"
APP = "http://localhost:3000"
COOKIE = "better-auth.session_token"
LINK = re.compile(r"https?://\S+")


class Device:
    """One browser: its own cookie jar, sending the front end's Origin like a page of the app does."""

    def __init__(self, gateway_url: str) -> None:
        self.http = httpx.Client(base_url=f"{gateway_url}/api/auth", headers={"Origin": APP}, timeout=10)

    def sign_up(self, email: str) -> dict[str, Any]:
        response = self.http.post("/sign-up/email", json={"name": "Ada", "email": email, "password": PASSWORD})
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def sign_in(self, email: str, password: str = PASSWORD) -> httpx.Response:
        return self.http.post("/sign-in/email", json={"email": email, "password": password})

    def session(self) -> Any:
        return self.http.get("/get-session").json()

    def access_token(self) -> str:
        token: str = self.http.get("/token").json()["token"]
        return token


@pytest.fixture
def devices(system: System) -> Iterator[Callable[[], Device]]:
    made: list[Device] = []

    def make() -> Device:
        made.append(Device(system.gateway.url))
        return made[-1]

    yield make
    for device in made:
        device.http.close()


def link_in(email: dict[str, Any]) -> str:
    found = LINK.search(email["text"])
    assert found, email["text"]
    return found[0]


def tasks_of(system: System, user_id: str) -> int:
    async def count() -> int:
        conn = await asyncpg.connect(system.launcher.database_urls["tasks"].replace("+asyncpg", ""))
        try:
            return int(await conn.fetchval("SELECT count(*) FROM tasks WHERE user_id = $1", user_id))
        finally:
            await conn.close()

    return asyncio.run(count())


def add_tasks(gateway_url: str, user_id: str, token: str, count: int) -> None:
    for n in range(count):
        response = httpx.post(
            f"{gateway_url}/api/{user_id}/tasks",
            json={"title": f"task {n}"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 201, response.text


def test_verify_change_and_reset_the_password_with_emails_from_maildev(
    system: System, maildev: MailDev, devices: Callable[[], Device]
) -> None:
    laptop, phone = devices(), devices()
    email = f"ada-{uuid.uuid4().hex[:12]}@example.com"
    user = laptop.sign_up(email)["user"]
    assert user["emailVerified"] is False

    # sendVerificationEmail (sign-up sent one too) → the link from MailDev → verified.
    sent = laptop.http.post("/send-verification-email", json={"email": email, "callbackURL": "/verified"})
    assert sent.json() == {"status": True}
    link = link_in(maildev.wait_for(email, 2))
    assert link.startswith("http://localhost:8000/api/auth/verify-email?token=")  # PUBLIC_BASE_URL's default
    opened = httpx.get(system.gateway.url + urlsplit(link).path + "?" + urlsplit(link).query)
    assert (opened.status_code, opened.headers["location"]) == (302, f"{APP}/verified")
    assert laptop.session()["user"]["emailVerified"] is True

    # changePassword with revokeOtherSessions: the phone is signed out at once, at the tasks service too.
    assert phone.sign_in(email).status_code == 200
    phone_token = phone.access_token()
    tasks = f"{system.gateway.url}/api/{user['id']}/tasks"
    assert httpx.get(tasks, headers={"Authorization": f"Bearer {phone_token}"}).status_code == 200
    body = {"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD, "revokeOtherSessions": True}
    assert laptop.http.post("/change-password", json=body).status_code == 200
    assert phone.session() is None
    assert httpx.get(tasks, headers={"Authorization": f"Bearer {phone_token}"}).status_code == 401

    # requestPasswordReset → the link from MailDev → the front end's page with the token → resetPassword.
    laptop_token = laptop.access_token()
    asked = laptop.http.post("/request-password-reset", json={"email": email, "redirectTo": f"{APP}/reset-password"})
    assert asked.status_code == 200
    reset_link = link_in(maildev.wait_for(email, 3))
    page = httpx.get(system.gateway.url + urlsplit(reset_link).path + "?" + urlsplit(reset_link).query)
    assert page.status_code == 302
    token = page.headers["location"].removeprefix(f"{APP}/reset-password?token=")
    reset = phone.http.post("/reset-password", json={"newPassword": "yet another passphrase", "token": token})
    assert (reset.status_code, reset.json()) == (200, {"status": True})
    assert laptop.session() is None  # a reset signs the account out everywhere
    assert httpx.get(tasks, headers={"Authorization": f"Bearer {laptop_token}"}).status_code == 401
    assert phone.sign_in(email, "yet another passphrase").status_code == 200


def test_sessions_are_listed_and_revoked_through_the_gateway(devices: Callable[[], Device]) -> None:
    laptop, phone, tablet = devices(), devices(), devices()
    email = f"ada-{uuid.uuid4().hex[:12]}@example.com"
    laptop.sign_up(email)
    phone.sign_in(email)
    tablet.sign_in(email)
    listed = laptop.http.get("/list-sessions").json()
    assert len(listed) == 3
    assert laptop.http.post("/revoke-session", json={"token": listed[1]["token"]}).json() == {"status": True}
    assert phone.session() is None and tablet.session() is not None
    assert laptop.http.post("/revoke-other-sessions", json={}).json() == {"status": True}
    assert tablet.session() is None and laptop.session() is not None
    assert laptop.http.post("/update-user", json={"name": "Ada Lovelace"}).json() == {"status": True}
    assert laptop.session()["user"]["name"] == "Ada Lovelace"


def test_delete_user_deletes_the_users_tasks_in_the_tasks_database(
    system: System, devices: Callable[[], Device]
) -> None:
    laptop, other = devices(), devices()
    user = laptop.sign_up(f"ada-{uuid.uuid4().hex[:12]}@example.com")["user"]
    kept = other.sign_up(f"bob-{uuid.uuid4().hex[:12]}@example.com")["user"]
    add_tasks(system.gateway.url, user["id"], laptop.access_token(), 3)
    add_tasks(system.gateway.url, kept["id"], other.access_token(), 1)
    assert tasks_of(system, user["id"]) == 3

    deleted = laptop.http.post("/delete-user", json={"password": PASSWORD})
    assert deleted.json() == {"success": True, "message": "User deleted"}
    until(lambda: tasks_of(system, user["id"]) == 0)
    assert tasks_of(system, kept["id"]) == 1


def test_a_deletion_published_while_tasks_is_down_is_applied_when_it_comes_back_even_if_redelivered(
    system: System, launcher: Launcher
) -> None:
    stream = f"test:{uuid.uuid4().hex}:user-events"
    auth = launcher.auth(USER_EVENTS_STREAM=stream)
    tasks = launcher.tasks(USER_EVENTS_STREAM=stream)
    gateway = launcher.gateway(auth, tasks)
    device = Device(gateway.url)
    try:
        user = device.sign_up(f"ada-{uuid.uuid4().hex[:12]}@example.com")["user"]
        add_tasks(gateway.url, user["id"], device.access_token(), 2)
        tasks.stop()
        assert device.http.post("/delete-user", json={"password": PASSWORD}).status_code == 200
        with redis.Redis.from_url(system.launcher.redis_url, decode_responses=True) as client:

            def published() -> list[Any]:
                # The relay's first pass on a new stream also publishes the session's earlier deletions again.
                entries: Any = client.xrange(stream)
                return [fields for _, fields in entries if fields["user_id"] == user["id"]]

            until(lambda: len(published()) == 1)  # published, and nobody consumed it
            time.sleep(0.5)
            assert tasks_of(system, user["id"]) == 2
            # The same event twice, and a replica that read everything and crashed before acknowledging it.
            client.xadd(stream, published()[0])
            client.xreadgroup("tasks", "crashed-replica", {stream: ">"}, count=1000)
            again: Server = launcher.tasks(USER_EVENTS_STREAM=stream, USER_EVENTS_CLAIM_IDLE_SECONDS="0.5")
            until(lambda: tasks_of(system, user["id"]) == 0)
            until(lambda: int(client.xpending(stream, "tasks")["pending"]) == 0)
            assert again.process.poll() is None
    finally:
        device.http.close()
        auth.stop()  # its relay would write the stream again
        with redis.Redis.from_url(system.launcher.redis_url) as client:
            client.delete(stream, f"{{{stream}}}:relayed")
