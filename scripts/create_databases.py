"""Create the PostgreSQL databases named by the given URLs, where missing (``make migrate`` and ``make dev``).

Usage: ``python scripts/create_databases.py postgresql+asyncpg://postgres@127.0.0.1:5432/auth …``. Each
database is created through the ``postgres`` maintenance database of the same server, as the URL's user.
"""

from __future__ import annotations

import asyncio
import re
import sys
from urllib.parse import urlsplit, urlunsplit

import asyncpg

# Database names go into CREATE DATABASE, which takes no bind parameters: allow plain identifiers only.
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")


async def ensure_database(url: str) -> bool:
    """Create the database ``url`` names unless it exists; tell whether it was created."""
    parts = urlsplit(url.replace("postgresql+asyncpg://", "postgresql://", 1))
    name = parts.path.lstrip("/")
    if not _NAME.fullmatch(name):
        raise SystemExit(f"not a plain database name: {name!r}")
    conn = await asyncpg.connect(urlunsplit(parts._replace(path="/postgres")))
    try:
        if await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            return False
        await conn.execute(f'CREATE DATABASE "{name}"')
        return True
    finally:
        await conn.close()


async def main(urls: list[str]) -> None:
    """Ensure every database exists, saying which were created."""
    for url in urls:
        if await ensure_database(url):
            sys.stdout.write(f"created database {urlsplit(url).path.lstrip('/')}\n")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
