"""The account lifecycle: profile, password change and reset, email verification and change, deletion, disabling.

No HTTP here, like ``service``. Every change that ends sessions is a revocation and follows its rule: the
record (PostgreSQL) is committed first, with the change, then the denylist is written; if that write fails the
caller answers 503 and the denylist sync indexes the record within a second.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from auth import email_tokens, service
from auth.email_tokens import Purpose
from auth.models import User
from auth.outbox import record_user_event
from auth.passwords import PasswordHasher
from todo_shared.denylist import Denylist
from todo_shared.errors import BadRequest, NotFound, Unauthorized
from todo_shared.events import USER_DELETED
from todo_shared.metrics import ACCOUNT_CHANGES

__all__ = [
    "EmailTokenApplied",
    "EmailUnavailable",
    "InvalidEmailToken",
    "OtherAccountSignedIn",
    "WrongPassword",
    "apply_email_token",
    "change_password",
    "check_password",
    "delete_account",
    "reset_password",
    "set_active",
    "update_profile",
]

_EMAIL_PURPOSES = (Purpose.VERIFY_EMAIL, Purpose.CHANGE_EMAIL_CONFIRM, Purpose.CHANGE_EMAIL_VERIFY)


class WrongPassword(BadRequest):
    code = "invalid_password"
    detail = "Invalid password"


class InvalidEmailToken(Unauthorized):
    """An emailed token that is unknown, used, expired, or no longer about the account's address."""

    code = "invalid_token"
    detail = "Invalid token"

    def __init__(self, *, expired: bool = False) -> None:
        super().__init__("Token expired" if expired else None, code="token_expired" if expired else None)
        self.expired = expired


class OtherAccountSignedIn(Unauthorized):
    code = "invalid_user"
    detail = "The link belongs to another account than the one signed in"


class EmailUnavailable(BadRequest):
    code = "email_taken"
    detail = "Email already registered"


def _now() -> datetime:
    return datetime.now(UTC)


async def update_profile(
    db: AsyncSession, *, user: User, name: str | None = None, image: str | None = None, set_image: bool = False
) -> None:
    """Set the user's name and, when ``set_image``, their image (``None`` clears it); committed."""
    values: dict[str, object] = {"updated_at": _now()}
    if name is not None:
        values["name"] = name
    if set_image:
        values["image"] = image
    await db.execute(update(User).where(User.id == user.id).values(**values))
    await db.commit()
    ACCOUNT_CHANGES.labels("name_updated").inc()


async def check_password(db: AsyncSession, *, passwords: PasswordHasher, user: User, password: str) -> None:
    """Raise ``WrongPassword`` unless ``password`` is the user's."""
    hashed = user.password_hash
    await db.commit()  # the hash waits for a worker without holding a pooled connection
    ok, _ = await passwords.verify(password, hashed)
    if not ok:
        raise WrongPassword()


async def change_password(
    db: AsyncSession,
    *,
    passwords: PasswordHasher,
    denylist: Denylist,
    user: User,
    current_password: str,
    new_password: str,
    keep_only_session: uuid.UUID | None,
) -> None:
    """Replace the password after checking the current one; with ``keep_only_session``, revoke every other session.

    Outstanding reset links die with the old password.

    Raises:
        WrongPassword: ``current_password`` is not the user's.
        ServiceUnavailable: the other sessions are revoked in the record but the denylist could not be written.
    """
    await check_password(db, passwords=passwords, user=user, password=current_password)
    new_hash = await passwords.hash(new_password)
    await db.execute(update(User).where(User.id == user.id).values(password_hash=new_hash, updated_at=_now()))
    await email_tokens.invalidate(db, user_id=user.id, purposes=[Purpose.RESET_PASSWORD])
    await db.commit()
    ACCOUNT_CHANGES.labels("password_changed").inc()
    if keep_only_session is not None:
        await service.revoke_other_sessions(db, denylist=denylist, user_id=user.id, keep_session_id=keep_only_session)
        ACCOUNT_CHANGES.labels("sessions_revoked").inc()


async def reset_password(
    db: AsyncSession, *, passwords: PasswordHasher, denylist: Denylist, token: str, new_password: str
) -> None:
    """Spend a reset token, set the new password and revoke every session of the user, in one transaction.

    Raises:
        InvalidEmailToken: the token is unknown, used or expired.
        ServiceUnavailable: done and recorded, but the denylist could not be written (the sync indexes it).
    """
    new_hash = await passwords.hash(new_password)  # before the transaction: no connection waits on the hash
    spent = await email_tokens.spend(db, token=token, purposes=[Purpose.RESET_PASSWORD])
    if spent is None:
        await db.rollback()
        raise InvalidEmailToken()
    await db.execute(update(User).where(User.id == spent.user_id).values(password_hash=new_hash, updated_at=_now()))
    await email_tokens.invalidate(db, user_id=spent.user_id, purposes=[Purpose.RESET_PASSWORD])
    revoked = await service.record_all_sessions_revoked(db, user_id=spent.user_id)
    await db.commit()
    ACCOUNT_CHANGES.labels("password_reset").inc()
    await service.index_all_sessions_revoked(denylist, revoked)


