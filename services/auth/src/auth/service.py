"""Sign-up, sign-in, sessions, refresh and revocation: the auth rules, with no HTTP in them.

Every route family (ours and the Better Auth-compatible one) calls these; functions take keyword-only
arguments and commit their own work.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.sql import ColumnElement

from auth import opaque
from auth.models import IP_MAX, NAME_MAX, USER_AGENT_MAX, RefreshToken, Session, User, UserRevocation
from auth.passwords import PasswordHasher
from auth.ratelimit import LoginRateLimiter
from auth.session_reads import LiveUser
from todo_shared.denylist import Denylist, Revocations
from todo_shared.errors import BadRequest, Forbidden, TooManyRequests, Unauthorized
from todo_shared.metrics import LOGINS
from todo_shared.tokens import AccessClaims, TokenSigner

__all__ = [
    "AccountDisabled",
    "AllRevoked",
    "EmailTaken",
    "InvalidCredentials",
    "InvalidRefreshToken",
    "IssuedTokens",
    "RefreshTokenReused",
    "authenticate_password",
    "create_user",
    "extend_session",
    "extension_due",
    "find_live_session",
    "find_live_session_user",
    "find_session_by_token_hash",
    "find_user_session",
    "find_user_by_email",
    "get_user",
    "index_all_sessions_revoked",
    "issue_refresh_token",
    "list_live_sessions",
    "mint_access_token",
    "open_session",
    "record_all_sessions_revoked",
    "recorded_revocations",
    "reindex_revocations",
    "revoke_all_sessions",
    "revoke_other_sessions",
    "revoke_session",
    "rotate_refresh_token",
    "sign_in",
    "start_session",
]


class EmailTaken(BadRequest):
    code = "email_taken"
    detail = "Email already registered"


class InvalidCredentials(Unauthorized):
    code = "invalid_credentials"
    detail = "Invalid email or password"


class AccountDisabled(Forbidden):
    code = "account_disabled"
    detail = "Account is disabled"


class InvalidRefreshToken(Unauthorized):
    code = "invalid_refresh_token"
    detail = "Invalid or expired refresh token"


class RefreshTokenReused(Unauthorized):
    code = "refresh_token_reused"
    detail = "Refresh token was already used; the session has been revoked"


@dataclass(frozen=True, slots=True)
class IssuedTokens:
    """What a sign-in or a refresh hands the client."""

    user: User
    session_id: uuid.UUID
    access_token: str
    claims: AccessClaims
    refresh_token: str


def _now() -> datetime:
    return datetime.now(UTC)


async def _release(db: AsyncSession) -> None:
    # End the read transaction so its pooled connection is not held while the hash queues for a worker: in a
    # login storm, hundreds of waiting logins would otherwise drain the pool and stall every other request.
    await db.commit()


async def find_user_by_email(db: AsyncSession, *, email: str) -> User | None:
    """Return the user with this email, whatever its case."""
    # lower() on both sides matches the unique index, so the lookup uses it.
    return await db.scalar(select(User).where(func.lower(User.email) == func.lower(email)))


async def get_user(db: AsyncSession, *, user_id: uuid.UUID) -> User | None:
    """Return a user by id."""
    return await db.get(User, user_id)


async def create_user(
    db: AsyncSession,
    *,
    passwords: PasswordHasher,
    email: str,
    password: str,
    name: str | None,
    image: str | None = None,
) -> User:
    """Create an account; raise ``EmailTaken`` if the email exists in any case, even when racing another sign-up.

    ``name=None`` means the part of the email before '@'; Better Auth's sign-up may store ``""``.
    """
    if await find_user_by_email(db, email=email) is not None:
        raise EmailTaken()
    await _release(db)
    password_hash = await passwords.hash(password)
    # The unique index decides races: the losers' inserts do nothing and return no row.
    stmt = (
        insert(User)
        .values(
            id=uuid.uuid4(),
            email=email,
            name=(email.rpartition("@")[0] if name is None else name)[:NAME_MAX],
            password_hash=password_hash,
            image=image,
        )
        .on_conflict_do_nothing()
        .returning(User)
    )
    user = await db.scalar(stmt)
    if user is None:
        await db.rollback()
        raise EmailTaken()
    await db.commit()
    return user


async def authenticate_password(db: AsyncSession, *, passwords: PasswordHasher, email: str, password: str) -> User:
    """Return the user whose password this is; re-hash it if its parameters are outdated.

    Raises:
        InvalidCredentials: unknown email or wrong password (same cost and answer either way).
        AccountDisabled: the password is right but the account is disabled.
    """
    user = await find_user_by_email(db, email=email)
    await _release(db)
    ok, new_hash = await passwords.verify(password, None if user is None else user.password_hash)
    if user is None or not ok:
        raise InvalidCredentials()
    if not user.is_active:
        raise AccountDisabled()
    if new_hash is not None:
        user.password_hash = new_hash
        user.updated_at = _now()
        await db.commit()
    return user


async def sign_in(
    db: AsyncSession, *, passwords: PasswordHasher, limiter: LoginRateLimiter, email: str, password: str, ip: str
) -> User:
    """Sign in with a password under the rate limits (both APIs), counting every outcome.

    Raises:
        TooManyRequests: ``ip``, or ``email`` from it, is over its limit.
        InvalidCredentials: unknown email or wrong password; counted against ``email`` from ``ip``.
        AccountDisabled: the password is right but the account is disabled.
    """
    try:
        await limiter.check(ip=ip, email=email)
    except TooManyRequests:
        LOGINS.labels("rate_limited").inc()
        raise
    try:
        user = await authenticate_password(db, passwords=passwords, email=email, password=password)
    except InvalidCredentials:
        LOGINS.labels("invalid_credentials").inc()
        await limiter.record_failure(ip=ip, email=email)
        raise
    except AccountDisabled:
        LOGINS.labels("disabled").inc()
        raise
    LOGINS.labels("success").inc()
    return user


async def open_session(
    db: AsyncSession,
    *,
    user_id: uuid.UUID,
    ttl_seconds: int,
    ip_address: str | None = None,
    user_agent: str | None = None,
    token_hash: bytes | None = None,
) -> Session:
    """Add a session row (flushed, not committed); ``token_hash`` is set for Better Auth sessions."""
    session = Session(
        id=uuid.uuid4(),
        user_id=user_id,
        token_hash=token_hash,
        ip_address=ip_address[:IP_MAX] if ip_address else None,
        user_agent=user_agent[:USER_AGENT_MAX] if user_agent else None,
        expires_at=_now() + timedelta(seconds=ttl_seconds),
    )
    db.add(session)
    await db.flush()
    return session


async def find_session_by_token_hash(db: AsyncSession, *, token_hash: bytes) -> tuple[Session, User] | None:
    """Return a live session (not revoked, not expired, its user active) by its token's digest, with its user."""
    found = (
        await db.execute(
            select(Session, User)
            .join(User, User.id == Session.user_id)
            .where(
                Session.token_hash == token_hash,
                Session.revoked_at.is_(None),
                Session.expires_at > _now(),
                User.is_active.is_(True),
            )
        )
    ).one_or_none()
    return None if found is None else (found[0], found[1])


