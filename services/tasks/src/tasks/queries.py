"""Every statement the API runs: one round trip per request, each scoped to its user.

The SQL is written out rather than built by SQLAlchemy, on purpose: it is what the indexes in ``db`` were
made for, and asyncpg caches each text as a prepared statement per connection. Identifiers come only from
the fixed tables below, never from the request; values always travel as ``$n`` parameters.
"""

# ruff: noqa: S608 - statements are assembled from this module's constants only, see above

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import asyncpg

from tasks.db import PRIORITIES
from tasks.schemas import ListParams
from todo_shared.postgres import postgres_call

__all__ = ["create", "delete", "get", "list_page", "list_sql", "stats", "toggle", "update"]

Row = Mapping[str, Any]

_COLUMNS = "id, user_id, title, description, completed, priority, due_date, completed_at, created_at, updated_at"
_UPDATABLE = ("title", "description", "completed", "priority", "due_date")
# Strictly later than before, even if two changes land in the same microsecond or the clock steps back.
_BUMP = "updated_at = GREATEST(clock_timestamp(), updated_at + interval '1 microsecond')"
_SORT_COLUMNS = {"created_at": "created_at", "due_date": "due_date", "priority": "priority", "title": "title"}

_GET = f"SELECT {_COLUMNS} FROM tasks WHERE id = $1 AND user_id = $2"
_CREATE = (
    "INSERT INTO tasks (user_id, title, description, priority, due_date) "
    f"VALUES ($1, $2, $3, $4, $5) RETURNING {_COLUMNS}"
)
# On the right of SET, ``completed`` is the value before the update.
_TOGGLE = (
    "UPDATE tasks SET completed = NOT completed, "
    f"completed_at = CASE WHEN completed THEN NULL ELSE statement_timestamp() END, {_BUMP} "
    f"WHERE id = $1 AND user_id = $2 RETURNING {_COLUMNS}"
)
_DELETE = "DELETE FROM tasks WHERE id = $1 AND user_id = $2 RETURNING id"


def _like_pattern(text: str) -> str:
    """Match ``text`` anywhere, with LIKE's own wildcards taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def list_sql(user_id: str, params: ListParams) -> tuple[str, list[object]]:
    """Build the listing statement and its arguments: the total and one page, in one round trip.

    The count and the page are two subqueries of one statement: ``count(*) OVER ()`` would read every
    matching row of the user to count them, where this counts from an index and reads only the page.
    An empty page still returns one row, holding the total and NULL columns.
    """
    args: list[object] = [user_id]
    where = ["user_id = $1"]
    if params.completed is not None:
        args.append(params.completed)
        where.append(f"completed = ${len(args)}")
    if params.priority is not None:
        args.append(params.priority)
        where.append(f"priority = ${len(args)}")
    if params.due_from is not None:
        args.append(params.due_from)
        where.append(f"due_date >= ${len(args)}")
    if params.due_before is not None:
        args.append(params.due_before)
        where.append(f"due_date < ${len(args)}")
    if params.q:
        args.append(_like_pattern(params.q))
        n = len(args)
        where.append(f"(title ILIKE ${n} ESCAPE '\\' OR description ILIKE ${n} ESCAPE '\\')")
    condition = " AND ".join(where)
    direction = "DESC" if params.order == "desc" else "ASC"
    # Ties broken by id in the same direction, so one index scan (forwards or backwards) serves the order.
    order_by = f"{_SORT_COLUMNS[params.sort]} {direction}, id {direction}"
    args += [params.limit, params.offset]
    sql = (
        f"SELECT c.total, p.* FROM (SELECT count(*) AS total FROM tasks WHERE {condition}) AS c "
        f"LEFT JOIN LATERAL (SELECT {_COLUMNS} FROM tasks WHERE {condition} "
        f"ORDER BY {order_by} LIMIT ${len(args) - 1} OFFSET ${len(args)}) AS p ON true"
    )
    return sql, args


@postgres_call
async def list_page(pool: asyncpg.Pool, *, user_id: str, params: ListParams) -> tuple[int, list[Row]]:
    """Return the number of tasks matching the filters and the requested page of them."""
    sql, args = list_sql(user_id, params)
    rows = await pool.fetch(sql, *args)
    total = int(rows[0]["total"])
    return total, [row for row in rows if row["id"] is not None]


@postgres_call
async def get(pool: asyncpg.Pool, *, user_id: str, task_id: int) -> Row | None:
    """Return one of the user's tasks, or None."""
    row: Row | None = await pool.fetchrow(_GET, task_id, user_id)
    return row


