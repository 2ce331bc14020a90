"""The Alembic history: reversible, and in step with the table the code describes."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from tasks.db import metadata

ALEMBIC_INI = Path(__file__).resolve().parents[1] / "alembic.ini"


def test_downgrade_to_base_and_upgrade_again(create_database: Callable[[str], str]) -> None:
    config = Config(str(ALEMBIC_INI))
    config.set_main_option("sqlalchemy.url", create_database("tasks_mig"))
    config.attributes["configure_logger"] = False
    command.upgrade(config, "head")
    command.downgrade(config, "base")
    command.upgrade(config, "head")


async def _differences(url: str) -> list[object]:
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as conn:

            def compare(sync_conn: sa.Connection) -> list[object]:
                context = MigrationContext.configure(sync_conn, opts={"compare_type": True})
                return list(compare_metadata(context, metadata))

            return await conn.run_sync(compare)
    finally:
        await engine.dispose()


def test_migrations_match_the_table_definition(database_url: str) -> None:
    assert asyncio.run(_differences(database_url)) == []


async def _seed_and_read(url: str, step: Callable[[], None]) -> list[tuple[bool, object, object]]:
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                sa.text(
                    "INSERT INTO tasks (user_id, title, completed, updated_at) VALUES "
                    "('u', 'done', true, '2026-11-20T10:00:00Z'), ('u', 'open', false, '2026-11-21T10:00:00Z')"
                )
            )
        await asyncio.to_thread(step)
        async with engine.connect() as conn:
            rows = await conn.execute(sa.text("SELECT completed, completed_at, updated_at FROM tasks ORDER BY id"))
            return [(r.completed, r.completed_at, r.updated_at) for r in rows]
    finally:
        await engine.dispose()


def test_completed_at_is_backfilled_from_updated_at_for_done_tasks(create_database: Callable[[str], str]) -> None:
    config = Config(str(ALEMBIC_INI))
    url = create_database("tasks_backfill")
    config.set_main_option("sqlalchemy.url", url)
    config.attributes["configure_logger"] = False
    command.upgrade(config, "f8d99e0c3ec5")
    (done, opened) = asyncio.run(_seed_and_read(url, lambda: command.upgrade(config, "head")))
    assert done[0] is True and done[1] == done[2]
    assert opened[0] is False and opened[1] is None