@dataclass(frozen=True, slots=True)
class EmailTokenApplied:
    """What opening an emailed link did."""

    purpose: Purpose
    user: User
    new_email: str | None = None  # a confirmed change: the new address, which must now be sent its own link


async def apply_email_token(db: AsyncSession, *, token: str, session_user_id: uuid.UUID | None) -> EmailTokenApplied:
    """Spend an emailed verification or email-change token and make its change, committed.

    Raises:
        InvalidEmailToken: unknown, used, expired, or about an address the account no longer has.
        OtherAccountSignedIn: an email-change link opened in a browser signed in as someone else.
        EmailUnavailable: the new address was taken since the change was asked for (the token stays unspent).
    """
    found = await email_tokens.peek(db, token=token, purposes=_EMAIL_PURPOSES)
    if found is None:
        raise InvalidEmailToken(expired=await email_tokens.is_expired(db, token=token))
    purpose = Purpose(found.purpose)
    if purpose is not Purpose.VERIFY_EMAIL and session_user_id not in (None, found.user_id):
        raise OtherAccountSignedIn()
    spent = await email_tokens.spend(db, token=token, purposes=[purpose])
    user = None if spent is None else await service.get_user(db, user_id=spent.user_id)
    if spent is None or user is None:  # spent by a concurrent request meanwhile
        await db.rollback()
        raise InvalidEmailToken()
    if purpose is Purpose.VERIFY_EMAIL:
        if spent.email.lower() != user.email.lower():  # the address changed since the link was sent
            await db.rollback()
            raise InvalidEmailToken()
        user.email_verified = True
        user.updated_at = _now()
        await db.commit()
        ACCOUNT_CHANGES.labels("email_verified").inc()
        return EmailTokenApplied(purpose, user)
    if purpose is Purpose.CHANGE_EMAIL_CONFIRM:
        await db.commit()
        return EmailTokenApplied(purpose, user, new_email=spent.email)
    # The link reached the new address, which proves it: it is verified from now on.
    user.email, user.email_verified, user.updated_at = spent.email, True, _now()
    try:
        await email_tokens.invalidate(db, user_id=user.id, purposes=_EMAIL_PURPOSES)
        await db.commit()
    except IntegrityError:  # another account took the address meanwhile (the unique index decides)
        await db.rollback()
        raise EmailUnavailable() from None
    ACCOUNT_CHANGES.labels("email_changed").inc()
    return EmailTokenApplied(purpose, user)


async def delete_account(db: AsyncSession, *, denylist: Denylist, user_id: uuid.UUID) -> None:
    """Delete a user with their sessions, tokens and (through the outbox) their tasks; void every token at once.

    One transaction records the revocation (the "before" moment outlives the user), the ``user.deleted`` event
    and the deletion; the denylist is written after it commits.

    Raises:
        ServiceUnavailable: deleted and recorded, but the denylist could not be written (the sync indexes it).
    """
    revoked = await service.record_all_sessions_revoked(db, user_id=user_id, final=True)
    record_user_event(db, event=USER_DELETED, user_id=user_id)
    await db.execute(delete(User).where(User.id == user_id))
    await db.commit()
    ACCOUNT_CHANGES.labels("user_deleted").inc()
    await service.index_all_sessions_revoked(denylist, revoked)


async def set_active(db: AsyncSession, *, denylist: Denylist, email: str, active: bool) -> User:
    """Enable or disable an account; disabling voids every session and access token of it at once.

    Raises:
        NotFound: no account has this address.
        ServiceUnavailable: disabled and recorded, but the denylist could not be written (the sync indexes it).
    """
    user = await service.find_user_by_email(db, email=email)
    if user is None:
        raise NotFound(f"No account with the address {email}", code="user_not_found")
    user.is_active, user.updated_at = active, _now()
    if active:
        await db.commit()
        ACCOUNT_CHANGES.labels("user_enabled").inc()
        return user
    revoked = await service.record_all_sessions_revoked(db, user_id=user.id, final=True)
    await db.commit()
    ACCOUNT_CHANGES.labels("user_disabled").inc()
    await service.index_all_sessions_revoked(denylist, revoked)
    return user
