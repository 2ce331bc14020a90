"""Auth API fixtures: a throwaway database migrated by Alembic, the shared Redis, apps driven in-process."""

from __future__ import annotations

import asyncio
import email
import email.policy
import ipaddress
import secrets
import socket
import threading
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope
from aiosmtpd.smtp import Session as SmtpSession
from alembic import command
from alembic.config import Config
from asgi_lifespan import LifespanManager
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from auth.config import Settings
from auth.main import create_app

SECRET = "auth-tests-" + "k" * 40
PASSWORD = "correct horse battery"
AUTH_DIR = Path(__file__).resolve().parents[1]

USER_EVENTS_STREAM = f"test:{uuid.uuid4().hex}:user-events"

SettingsFactory = Callable[..., Settings]
ClientFactory = Callable[[Settings], AbstractAsyncContextManager[httpx.AsyncClient]]
SignUp = Callable[..., Awaitable[dict[str, Any]]]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def alembic_config(database_url: str) -> Config:
    """Point the service's own alembic.ini at a test database, leaving pytest's logging alone."""
    cfg = Config(str(AUTH_DIR / "alembic.ini"))
    cfg.set_main_option("sqlalchemy.url", database_url)
    cfg.attributes["configure_logger"] = False
    return cfg


@pytest.fixture(scope="session")
def auth_database_url(create_database: Callable[[str], str]) -> str:
    """A fresh database for this session, migrated to head exactly as production is."""
    url = create_database("auth")
    command.upgrade(alembic_config(url), "head")
    return url


def unique_email() -> str:
    """An address no other test (or earlier run) uses, since the shared Redis and limits persist."""
    return f"user-{uuid.uuid4().hex}@example.com"


@pytest.fixture
def new_email() -> Callable[[], str]:
    return unique_email


@pytest.fixture
def password() -> str:
    return PASSWORD


def random_ip() -> str:
    """A client address of the test's own, so per-IP limits never leak between tests or runs."""
    return str(ipaddress.IPv4Address(0x0A000000 + secrets.randbelow(0xFFFFFF)))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Inbox:
    """An in-process SMTP server (aiosmtpd) that keeps every message it is handed, for the tests to read."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"smtp://127.0.0.1:{self.port}"
        self._messages: list[email.message.EmailMessage] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server: SMTP, session: SmtpSession, envelope: Envelope) -> str:  # noqa: N802
        message = email.message_from_bytes(envelope.original_content or b"", policy=email.policy.default)
        assert isinstance(message, email.message.EmailMessage)
        with self._lock:
            self._messages.append(message)
        return "250 OK"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        """Every message sent to ``address`` so far, oldest first."""
        with self._lock:
            return [m for m in self._messages if m["To"] == address]

    async def wait_for(self, address: str, count: int = 1, seconds: float = 10) -> email.message.EmailMessage:
        """Wait until ``address`` got ``count`` messages; return the last one."""
        deadline = time.monotonic() + seconds
        while len(self.to(address)) < count:
            assert time.monotonic() < deadline, f"{address} got {len(self.to(address))} emails, not {count}"
            await asyncio.sleep(0.05)
        return self.to(address)[count - 1]


@pytest.fixture(scope="session")
def inbox() -> Iterator[Inbox]:
    """One SMTP sink for the session; tests tell their emails apart by address (every test's are unique)."""
    sink = Inbox()
    controller = Controller(sink, hostname="127.0.0.1", port=sink.port)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()


def text_body(message: email.message.EmailMessage) -> str:
    """The plain-text part of a message."""
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


@pytest.fixture(scope="session")
def user_events_stream(redis_url: str) -> Iterator[str]:
    """The session's event stream, removed (with the relay's mark) at the end: the machine's Redis is shared."""
    yield USER_EVENTS_STREAM
    with redis.Redis.from_url(redis_url) as client:
        client.delete(USER_EVENTS_STREAM, f"{{{USER_EVENTS_STREAM}}}:relayed")


@pytest.fixture
def make_settings(auth_database_url: str, redis_url: str, inbox: Inbox, user_events_stream: str) -> SettingsFactory:
    """Build settings for a test app: cheap Argon2 so the suite stays fast; anything can be overridden."""

    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "env": "test",
            "jwt_secret": SECRET,
            "database_url": auth_database_url,
            "redis_url": redis_url,
            # Test-only cost (t=1, 1 MiB, p=1); production keeps Argon2id's defaults (t=3, 64 MiB, p=4).
            "argon2_time_cost": 1,
            "argon2_memory_cost": 1024,
            "argon2_parallelism": 1,
            "db_pool_size": 25,
            "smtp_url": inbox.url,
            "mail_retry_base_seconds": 0.2,
            # A stream of the session's own: the machine's Redis is shared with other runs.
            "user_events_stream": user_events_stream,
            # Many apps live in one test process: no metrics listener (a port each) and no tracing, whatever
            # the environment says.
            "metrics_port": None,
            "otel_exporter_otlp_endpoint": None,
        }
        values.update(overrides)
        return Settings(_env_file=None, **values)

    return make


@pytest.fixture
def settings(make_settings: SettingsFactory) -> Settings:
    return make_settings()


@pytest.fixture
def open_client() -> ClientFactory:
    """Run an app's lifespan and hand out a client that reaches it from a client IP of its own."""

    @asynccontextmanager
    async def open_(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
        app = create_app(settings)
        async with LifespanManager(app) as manager:
            transport = httpx.ASGITransport(app=manager.app)
            headers = {"X-Forwarded-For": random_ip()}
            async with httpx.AsyncClient(transport=transport, base_url="http://auth.test", headers=headers) as client:
                yield client

    return open_


@pytest.fixture
async def client(open_client: ClientFactory, settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with open_client(settings) as c:
        yield c


@pytest.fixture
def sign_up(client: httpx.AsyncClient) -> SignUp:
    """Register a fresh user and return the token response."""

    async def sign_up_(email: str | None = None, password: str = PASSWORD, **extra: Any) -> dict[str, Any]:
        response = await client.post(
            "/api/auth/signup", json={"email": email or unique_email(), "password": password, **extra}
        )
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    return sign_up_


@pytest.fixture
async def engine(auth_database_url: str) -> AsyncIterator[AsyncEngine]:
    """A direct engine for asserting on (or arranging) rows the API does not expose."""
    eng = create_async_engine(auth_database_url)
    yield eng
    await eng.dispose()
