"""Users, sessions and refresh tokens (the schema itself is made only by Alembic migrations)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, Identity, Index, LargeBinary, String, Text, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from auth.db import Base

# Base carries these tables for Alembic.
__all__ = ["Base", "EmailToken", "OutboxEvent", "RefreshToken", "Session", "User", "UserRevocation"]

EMAIL_MAX = 254  # RFC 5321 path limit
NAME_MAX = 100
USER_AGENT_MAX = 512
IP_MAX = 45  # longest textual IPv6 (with an embedded IPv4)
IMAGE_MAX = 2048  # a URL; Better Auth takes any string, we keep what a browser would load


class User(Base):
    __tablename__ = "users"
    # The database, not the application, guarantees one account per email whatever its case.
    __table_args__ = (Index("uq_users_email_lower", func.lower(text("email")), unique=True),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    email: Mapped[str] = mapped_column(String(EMAIL_MAX))
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    password_hash: Mapped[str] = mapped_column(Text)
    is_active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    email_verified: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    image: Mapped[str | None] = mapped_column(String(IMAGE_MAX))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Session(Base):
    """One sign-in: our refresh tokens and a Better Auth session token both belong to a session."""

    __tablename__ = "sessions"
    # The denylist keeper reads recent revocations every second; only revoked rows are indexed.
    __table_args__ = (Index("ix_sessions_revoked_at", "revoked_at", postgresql_where=text("revoked_at IS NOT NULL")),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # SHA-256 of a Better Auth session token, for sessions opened through its routes; NULL for ours.
    token_hash: Mapped[bytes | None] = mapped_column(LargeBinary(32), unique=True)
    ip_address: Mapped[str | None] = mapped_column(String(IP_MAX))
    user_agent: Mapped[str | None] = mapped_column(String(USER_AGENT_MAX))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class UserRevocation(Base):
    """The record that every access token of a user issued before a moment is void (log out everywhere).

    No foreign key: the record must outlive a deleted user for as long as that user's tokens could.
    """

    __tablename__ = "user_revocations"

    user_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    revoked_before: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class RefreshToken(Base):
    """One refresh token of a session; spent once, then kept so a replay can be recognised."""

    __tablename__ = "refresh_tokens"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    spent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class EmailToken(Base):
    """A single-use token sent by email (verification, email change, password reset), stored as its digest.

    ``email`` is the address the token is about: the one to verify, or the new one of an email change.
    """

    __tablename__ = "email_tokens"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(32))
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    email: Mapped[str] = mapped_column(String(EMAIL_MAX))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class OutboxEvent(Base):
    """An event for other services, written in the transaction of the change it reports; a relay publishes it."""

    __tablename__ = "outbox"
    # The relay reads unpublished rows in order; only those are indexed.
    __table_args__ = (Index("ix_outbox_unpublished", "id", postgresql_where=text("published_at IS NULL")),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    event: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
