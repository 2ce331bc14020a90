"""PostgreSQL helpers for both services: the asyncpg pool of the hot paths, and telling an outage from a bug."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any, ParamSpec, TypeVar

import asyncpg
from sqlalchemy.engine import make_url
from sqlalchemy.exc import TimeoutError as PoolTimeout

from todo_shared.unavailable import dependency_unavailable

__all__ = ["open_pool", "pool_usage", "postgres_call", "postgres_down", "to_asyncpg_dsn"]

P = ParamSpec("P")
R = TypeVar("R")

# The database failing, not the query: the connection lost or refused (asyncpg raises OSError, TimeoutError
# included, while connecting), the server shutting down, starting up or out of connections, a statement cut off
# by its timeout; and SQLAlchemy's pool waiting too long for a free connection. asyncpg's InternalClientError
# ("cannot switch to state 12; another operation is in progress") came out of a pooled connection caught by a
# PostgreSQL restart under 50 clients (tests/integration/test_soak.py): a connection the outage broke.
_DOWN = (
    asyncpg.PostgresConnectionError,
    asyncpg.exceptions.InternalClientError,
    asyncpg.exceptions.OperatorInterventionError,
    asyncpg.TooManyConnectionsError,
    OSError,
    PoolTimeout,
)


def postgres_down(exc: BaseException) -> bool:
    """Tell whether ``exc``, or the driver error under it (SQLAlchemy wraps asyncpg's), means the database is down."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, _DOWN):
            return True
        seen = seen.__cause__
    return False


def postgres_call(query: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    """Make a query function answer 503 (counted, its cause logged once) when the database fails under it."""

    @functools.wraps(query)
    async def call(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await query(*args, **kwargs)
        except Exception as exc:
            if postgres_down(exc):
                raise dependency_unavailable("postgres", exc) from exc
            raise

    return call


def to_asyncpg_dsn(database_url: str) -> str:
    """Turn the SQLAlchemy URL (``postgresql+asyncpg://``) into a DSN asyncpg accepts."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _reset(conn: asyncpg.Connection) -> None:
    # asyncpg's default reset sends "RESET ALL; UNLISTEN *; ..." on every release: one more round trip per
    # request. The hot paths run single autocommit statements and change no session state, so there is
    # nothing to undo beyond a transaction a failure might have left open.
    if conn.is_in_transaction():
        await conn.execute("ROLLBACK")


async def open_pool(
    database_url: str,
    *,
    min_size: int,
    max_size: int,
    connect_timeout: float,
    command_timeout: float,
    **connect_options: Any,
) -> asyncpg.Pool:
    """Open a pool of plain asyncpg connections (no ORM): one statement per request, one round trip.

    With ``min_size=0`` the service starts even while PostgreSQL is down (``/readyz`` says so). asyncpg replaces
    a connection it finds closed when it hands it out, so a restarted PostgreSQL costs no request.
    ``connect_options`` go to every connection (``DatabaseSettings.asyncpg_statement_options`` behind PgBouncer).
    """
    return await asyncpg.create_pool(
        to_asyncpg_dsn(database_url),
        min_size=min_size,
        max_size=max_size,
        timeout=connect_timeout,
        command_timeout=command_timeout,
        reset=_reset,
        **connect_options,
    )


def pool_usage(pool: asyncpg.Pool) -> tuple[int, int]:
    """Return the pool's open connections as (in use, idle), for the pool gauge."""
    idle = pool.get_idle_size()
    return pool.get_size() - idle, idle
