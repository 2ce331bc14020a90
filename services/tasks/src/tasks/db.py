"""The ``tasks`` table for Alembic, and the asyncpg pool the request path runs on.

Requests go straight to asyncpg with hand-written SQL (see ``queries``): the issue measured SQLAlchemy's
ORM at 0.14-0.29x and Core at 0.34-0.43x of raw asyncpg, and every request here is one statement.
SQLAlchemy only describes the schema, so Alembic can compare it with the database.
"""

from __future__ import annotations

import asyncpg
import sqlalchemy as sa

from tasks.config import Settings
from todo_shared import postgres

__all__ = ["PRIORITIES", "metadata", "open_pool", "tasks"]

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


async def open_pool(settings: Settings) -> asyncpg.Pool:
    """Open the request path's pool; with ``DB_POOL_MIN_SIZE=0`` the service starts even while PostgreSQL is down."""
    return await postgres.open_pool(
        settings.database_url,
        min_size=settings.db_pool_min_size,
        max_size=settings.db_pool_max_size,
        connect_timeout=settings.db_connect_timeout_seconds,
        command_timeout=settings.db_command_timeout_seconds,
        **settings.asyncpg_statement_options,
    )