@postgres_call
async def create(
    pool: asyncpg.Pool,
    *,
    user_id: str,
    title: str,
    description: str | None,
    priority: str,
    due_date: datetime | None,
) -> Row:
    """Insert a task and return it."""
    row: Row = await pool.fetchrow(_CREATE, user_id, title, description, priority, due_date)
    return row


@postgres_call
async def update(pool: asyncpg.Pool, *, user_id: str, task_id: int, changes: Mapping[str, object]) -> Row | None:
    """Apply the given column changes and return the task, or None if the user has no such task."""
    if not changes:
        return await get(pool, user_id=user_id, task_id=task_id)
    args: list[object] = [task_id, user_id]
    sets = []
    for column in _UPDATABLE:
        if column in changes:
            args.append(changes[column])
            sets.append(f"{column} = ${len(args)}")
            if column == "completed":
                # Done again keeps the moment it was first done; not done clears it (a CASE without ELSE).
                sets.append(
                    f"completed_at = CASE WHEN ${len(args)} THEN COALESCE(completed_at, statement_timestamp()) END"
                )
    sql = f"UPDATE tasks SET {', '.join(sets)}, {_BUMP} WHERE id = $1 AND user_id = $2 RETURNING {_COLUMNS}"
    row: Row | None = await pool.fetchrow(sql, *args)
    return row


@postgres_call
async def toggle(pool: asyncpg.Pool, *, user_id: str, task_id: int) -> Row | None:
    """Flip ``completed`` in one statement, so concurrent toggles never read a stale value."""
    row: Row | None = await pool.fetchrow(_TOGGLE, task_id, user_id)
    return row


@postgres_call
async def delete(pool: asyncpg.Pool, *, user_id: str, task_id: int) -> bool:
    """Delete a task; tell whether the user had it."""
    return await pool.fetchval(_DELETE, task_id, user_id) is not None


def _per_priority() -> str:
    counts = []
    for p in PRIORITIES:
        counts.append(f"count(*) FILTER (WHERE priority = '{p}') AS {p}_total")
        counts.append(f"count(*) FILTER (WHERE priority = '{p}' AND completed) AS {p}_completed")
    return ", ".join(counts)


# A due date is a calendar day: its UTC date (the front end sends midnight UTC of the chosen day), compared
# with today in the caller's zone. Completions are instants, so they fall on the caller's local day. The
# 30-day window starts at local midnight 29 days ago; (user_id, completed_at) serves it from an index.
_STATS = f"""
WITH b AS (SELECT (now() AT TIME ZONE $2)::date AS today),
done AS (
    SELECT (t.completed_at AT TIME ZONE $2)::date AS day, count(*) AS n
    FROM tasks AS t, b
    WHERE t.user_id = $1 AND t.completed_at >= ((b.today - 29)::timestamp AT TIME ZONE $2)
    GROUP BY 1
)
SELECT b.today, c.*,
    ARRAY(
        SELECT COALESCE(done.n, 0) FROM generate_series(b.today - 29, b.today, interval '1 day') AS d(day)
        LEFT JOIN done ON done.day = d.day::date ORDER BY d.day
    ) AS completed_by_day
FROM b, LATERAL (
    SELECT count(*) AS total,
        count(*) FILTER (WHERE completed) AS completed,
        count(*) FILTER (WHERE NOT completed AND (due_date AT TIME ZONE 'UTC')::date < b.today) AS overdue,
        count(*) FILTER (WHERE NOT completed AND (due_date AT TIME ZONE 'UTC')::date = b.today) AS due_today,
        {_per_priority()}
    FROM tasks WHERE user_id = $1
) AS c
"""


@postgres_call
async def stats(pool: asyncpg.Pool, *, user_id: str, time_zone: str) -> Row:
    """Count the user's tasks by status and priority, overdue and due today, and completions per day (30 days)."""
    row: Row = await pool.fetchrow(_STATS, user_id, time_zone)
    return row