def _live_session(now: datetime) -> tuple[ColumnElement[bool], ...]:
    return (Session.revoked_at.is_(None), Session.expires_at > now)


async def find_live_session(
    db: AsyncSession, *, user_id: uuid.UUID, session_id: uuid.UUID
) -> tuple[Session, User] | None:
    """Return a live session of ``user_id`` (its user active) by id, with its user: what an access token names."""
    found = (
        await db.execute(
            select(Session, User)
            .join(User, User.id == Session.user_id)
            .where(Session.id == session_id, Session.user_id == user_id, *_live_session(_now()), User.is_active)
        )
    ).one_or_none()
    return None if found is None else (found[0], found[1])


async def list_live_sessions(db: AsyncSession, *, user_id: uuid.UUID) -> Sequence[Session]:
    """Return a user's live sessions, oldest first."""
    return (
        await db.scalars(
            select(Session)
            .where(Session.user_id == user_id, *_live_session(_now()))
            .order_by(Session.created_at, Session.id)
        )
    ).all()


async def find_user_session(
    db: AsyncSession, *, user_id: uuid.UUID, session_id: uuid.UUID | None = None, token_hash: bytes | None = None
) -> Session | None:
    """Return the live session of ``user_id`` with this id or this token digest; never another user's."""
    match = Session.id == session_id if session_id is not None else Session.token_hash == token_hash
    return await db.scalar(select(Session).where(match, Session.user_id == user_id, *_live_session(_now())))


