"""The tasks app in-process against a real, migrated PostgreSQL database and the real Redis."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from alembic import command
from alembic.config import Config
from asgi_lifespan import LifespanManager
from redis import Redis as SyncRedis

from tasks.config import Settings
from tasks.main import create_app
from todo_shared.denylist import Denylist
from todo_shared.redis import RedisClient, open_redis
from todo_shared.tokens import AccessClaims, TokenSigner

SECRET = "tasks-test-secret-0123456789abcdef-0123456789"
ISSUER = "todo-auth"
AUDIENCE = "todo-api"
ALEMBIC_INI = Path(__file__).resolve().parents[1] / "alembic.ini"
# A stream of the session's own: the machine's Redis is shared with other runs.
USER_EVENTS_STREAM = f"test:{uuid.uuid4().hex}:user-events"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def migrate(database_url: str) -> None:
    """Bring a database to the latest schema with Alembic's command API."""
    config = Config(str(ALEMBIC_INI))
    config.set_main_option("sqlalchemy.url", database_url)
    config.attributes["configure_logger"] = False
    command.upgrade(config, "head")


@pytest.fixture(scope="session")
def database_url(create_database: Callable[[str], str]) -> str:
    """A throwaway ``tasks`` database at the latest migration, shared by the session (users never overlap)."""
    url = create_database("tasks")
    migrate(url)
    return url


def make_settings(database_url: str, redis_url: str, **overrides: Any) -> Settings:
    """Settings for a test app; keyword arguments win over the environment."""
    values: dict[str, Any] = {
        "env": "test",
        "database_url": database_url,
        "redis_url": redis_url,
        "jwt_secret": SECRET,
        "jwt_previous_secrets": [],
        "jwt_issuer": ISSUER,
        "jwt_audience": AUDIENCE,
        "redis_timeout_seconds": 0.5,
        "user_events_stream": USER_EVENTS_STREAM,
        "user_events_poll_seconds": 0.05,
        # Many apps live in one test process: no metrics listener (a port each) and no tracing.
        "metrics_port": None,
        "otel_exporter_otlp_endpoint": None,
        **overrides,
    }
    return Settings(**values)


@asynccontextmanager
async def serve(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """Run the app's lifespan and give a client talking to it in-process."""
    app = create_app(settings)
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://tasks") as client:
            yield client


@pytest.fixture(scope="session", autouse=True)
def _remove_the_event_stream(redis_url: str) -> Iterator[None]:
    """The session's event stream goes at the end: the machine's Redis is shared."""
    yield
    with SyncRedis.from_url(redis_url) as client:
        client.delete(USER_EVENTS_STREAM)


@pytest.fixture
def settings(database_url: str, indexed_redis_url: str) -> Settings:
    return make_settings(database_url, indexed_redis_url)


@pytest.fixture
def serve_with(
    database_url: str, indexed_redis_url: str
) -> Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]:
    """Serve an app whose settings differ from the default ones by the given keywords."""

    def start(**overrides: Any) -> AbstractAsyncContextManager[httpx.AsyncClient]:
        return serve(make_settings(**{"database_url": database_url, "redis_url": indexed_redis_url, **overrides}))

    return start


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with serve(settings) as c:
        yield c


@pytest.fixture
def signer() -> TokenSigner:
    return TokenSigner(secret=SECRET, issuer=ISSUER, audience=AUDIENCE, lifetime_seconds=900)


@dataclass(frozen=True)
class User:
    """A fresh user with a valid token; ``tasks`` is the path of their task list."""

    id: str
    token: str
    claims: AccessClaims

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    @property
    def tasks(self) -> str:
        return f"/api/{self.id}/tasks"


@pytest.fixture
def new_user(signer: TokenSigner) -> Callable[[], User]:
    def make() -> User:
        user_id = str(uuid.uuid4())
        token, claims = signer.mint(user_id=user_id, email=f"{user_id[:8]}@example.com", session_id=uuid.uuid4().hex)
        return User(id=user_id, token=token, claims=claims)

    return make


@pytest.fixture
def user(new_user: Callable[[], User]) -> User:
    return new_user()


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[RedisClient]:
    client = open_redis(redis_url, timeout_seconds=1.0)
    yield client
    await client.aclose()


@pytest.fixture
def denylist(redis: RedisClient, settings: Settings) -> Denylist:
    return Denylist(redis, ttl_seconds=settings.denylist_ttl_seconds)


@pytest.fixture
def make_task(client: httpx.AsyncClient) -> Callable[..., Any]:
    """Create a task through the API and return its JSON."""

    async def make(owner: User, **body: Any) -> dict[str, Any]:
        response = await client.post(owner.tasks, json={"title": "a task", **body}, headers=owner.headers)
        assert response.status_code == 201, response.text
        task: dict[str, Any] = response.json()
        return task

    return make


@pytest.fixture
def envelope() -> Callable[..., dict[str, Any]]:
    """Assert an error response is the contract's envelope with the given status (and code)."""

    def check(response: httpx.Response, status: int, code: str | None = None) -> dict[str, Any]:
        assert response.status_code == status, response.text
        body: dict[str, Any] = response.json()
        assert isinstance(body["detail"], str) and body["detail"]
        assert body["message"] == body["detail"]
        assert body["request_id"] == response.headers["X-Request-ID"]
        if code is not None:
            assert body["code"] == code
        return body

    return check
