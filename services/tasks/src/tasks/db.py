"""The ``tasks`` table for Alembic, and the asyncpg pool the request path runs on.

Requests go straight to asyncpg with hand-written SQL (see ``queries``): the issue measured SQLAlchemy's
ORM at 0.14-0.29x and Core at 0.34-0.43x of raw asyncpg, and every request here is one statement.
SQLAlchemy only describes the schema, so Alembic can compare it with the database.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

import asyncpg
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from tasks.config import Settings
from todo_shared.postgres import postgres_down
from todo_shared.unavailable import dependency_unavailable

__all__ = ["PRIORITIES", "metadata", "open_pool", "pool_usage", "postgres_call", "tasks", "to_asyncpg_dsn"]

P = ParamSpec("P")
R = TypeVar("R")

# Declaration order is PostgreSQL's enum sort order: low < medium < high.
PRIORITIES = ("low", "medium", "high")

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

tasks = sa.Table(
    "tasks",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(always=True), primary_key=True),
    # The auth service's user id (a UUID string); no foreign key, auth's database is not ours.
    sa.Column("user_id", sa.Text, nullable=False),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("description", sa.Text, nullable=True),
    sa.Column("completed", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column(
        "priority", sa.Enum(*PRIORITIES, name="task_priority"), nullable=False, server_default=sa.text("'medium'")
    ),
    sa.Column("due_date", sa.DateTime(timezone=True), nullable=True),
    # When the task was (last) marked done; NULL exactly while it is open. The stats count days from it.
    sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.CheckConstraint("char_length(title) BETWEEN 1 AND 200", name="title_length"),
    sa.CheckConstraint("char_length(description) <= 10000", name="description_length"),
    sa.CheckConstraint("completed = (completed_at IS NOT NULL)", name="completed_at_set_when_completed"),
    # Every listing filters by user first; each sort gets its own index so a page reads only its rows,
    # whatever other users hold. ``id`` last breaks ties, so the order is stable.
    sa.Index(None, "user_id", "created_at", "id"),
    sa.Index(None, "user_id", "due_date", "id"),
    sa.Index(None, "user_id", "priority", "id"),
    sa.Index(None, "user_id", "title", "id"),
    sa.Index(None, "user_id", "completed", "created_at", "id"),
    sa.Index(None, "user_id", "completed_at"),
)


def to_asyncpg_dsn(database_url: str) -> str:
    """Turn the SQLAlchemy URL (``postgresql+asyncpg://``) into a DSN asyncpg accepts."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _reset(conn: asyncpg.Connection) -> None:
    # asyncpg's default reset sends "RESET ALL; UNLISTEN *; ..." on every release: one more round trip per
    # request. Requests here run single autocommit statements and change no session state, so there is
    # nothing to undo beyond a transaction a failure might have left open.
    if conn.is_in_transaction():
        await conn.execute("ROLLBACK")


async def open_pool(settings: Settings) -> asyncpg.Pool:
    """Open the pool; with ``min_size=0`` the service starts even while PostgreSQL is down (``/readyz`` says so)."""
    return await asyncpg.create_pool(
        to_asyncpg_dsn(settings.database_url),
        min_size=settings.db_pool_min_size,
        max_size=settings.db_pool_max_size,
        timeout=settings.db_connect_timeout_seconds,
        command_timeout=settings.db_command_timeout_seconds,
        reset=_reset,
        **settings.asyncpg_statement_options,
    )


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


def pool_usage(pool: asyncpg.Pool) -> tuple[int, int]:
    """Return the pool's open connections as (in use, idle), for the pool gauge."""
    idle = pool.get_idle_size()
    return pool.get_size() - idle, idle