def extension_due(expires_at: datetime, *, ttl_seconds: int, update_age_seconds: int) -> bool:
    """Tell whether a session was last extended more than ``update_age_seconds`` ago (Better Auth's ``updateAge``)."""
    return expires_at - timedelta(seconds=ttl_seconds) + timedelta(seconds=update_age_seconds) <= _now()


async def extend_session(
    db: AsyncSession, *, session_id: uuid.UUID, ttl_seconds: int
) -> tuple[datetime, datetime] | None:
    """Give a live session a full ``ttl_seconds`` from now, committed; return its new ``expires_at, updated_at``.

    Returns ``None`` if it was revoked meanwhile: the update is conditional, so a racing sign-out stays signed out.
    """
    now = _now()
    extended = (
        await db.execute(
            update(Session)
            .where(Session.id == session_id, Session.revoked_at.is_(None))
            .values(expires_at=now + timedelta(seconds=ttl_seconds), updated_at=now)
            .returning(Session.expires_at, Session.updated_at)
        )
    ).one_or_none()
    await db.commit()
    return None if extended is None else (extended.expires_at, extended.updated_at)


async def issue_refresh_token(db: AsyncSession, *, session_id: uuid.UUID, ttl_seconds: int) -> str:
    """Add a fresh refresh token to a session (not committed) and return it; only its digest is stored."""
    token = opaque.new_token()
    db.add(
        RefreshToken(
            id=uuid.uuid4(),
            session_id=session_id,
            token_hash=opaque.digest(token),
            expires_at=_now() + timedelta(seconds=ttl_seconds),
        )
    )
    await db.flush()
    return token


def mint_access_token(signer: TokenSigner, *, user: User | LiveUser, session_id: uuid.UUID) -> tuple[str, AccessClaims]:
    """Sign an access token for a user's session."""
    return signer.mint(user_id=str(user.id), email=user.email, session_id=str(session_id))


async def start_session(
    db: AsyncSession,
    *,
    signer: TokenSigner,
    user: User,
    refresh_ttl_seconds: int,
    ip_address: str | None,
    user_agent: str | None,
) -> IssuedTokens:
    """Open a session with a refresh token, commit it, and mint its first access token."""
    session = await open_session(
        db, user_id=user.id, ttl_seconds=refresh_ttl_seconds, ip_address=ip_address, user_agent=user_agent
    )
    refresh = await issue_refresh_token(db, session_id=session.id, ttl_seconds=refresh_ttl_seconds)
    await db.commit()
    access, claims = mint_access_token(signer, user=user, session_id=session.id)
    return IssuedTokens(user=user, session_id=session.id, access_token=access, claims=claims, refresh_token=refresh)


