"""Alembic environment for the tasks database (async, URL from ``DATABASE_URL``)."""

from __future__ import annotations

import asyncio
from logging.config import fileConfig

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from tasks.config import DatabaseSettings
from tasks.db import metadata

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

# Tests and scripts pass a URL in the config; otherwise read the same setting the service does.
url = config.get_main_option("sqlalchemy.url") or DatabaseSettings().database_url
# Migrations may run through PgBouncer too (one transaction each); DB_STATEMENT_CACHE=false is then needed here.
connect_args = DatabaseSettings().sqlalchemy_statement_options


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=metadata, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


async def _run_online() -> None:
    engine = create_async_engine(url, poolclass=NullPool, connect_args=connect_args)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run)
    finally:
        await engine.dispose()


if context.is_offline_mode():
    context.configure(url=url, target_metadata=metadata, literal_binds=True, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(_run_online())
