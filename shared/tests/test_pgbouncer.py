"""Behind PgBouncer in transaction mode (Debian's 1.18: no protocol-level prepared statements) the database
clients work only with ``DB_STATEMENT_CACHE=false``: statements unnamed, nothing kept between transactions."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from todo_shared.settings import DatabaseSettings

if TYPE_CHECKING:
    from conftest import PgBouncerProcess

pytestmark = pytest.mark.anyio

# Different statements from many clients at once over few server connections: each client's next statement
# lands on whatever server connection is free, as under load.
_CLIENTS, _ROUNDS = 20, 10


def _statements(i: int) -> list[tuple[str, object]]:
    return [
        (f"SELECT {i} + CAST($1 AS integer)", 1),
        (f"SELECT CAST($1 AS text) || '{i}'", "1"),
        ("SELECT count(*) FROM pg_class WHERE relpages >= $1", 0),
    ]


async def _all(clients: Iterable[Awaitable[None]]) -> None:
    """Run the clients to the end (each stops at its first error), then raise the first error if any: no client
    is left running on a closed pool."""
    outcomes = await asyncio.gather(*clients, return_exceptions=True)
    if errors := [outcome for outcome in outcomes if isinstance(outcome, BaseException)]:
        raise errors[0]


@pytest.fixture(scope="module")
def bouncer_url(create_database: Callable[[str], str], pgbouncer: PgBouncerProcess) -> str:
    return pgbouncer.database_url(create_database("pgbouncer"))


async def _asyncpg_load(dsn: str, options: dict[str, object]) -> None:
    pool = await asyncpg.create_pool(dsn.replace("+asyncpg", ""), min_size=_CLIENTS, max_size=_CLIENTS, **options)
    try:

        async def client(i: int) -> None:
            for _ in range(_ROUNDS):
                for sql, value in _statements(i):
                    await pool.fetchval(sql, value)

        await _all(client(i) for i in range(_CLIENTS))
    finally:
        await pool.close()


async def test_asyncpg_without_its_statement_cache_works_through_pgbouncer(bouncer_url: str) -> None:
    settings = DatabaseSettings(database_url=bouncer_url, db_statement_cache=False)
    await _asyncpg_load(bouncer_url, settings.asyncpg_statement_options)


async def test_asyncpg_with_its_statement_cache_breaks_through_pgbouncer(bouncer_url: str) -> None:
    settings = DatabaseSettings(database_url=bouncer_url)
    with pytest.raises(asyncpg.PostgresError):
        await _asyncpg_load(bouncer_url, settings.asyncpg_statement_options)


async def _sqlalchemy_load(url: str, connect_args: dict[str, object]) -> None:
    engine = create_async_engine(url, pool_size=_CLIENTS, pool_pre_ping=True, connect_args=connect_args)
    try:

        async def client(i: int) -> None:
            for _ in range(_ROUNDS):
                for sql, value in _statements(i):
                    async with engine.begin() as conn:
                        await conn.execute(text(sql.replace("$1", ":p")), {"p": value})

        await _all(client(i) for i in range(_CLIENTS))
    finally:
        await engine.dispose()


async def test_sqlalchemy_with_unnamed_statements_works_through_pgbouncer(bouncer_url: str) -> None:
    settings = DatabaseSettings(database_url=bouncer_url, db_statement_cache=False)
    await _sqlalchemy_load(settings.database_url, settings.sqlalchemy_statement_options)


async def test_sqlalchemy_with_its_statement_cache_breaks_through_pgbouncer(bouncer_url: str) -> None:
    settings = DatabaseSettings(database_url=bouncer_url)
    with pytest.raises(Exception, match="prepared statement"):
        await _sqlalchemy_load(settings.database_url, settings.sqlalchemy_statement_options)