async def rotate_refresh_token(
    db: AsyncSession, *, signer: TokenSigner, denylist: Denylist, refresh_token: str, ttl_seconds: int
) -> IssuedTokens:
    """Spend a refresh token and issue its successor; a spent one presented again revokes its whole session.

    Raises:
        InvalidRefreshToken: unknown, expired, or its session is over.
        RefreshTokenReused: already spent; the session is now revoked everywhere.
        AccountDisabled: the account was disabled since sign-in.
        ServiceUnavailable: reuse was detected but the denylist could not be written.
    """
    now = _now()
    token_hash = opaque.digest(refresh_token)
    # One conditional UPDATE spends the token: of two concurrent refreshes exactly one gets the row back.
    spend = (
        update(RefreshToken)
        .where(
            RefreshToken.token_hash == token_hash,
            RefreshToken.spent_at.is_(None),
            RefreshToken.expires_at > now,
            RefreshToken.session_id == Session.id,
            Session.revoked_at.is_(None),
            Session.expires_at > now,
        )
        .values(spent_at=now)
        .returning(RefreshToken.session_id, Session.user_id)
        .execution_options(synchronize_session=False)
    )
    spent = (await db.execute(spend)).one_or_none()
    if spent is None:
        await _detect_reuse(db, denylist=denylist, token_hash=token_hash)
        raise InvalidRefreshToken()
    session_id, user_id = spent
    user = await get_user(db, user_id=user_id)
    if user is None or not user.is_active:
        await db.rollback()
        raise AccountDisabled()
    new_token = await issue_refresh_token(db, session_id=session_id, ttl_seconds=ttl_seconds)
    await db.execute(
        update(Session)
        .where(Session.id == session_id)
        .values(expires_at=now + timedelta(seconds=ttl_seconds), updated_at=now)
    )
    await db.commit()
    access, claims = mint_access_token(signer, user=user, session_id=session_id)
    return IssuedTokens(user=user, session_id=session_id, access_token=access, claims=claims, refresh_token=new_token)


async def _detect_reuse(db: AsyncSession, *, denylist: Denylist, token_hash: bytes) -> None:
    found = (
        await db.execute(
            select(RefreshToken.spent_at, Session.id, Session.user_id)
            .join(Session, Session.id == RefreshToken.session_id)
            .where(RefreshToken.token_hash == token_hash)
        )
    ).one_or_none()
    if found is None or found.spent_at is None:
        await db.rollback()
        return
    await revoke_session(db, denylist=denylist, user_id=found.user_id, session_id=found.id)
    raise RefreshTokenReused()


async def find_live_session_user(db: AsyncSession, *, user_id: uuid.UUID, session_id: uuid.UUID) -> User | None:
    """Return the user of a session the record does not say is revoked (its user active), in one query."""
    return await db.scalar(
        select(User)
        .join(Session, Session.user_id == User.id)
        .where(
            Session.id == session_id,
            Session.user_id == user_id,
            Session.revoked_at.is_(None),
            User.is_active.is_(True),
        )
    )


async def revoke_session(
    db: AsyncSession, *, denylist: Denylist, user_id: uuid.UUID, session_id: uuid.UUID, jtis: Iterable[str] = ()
) -> None:
    """Void a session everywhere: the record (its row) first, then the index (the denylist).

    Revoking a revoked session succeeds and writes the index again, so a failed call can simply be retried.

    Raises:
        ServiceUnavailable: the denylist could not be written. The revocation is recorded all the same (refresh
            and get-session already refuse the session) and the denylist sync indexes it within seconds.
    """
    await db.execute(
        update(Session)
        .where(Session.id == session_id, Session.user_id == user_id, Session.revoked_at.is_(None))
        .values(revoked_at=func.now())
    )
    await db.commit()
    await denylist.revoke(user_id=str(user_id), jtis=jtis, sids=[str(session_id)])


@dataclass(frozen=True, slots=True)
class AllRevoked:
    """A recorded "every session of this user" revocation, to index in the denylist once it is committed."""

    user_id: uuid.UUID
    session_ids: list[str]
    before: int  # epoch seconds: every access token of the user issued before this is void


