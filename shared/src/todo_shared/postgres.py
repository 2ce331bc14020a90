"""Tell an unreachable or restarting PostgreSQL from a failing query, whatever wrapped the driver's error."""

from __future__ import annotations

import asyncpg
from sqlalchemy.exc import TimeoutError as PoolTimeout

__all__ = ["postgres_down"]

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
