"""EXPLAIN (ANALYZE, BUFFERS) of the tasks list query: one user with 10,000 tasks among 1,000,000.

Seeds a throwaway database with one ``INSERT ... SELECT generate_series``, the user's rows spread over
the whole table (every 100th row), then prints the plans of the service's own statements
(``tasks.queries.list_sql``) and, for comparison, of a ``count(*) OVER ()`` variant.
Run: ``uv run python -m bench.tasks_plan`` from the repo root.
"""

from __future__ import annotations

import asyncio
import time

import asyncpg

from bench.tasks_common import throwaway_database
from tasks.queries import list_sql
from tasks.schemas import ListParams
from todo_shared.postgres import to_asyncpg_dsn

TOTAL_ROWS = 1_000_000
USER = "00000000-0000-4000-8000-000000000001"

SEED = """
INSERT INTO tasks (user_id, title, description, completed, priority, due_date, created_at, updated_at)
SELECT CASE WHEN i % 100 = 0 THEN $1 ELSE 'user-' || (i % 997) END,
       'task number ' || i,
       CASE WHEN i / 100 % 3 = 0 THEN NULL ELSE 'description of task ' || i END,
       i / 100 % 4 = 0,
       (ARRAY['low', 'medium', 'high'])[1 + i / 100 % 3]::task_priority,
       CASE WHEN i / 100 % 5 = 0 THEN NULL ELSE now() + (i / 100 % 365) * interval '1 day' END,
       now() - i * interval '1 second',
       now() - i * interval '1 second'
FROM generate_series(1, $2) AS i
"""

CASES = [
    ("default: newest first, limit 50", ListParams()),
    ("sort=priority desc", ListParams(sort="priority", order="desc")),
    ("sort=due_date asc, completed=false", ListParams(sort="due_date", order="asc", completed=False)),
    ("q=number 12 (search)", ListParams(q="number 12")),
    ("offset=5000", ListParams(offset=5000)),
]

WINDOW_VARIANT = (
    "SELECT id, user_id, title, description, completed, priority, due_date, created_at, updated_at, "
    "count(*) OVER () AS total FROM tasks WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT 50"
)


async def explain(conn: asyncpg.Connection, title: str, sql: str, args: list[object]) -> None:
    await conn.fetch(sql, *args)  # warm the cache first: the plan of a page a user asks for again
    rows = await conn.fetch(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", *args)
    print(f"\n=== {title}\n{sql}\n")
    for row in rows:
        print(row[0])


async def main() -> None:
    async with throwaway_database("bench_tasks_plan") as url:
        conn = await asyncpg.connect(to_asyncpg_dsn(url))
        try:
            started = time.perf_counter()
            await conn.execute(SEED, USER, TOTAL_ROWS)
            await conn.execute("VACUUM ANALYZE tasks")
            mine = await conn.fetchval("SELECT count(*) FROM tasks WHERE user_id = $1", USER)
            print(f"seeded {TOTAL_ROWS:,} tasks ({mine:,} for the user) in {time.perf_counter() - started:.1f}s")
            for title, params in CASES:
                sql, args = list_sql(USER, params)
                await explain(conn, title, sql, args)
            await explain(conn, "for comparison: count(*) OVER () in one scan (not used)", WINDOW_VARIANT, [USER])
        finally:
            await conn.close()


if __name__ == "__main__":
    asyncio.run(main())
