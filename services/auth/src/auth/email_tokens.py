"""Tokens sent by email: random, stored only as a digest, single-use and short-lived.

Spending one is one conditional ``UPDATE … RETURNING`` (of two concurrent uses exactly one gets the row), made in
the caller's transaction, so a change that fails leaves the token unspent.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from auth import opaque
from auth.models import EmailToken

__all__ = ["Purpose", "invalidate", "issue", "is_expired", "peek", "spend"]

TOKEN_MAX = 256  # ours are 43 characters; anything much longer is not one of them


class Purpose(StrEnum):
    """What a token lets its holder do."""

    VERIFY_EMAIL = "verify_email"
    CHANGE_EMAIL_CONFIRM = "change_email_confirm"  # sent to the old address: approve the change
    CHANGE_EMAIL_VERIFY = "change_email_verify"  # sent to the new address: prove it and make the change
    RESET_PASSWORD = "reset_password"  # noqa: S105 - a purpose, not a password


def _now() -> datetime:
    return datetime.now(UTC)


def _digest(token: str) -> bytes | None:
    return opaque.digest(token) if 0 < len(token) <= TOKEN_MAX else None


async def issue(db: AsyncSession, *, user_id: uuid.UUID, purpose: Purpose, email: str, ttl_seconds: int) -> str:
    """Add a token for ``email`` (flushed, not committed) and return it; only its digest is stored."""
    token = opaque.new_token()
    db.add(
        EmailToken(
            id=uuid.uuid4(),
            user_id=user_id,
            purpose=purpose.value,
            token_hash=opaque.digest(token),
            email=email,
            expires_at=_now() + timedelta(seconds=ttl_seconds),
        )
    )
    await db.flush()
    return token


async def spend(db: AsyncSession, *, token: str, purposes: Collection[Purpose]) -> EmailToken | None:
    """Mark an unused, unexpired token of one of ``purposes`` used (not committed) and return it; else ``None``."""
    digest = _digest(token)
    if digest is None:
        return None
    return await db.scalar(
        update(EmailToken)
        .where(
            EmailToken.token_hash == digest,
            EmailToken.purpose.in_([p.value for p in purposes]),
            EmailToken.used_at.is_(None),
            EmailToken.expires_at > _now(),
        )
        .values(used_at=_now())
        .returning(EmailToken)
    )


async def peek(db: AsyncSession, *, token: str, purposes: Collection[Purpose]) -> EmailToken | None:
    """Return an unused, unexpired token of one of ``purposes`` without spending it."""
    digest = _digest(token)
    if digest is None:
        return None
    return await db.scalar(
        select(EmailToken).where(
            EmailToken.token_hash == digest,
            EmailToken.purpose.in_([p.value for p in purposes]),
            EmailToken.used_at.is_(None),
            EmailToken.expires_at > _now(),
        )
    )


async def is_expired(db: AsyncSession, *, token: str) -> bool:
    """Tell whether a token exists, was never used, and is refused only because it expired."""
    digest = _digest(token)
    if digest is None:
        return False
    found = await db.scalar(
        select(EmailToken.id).where(
            EmailToken.token_hash == digest, EmailToken.used_at.is_(None), EmailToken.expires_at <= _now()
        )
    )
    return found is not None


async def invalidate(db: AsyncSession, *, user_id: uuid.UUID, purposes: Collection[Purpose]) -> None:
    """Spend (not committed) every outstanding token of a user for ``purposes``: a newer change made them moot."""
    await db.execute(
        update(EmailToken)
        .where(
            EmailToken.user_id == user_id,
            EmailToken.purpose.in_([p.value for p in purposes]),
            EmailToken.used_at.is_(None),
        )
        .values(used_at=_now())
    )
