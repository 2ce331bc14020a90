"""An outage is told from a failing query, through SQLAlchemy's wrapping of asyncpg's errors."""

from __future__ import annotations

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine

from todo_shared.postgres import postgres_down

pytestmark = pytest.mark.anyio


async def _error_of(url: str, sql: str) -> BaseException:
    engine = create_async_engine(url.replace("postgresql://", "postgresql+asyncpg://"))
    try:
        async with engine.connect() as conn:
            await conn.execute(text(sql))
    except Exception as exc:  # noqa: BLE001 - the error is what the test is about
        return exc
    finally:
        await engine.dispose()
    raise AssertionError("no error")


async def test_a_refused_connection_is_an_outage(dead_redis_url: str) -> None:
    port = dead_redis_url.rsplit(":", 1)[1].split("/")[0]  # a free port: nothing listens there
    assert postgres_down(await _error_of(f"postgresql://postgres@127.0.0.1:{port}/x", "SELECT 1"))


async def test_a_failing_query_is_not_an_outage(postgres_server_url: str) -> None:
    assert not postgres_down(await _error_of(postgres_server_url, "SELECT * FROM no_such_table"))


def test_a_server_starting_up_is_an_outage_even_as_a_generic_dbapi_error() -> None:
    # SQLAlchemy maps asyncpg's CannotConnectNowError to no specific class: only the cause tells.
    cause = asyncpg.CannotConnectNowError("the database system is starting up")
    wrapped = DBAPIError("connect", None, Exception("the database system is starting up"))
    wrapped.orig.__cause__ = cause  # type: ignore[union-attr]
    wrapped.__cause__ = wrapped.orig
    assert postgres_down(wrapped)


def test_a_pooled_connection_broken_by_a_restart_is_an_outage() -> None:
    # Seen once in tests/integration/test_soak.py: a 500 out of a PostgreSQL restart under 50 clients.
    assert postgres_down(
        asyncpg.exceptions.InternalClientError("cannot switch to state 12; another operation (2) is in progress")
    )
