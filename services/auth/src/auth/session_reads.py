"""The read of get-session and ``/token``: a live session and its user, in one statement on the read pool.

These two routes are called on every page load and token refresh. Through the ORM each cost a pre-ping, a
BEGIN, the SELECT and a ROLLBACK (five round trips with the ping's own transaction) and ~1 ms of CPU to build
objects nobody changes; here it is one autocommit statement on a plain asyncpg pool, reading only the columns the
wire shows. Nothing is cached: a session revoked or expired a moment ago is not found on the next request.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import asyncpg

from todo_shared.postgres import postgres_call

__all__ = ["LiveSession", "LiveUser", "find_live_session"]


@dataclass(frozen=True, slots=True)
class LiveUser:
    """What the wire shows of a session's user."""

    id: uuid.UUID
    email: str
    name: str
    email_verified: bool
    image: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class LiveSession:
    """What the wire shows of a live session."""

    id: uuid.UUID
    user_id: uuid.UUID
    ip_address: str | None
    user_agent: str | None
    created_at: datetime
    updated_at: datetime
    expires_at: datetime


# The same rule as service.find_session_by_token_hash: not revoked, not expired, its user active.
_LIVE_SESSION_SQL = """
SELECT s.id, s.user_id, s.ip_address, s.user_agent, s.created_at, s.updated_at, s.expires_at,
       u.email, u.name, u.email_verified, u.image, u.created_at AS user_created_at, u.updated_at AS user_updated_at
FROM sessions AS s JOIN users AS u ON u.id = s.user_id
WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2 AND u.is_active
"""


@postgres_call
async def find_live_session(pool: asyncpg.Pool, *, token_hash: bytes) -> tuple[LiveSession, LiveUser] | None:
    """Return the live session whose token has this digest, with its user; a database outage is a 503."""
    row = await pool.fetchrow(_LIVE_SESSION_SQL, token_hash, datetime.now(UTC))
    if row is None:
        return None
    session = LiveSession(
        id=row["id"],
        user_id=row["user_id"],
        ip_address=row["ip_address"],
        user_agent=row["user_agent"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        expires_at=row["expires_at"],
    )
    user = LiveUser(
        id=row["user_id"],
        email=row["email"],
        name=row["name"],
        email_verified=row["email_verified"],
        image=row["image"],
        created_at=row["user_created_at"],
        updated_at=row["user_updated_at"],
    )
    return session, user
