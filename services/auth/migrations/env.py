"""Run the auth migrations on an async engine; the URL is ``sqlalchemy.url`` if a caller set it, else DATABASE_URL."""

from __future__ import annotations

import asyncio
from logging.config import fileConfig

from alembic import context
from sqlalchemy import pool, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine

from auth.config import DatabaseSettings
from auth.models import Base

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata
_INVALID_CATALOG_NAME = "3D000"  # PostgreSQL: the database does not exist


def _url() -> str:
    return config.get_main_option("sqlalchemy.url") or DatabaseSettings().database_url


# Migrations may run through PgBouncer too (one transaction each); DB_STATEMENT_CACHE=false is then needed here.
_CONNECT_ARGS = DatabaseSettings().sqlalchemy_statement_options


def _configure(**kwargs: object) -> None:
    context.configure(target_metadata=target_metadata, compare_type=True, **kwargs)  # type: ignore[arg-type]


def run_migrations_offline() -> None:
    """Emit the SQL instead of running it (``alembic upgrade head --sql``)."""
    _configure(url=_url(), literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def _run_sync(connection: Connection) -> None:
    _configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()


async def _create_database(url: str) -> None:
    # A fresh server (local, CI, a new compose volume) has only the "postgres" database; make ours there.
    target = make_url(url)
    admin = create_async_engine(
        target.set(database="postgres"),
        poolclass=pool.NullPool,
        isolation_level="AUTOCOMMIT",
        connect_args=_CONNECT_ARGS,
    )
    try:
        async with admin.connect() as conn:
            if not await conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": target.database}):
                quoted = conn.dialect.identifier_preparer.quote(str(target.database))
                await conn.execute(text(f"CREATE DATABASE {quoted}"))
    finally:
        await admin.dispose()


async def run_migrations_online() -> None:
    """Migrate over one unpooled connection, creating the database first if the server lacks it."""
    url = _url()
    engine = create_async_engine(url, poolclass=pool.NullPool, connect_args=_CONNECT_ARGS)
    try:
        try:
            connection = await engine.connect()
        except DBAPIError as exc:
            if getattr(exc.orig, "sqlstate", None) != _INVALID_CATALOG_NAME:
                raise
            await _create_database(url)
            connection = await engine.connect()
        try:
            await connection.run_sync(_run_sync)
        finally:
            await connection.close()
    finally:
        await engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    asyncio.run(run_migrations_online())