async def record_all_sessions_revoked(db: AsyncSession, *, user_id: uuid.UUID, final: bool = False) -> AllRevoked:
    """Record (not commit) that every session and access token of a user is void from now on.

    ``final`` is for a user who can have no session after this (deleted, disabled): the moment is rounded up to the
    next second, so a token minted in this very second is void too (the denylist's "before" has one-second
    precision, and a deleted user's session rows, whose ids would cover it, are gone).
    """
    now = _now()
    before = now.replace(microsecond=0) + timedelta(seconds=1) if final else now
    record = insert(UserRevocation).values(user_id=user_id, revoked_before=before)
    await db.execute(
        record.on_conflict_do_update(
            index_elements=[UserRevocation.user_id],
            set_={"revoked_before": func.greatest(UserRevocation.revoked_before, record.excluded.revoked_before)},
        )
    )
    revoked = await db.scalars(
        update(Session)
        .where(Session.user_id == user_id, Session.revoked_at.is_(None))
        .values(revoked_at=func.now())
        .returning(Session.id)
    )
    return AllRevoked(user_id=user_id, session_ids=[str(s) for s in revoked], before=int(before.timestamp()))


async def index_all_sessions_revoked(denylist: Denylist, revoked: AllRevoked) -> None:
    """Write a committed ``record_all_sessions_revoked`` to the denylist.

    Raises:
        ServiceUnavailable: the denylist could not be written; the record stands and the denylist sync indexes it.
    """
    # "before" has one-second precision; the sessions' ids also cover tokens minted in this very second.
    await denylist.revoke(user_id=str(revoked.user_id), sids=revoked.session_ids, before=revoked.before)


async def revoke_all_sessions(db: AsyncSession, *, denylist: Denylist, user_id: uuid.UUID) -> None:
    """Void every session and access token of a user: the record first, then the denylist.

    Raises:
        ServiceUnavailable: the denylist could not be written; as in ``revoke_session``, the record stands.
    """
    revoked = await record_all_sessions_revoked(db, user_id=user_id)
    await db.commit()
    await index_all_sessions_revoked(denylist, revoked)


async def revoke_other_sessions(
    db: AsyncSession, *, denylist: Denylist, user_id: uuid.UUID, keep_session_id: uuid.UUID
) -> None:
    """Void every session of a user but one: the record first, then the user's recorded revocations re-indexed.

    Re-indexing the record (not only what this call revoked) lets a call that failed half-way simply be retried.

    Raises:
        ServiceUnavailable: the denylist could not be written; the record stands and the denylist sync indexes it.
    """
    await db.execute(
        update(Session)
        .where(Session.user_id == user_id, Session.id != keep_session_id, Session.revoked_at.is_(None))
        .values(revoked_at=func.now())
    )
    await db.commit()
    await reindex_revocations(db, denylist=denylist, user_id=user_id)


async def recorded_revocations(
    conn: AsyncConnection, *, since: datetime, user_id: uuid.UUID | None = None
) -> Revocations:
    """Read the revoked sessions and per-user moments recorded at or after ``since`` (of one user, if given)."""
    entries = Revocations()
    sessions = select(Session.user_id, Session.id).where(Session.revoked_at >= since)
    befores = select(UserRevocation.user_id, UserRevocation.revoked_before).where(
        UserRevocation.revoked_before >= since
    )
    if user_id is not None:
        sessions = sessions.where(Session.user_id == user_id)
        befores = befores.where(UserRevocation.user_id == user_id)
    entries.sids.extend((str(uid), str(sid)) for uid, sid in await conn.execute(sessions))
    entries.befores.extend((str(uid), int(moment.timestamp())) for uid, moment in await conn.execute(befores))
    return entries


async def reindex_revocations(db: AsyncSession, *, denylist: Denylist, user_id: uuid.UUID) -> None:
    """Write a user's recorded revocations to the denylist again, as a retried revocation must.

    Raises:
        ServiceUnavailable: the denylist could not be written.
    """
    since = _now() - timedelta(seconds=denylist.ttl_seconds)
    entries = await recorded_revocations(await db.connection(), since=since, user_id=user_id)
    await db.commit()
    await denylist.restore(entries, complete=False)
