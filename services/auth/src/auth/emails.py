"""What each account email says, to whom, and where its link points; composed when the mail queue gets to it.

Bodies are Jinja2 templates (``templates/email``): a plain-text part and an HTML part (autoescaped). Links go to
the API (``PUBLIC_BASE_URL``), which checks the token and sends the browser on to the front end, as Better Auth's
links do. Each composer re-reads the user when its turn comes, so nothing is sent to an address that is unknown,
disabled, or no longer in need of it; those answers look the same to the requester.
"""

from __future__ import annotations

import uuid
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from typing import Any
from urllib.parse import quote, urlencode

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from auth import email_tokens, service
from auth.config import Settings
from auth.email_tokens import Purpose
from auth.mailer import Composer, Mailer
from auth.models import User

__all__ = ["AccountEmails", "EmailTemplates"]

_SUBJECTS = {
    Purpose.VERIFY_EMAIL: "Verify your email address",
    Purpose.CHANGE_EMAIL_CONFIRM: "Confirm your email change",
    Purpose.CHANGE_EMAIL_VERIFY: "Verify your new email address",
    Purpose.RESET_PASSWORD: "Reset your password",
}


def _duration(seconds: int) -> str:
    for unit, size in (("day", 86_400), ("hour", 3_600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            count = seconds // size
            return f"{count} {unit}{'' if count == 1 else 's'}"
    return f"{seconds} seconds"


class EmailTemplates:
    """Render an email's text and HTML parts into a message from ``MAIL_FROM``."""

    def __init__(self, *, mail_from: str, app_url: str) -> None:
        self._env = Environment(
            loader=PackageLoader("auth", "templates"),
            autoescape=select_autoescape(["html"]),
            undefined=StrictUndefined,
            keep_trailing_newline=True,
        )
        self._from = mail_from
        self._domain = parseaddr(mail_from)[1].rpartition("@")[2] or "localhost"
        self._app_url = app_url

    def render(self, purpose: Purpose, *, to: str, **context: Any) -> EmailMessage:
        """Build the message for ``purpose`` addressed to ``to``."""
        subject = _SUBJECTS[purpose]
        values = {"subject": subject, "app_url": self._app_url, **context}
        message = EmailMessage()
        message["From"] = self._from
        message["To"] = Address(addr_spec=to)
        message["Subject"] = subject
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = make_msgid(domain=self._domain)
        message.set_content(self._env.get_template(f"email/{purpose.value}.txt").render(values))
        message.add_alternative(self._env.get_template(f"email/{purpose.value}.html").render(values), subtype="html")
        return message


class AccountEmails:
    """Queue the account emails; each composer issues its token and renders its message in the background."""

    def __init__(
        self,
        mailer: Mailer,
        templates: EmailTemplates,
        sessionmaker: async_sessionmaker[AsyncSession],
        settings: Settings,
    ) -> None:
        self._mailer = mailer
        self._templates = templates
        self._sessionmaker = sessionmaker
        self._settings = settings

    def verification(self, *, user_id: uuid.UUID | None = None, email: str | None = None, callback_url: str) -> None:
        """Send a verification link to a user (by id, or by address for a signed-out request) not yet verified."""

        async def compose() -> EmailMessage | None:
            async with self._sessionmaker() as db:
                user = await self._user(db, user_id=user_id, email=email)
                if user is None or user.email_verified:
                    return None
                return await self._issue(
                    db, user, Purpose.VERIFY_EMAIL, to=user.email, address=user.email, callback_url=callback_url
                )

        self._submit(Purpose.VERIFY_EMAIL, compose)

    def password_reset(self, *, email: str, redirect_to: str) -> None:
        """Send a reset link to the account with this address, if there is an active one."""

        async def compose() -> EmailMessage | None:
            async with self._sessionmaker() as db:
                user = await self._user(db, email=email)
                if user is None:
                    return None
                return await self._issue(
                    db, user, Purpose.RESET_PASSWORD, to=user.email, address=user.email, callback_url=redirect_to
                )

        self._submit(Purpose.RESET_PASSWORD, compose)

    def email_change(self, *, user_id: uuid.UUID, new_email: str, callback_url: str) -> None:
        """Start an email change: approval from the old address if it is verified, else proof of the new one.

        Nothing is sent when the new address belongs to another account (the requester cannot tell).
        """

        async def compose() -> EmailMessage | None:
            async with self._sessionmaker() as db:
                user = await self._user(db, user_id=user_id)
                if user is None or await self._taken(db, new_email):
                    return None
                if user.email_verified:
                    return await self._issue(
                        db,
                        user,
                        Purpose.CHANGE_EMAIL_CONFIRM,
                        to=user.email,
                        address=new_email,
                        callback_url=callback_url,
                    )
                return await self._issue(
                    db, user, Purpose.CHANGE_EMAIL_VERIFY, to=new_email, address=new_email, callback_url=callback_url
                )

        self._submit(Purpose.CHANGE_EMAIL_CONFIRM, compose)

    def new_address_verification(self, *, user_id: uuid.UUID, new_email: str, callback_url: str) -> None:
        """Send the new address its link, once the old address approved the change."""

        async def compose() -> EmailMessage | None:
            async with self._sessionmaker() as db:
                user = await self._user(db, user_id=user_id)
                if user is None or await self._taken(db, new_email):
                    return None
                return await self._issue(
                    db, user, Purpose.CHANGE_EMAIL_VERIFY, to=new_email, address=new_email, callback_url=callback_url
                )

        self._submit(Purpose.CHANGE_EMAIL_VERIFY, compose)

    def _submit(self, purpose: Purpose, compose: Composer) -> None:
        self._mailer.submit(purpose.value, compose)

    @staticmethod
    async def _user(db: AsyncSession, *, user_id: uuid.UUID | None = None, email: str | None = None) -> User | None:
        if user_id is not None:
            user = await service.get_user(db, user_id=user_id)
        else:
            user = await service.find_user_by_email(db, email=email or "")
        return user if user is not None and user.is_active else None

    @staticmethod
    async def _taken(db: AsyncSession, email: str) -> bool:
        return await db.scalar(select(User.id).where(func.lower(User.email) == func.lower(email))) is not None

    async def _issue(
        self, db: AsyncSession, user: User, purpose: Purpose, *, to: str, address: str, callback_url: str
    ) -> EmailMessage:
        settings = self._settings
        ttl = (
            settings.reset_token_ttl_seconds
            if purpose is Purpose.RESET_PASSWORD
            else settings.verification_token_ttl_seconds
        )
        token = await email_tokens.issue(db, user_id=user.id, purpose=purpose, email=address, ttl_seconds=ttl)
        await db.commit()
        api = f"{settings.public_base_url}/api/auth"
        if purpose is Purpose.RESET_PASSWORD:
            link = f"{api}/reset-password/{quote(token, safe='')}?{urlencode({'callbackURL': callback_url})}"
        else:
            link = f"{api}/verify-email?{urlencode({'token': token, 'callbackURL': callback_url})}"
        return self._templates.render(
            purpose,
            to=to,
            name=user.name or user.email,
            email=user.email,
            new_email=address,
            link=link,
            valid_for=_duration(ttl),
        )
