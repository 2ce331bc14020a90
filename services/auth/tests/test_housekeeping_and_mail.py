"""The periodic purge keeps only rows that can still matter; the mail queue retries and never fails a request."""

# ruff: noqa: S608 - the SQL is assembled from this file's own constants (moments relative to now())

from __future__ import annotations

import asyncio
import time
import uuid
from email.message import EmailMessage

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from auth.housekeeping import Housekeeping
from auth.mailer import Mailer
from todo_shared.metrics import EMAILS

pytestmark = pytest.mark.anyio


async def test_housekeeping_purges_dead_rows_and_keeps_live_ones(engine: AsyncEngine) -> None:
    user = uuid.uuid4()
    old, fresh = "now() - interval '30 days'", "now() + interval '1 day'"
    async with engine.begin() as conn:
        await conn.execute(
            text("INSERT INTO users (id, email, name, password_hash) VALUES (:u, :e, 'x', 'x')"),
            {"u": user, "e": f"{user}@example.com"},
        )
        sessions = {}
        for name, expires, revoked in (("expired", old, "NULL"), ("revoked", fresh, old), ("live", fresh, "NULL")):
            sessions[name] = uuid.uuid4()
            await conn.execute(
                text(
                    f"INSERT INTO sessions (id, user_id, expires_at, revoked_at) VALUES (:s, :u, {expires}, {revoked})"
                ),
                {"s": sessions[name], "u": user},
            )
        for spent, expires in ((old, fresh), ("NULL", fresh), ("NULL", old)):
            await conn.execute(
                text(
                    "INSERT INTO refresh_tokens (id, session_id, token_hash, expires_at, spent_at)"
                    f" VALUES (:i, :s, :h, {expires}, {spent})"
                ),
                {"i": uuid.uuid4(), "s": sessions["live"], "h": uuid.uuid4().bytes * 2},
            )
        for used, expires in ((old, fresh), ("NULL", old), ("NULL", fresh)):
            await conn.execute(
                text(
                    "INSERT INTO email_tokens (id, user_id, purpose, token_hash, email, expires_at, used_at)"
                    f" VALUES (:i, :u, 'verify_email', :h, 'x@example.com', {expires}, {used})"
                ),
                {"i": uuid.uuid4(), "u": user, "h": uuid.uuid4().bytes * 2},
            )
        gone_user, recent_user = uuid.uuid4(), uuid.uuid4()
        await conn.execute(
            text(f"INSERT INTO user_revocations VALUES (:a, {old}), (:b, now())"), {"a": gone_user, "b": recent_user}
        )
        published = await conn.scalar(
            text(
                f"INSERT INTO outbox (event, payload, published_at) VALUES ('user.deleted', '{{}}', {old}) RETURNING id"
            )
        )
        waiting = await conn.scalar(
            text("INSERT INTO outbox (event, payload) VALUES ('user.deleted', '{}') RETURNING id")
        )
    purged = await Housekeeping(
        engine, interval_seconds=3600, retention_seconds=7 * 86400, token_lifetime_seconds=930
    ).purge_once()
    assert purged["sessions"] >= 2 and purged["email_tokens"] >= 2 and purged["refresh_tokens"] >= 2
    async with engine.connect() as conn:
        left = await conn.scalar(text("SELECT array_agg(id) FROM sessions WHERE user_id = :u"), {"u": user})
        assert left == [sessions["live"]]
        assert (
            await conn.scalar(
                text("SELECT count(*) FROM refresh_tokens WHERE session_id = :s"), {"s": sessions["live"]}
            )
            == 1
        )
        assert await conn.scalar(text("SELECT count(*) FROM email_tokens WHERE user_id = :u"), {"u": user}) == 1
        revocations = await conn.scalar(
            text("SELECT array_agg(user_id) FROM user_revocations WHERE user_id IN (:a, :b)"),
            {"a": gone_user, "b": recent_user},
        )
        assert revocations == [recent_user]
        outbox = await conn.scalar(
            text("SELECT array_agg(id) FROM outbox WHERE id IN (:p, :w)"), {"p": published, "w": waiting}
        )
        assert outbox == [waiting]
        await conn.execute(text("DELETE FROM outbox WHERE id = :w"), {"w": waiting})
        await conn.commit()


class FlakyTransport:
    """Fails the first ``failures`` deliveries, then accepts."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.sent: list[EmailMessage] = []

    async def send(self, message: EmailMessage) -> None:
        if self.failures:
            self.failures -= 1
            raise ConnectionRefusedError("the mail server is down")
        self.sent.append(message)


def _message() -> EmailMessage:
    message = EmailMessage()
    message["To"] = "x@example.com"
    message.set_content("hello")
    return message


async def _until(check: object, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline
        await asyncio.sleep(0.01)


@pytest.mark.parametrize(("failures", "sent", "outcome"), [(2, 1, "sent"), (5, 0, "gave_up")])
async def test_the_mail_queue_retries_and_then_gives_up(failures: int, sent: int, outcome: str) -> None:
    transport = FlakyTransport(failures)
    mailer = Mailer(transport, queue_size=10, max_attempts=3, retry_base_seconds=0.01, workers=1)  # type: ignore[arg-type]
    before = EMAILS.labels("test", outcome)._value.get()
    mailer.start()

    async def compose() -> EmailMessage:
        return _message()

    mailer.submit("test", compose)
    await _until(lambda: EMAILS.labels("test", outcome)._value.get() == before + 1)
    await mailer.stop(drain_seconds=1)
    assert len(transport.sent) == sent


async def test_a_full_mail_queue_drops_the_email_not_the_request() -> None:
    mailer = Mailer(FlakyTransport(0), queue_size=1, max_attempts=1, retry_base_seconds=0.01, workers=1)  # type: ignore[arg-type]
    before = EMAILS.labels("test", "dropped")._value.get()

    async def compose() -> EmailMessage:
        return _message()

    mailer.submit("test", compose)
    mailer.submit("test", compose)  # not started: the queue holds one
    assert EMAILS.labels("test", "dropped")._value.get() == before + 1
    mailer.start()
    await mailer.stop(drain_seconds=1)
