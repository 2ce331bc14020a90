"""The async engine, the session factory and the declarative base with stable constraint names."""

from __future__ import annotations

from typing import Any

from sqlalchemy import MetaData, QueuePool, event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase

from auth.config import Settings

__all__ = ["Base", "make_engine", "make_sessionmaker", "pool_usage"]

# Alembic needs deterministic names to drop or alter constraints later.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def make_engine(settings: Settings) -> AsyncEngine:
    """Create the pooled asyncpg engine; connections open lazily, on first use."""
    engine = create_async_engine(
        settings.database_url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout_seconds,
        connect_args={
            "timeout": settings.db_connect_timeout_seconds,
            "command_timeout": settings.db_command_timeout_seconds,
            **settings.sqlalchemy_statement_options,
        },
    )
    event.listen(engine.sync_engine, "checkout", _refuse_closed)
    return engine


def _refuse_closed(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    # A pooled connection to a PostgreSQL that restarted is replaced on checkout, so no request fails on it.
    # asyncpg marks a connection closed as soon as the server hangs up; this costs no round trip, where
    # pool_pre_ping cost two (BEGIN/ROLLBACK around a ping) on every request.
    if dbapi_connection.driver_connection.is_closed():
        raise DisconnectionError("the server closed the connection")


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Create the session factory; objects stay readable after commit."""
    return async_sessionmaker(engine, expire_on_commit=False)


def pool_usage(engine: AsyncEngine) -> tuple[int, int]:
    """Return the engine's pooled connections as (in use, idle), for the pool gauge."""
    pool = engine.pool
    if not isinstance(pool, QueuePool):  # make_engine always makes one; anything else has nothing to report
        return 0, 0
    return pool.checkedout(), pool.checkedin()
