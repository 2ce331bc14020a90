"""Request and response bodies of the auth API, with the limits every field is held to."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, BaseModel, Field
from pydantic_core import PydanticCustomError

from auth.models import EMAIL_MAX, NAME_MAX
from auth.password_policy import is_common_password
from todo_shared.text import NO_NUL, storable

__all__ = [
    "LoginIn",
    "MeOut",
    "MessageOut",
    "RefreshIn",
    "SignupIn",
    "TokenOut",
    "UserOut",
    "normalise_email",
]

PASSWORD_MIN = 8
PASSWORD_MAX = 128  # Argon2 would take longer ones, but nobody types them and they only cost CPU
REFRESH_TOKEN_MAX = 256


def normalise_email(value: str) -> str:
    """Validate an address and return the form it is stored in (IDNA/NFC-normalised, lower-cased)."""
    try:
        return validate_email(value, check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise ValueError(f"is not a valid email address: {exc}") from None


def _uncommon(value: str) -> str:
    if is_common_password(value):
        # A type of its own, so a client can tell this refusal from a length one.
        raise PydanticCustomError("password_too_common", "is one of the most common passwords; choose another")
    return value


def _login_email(value: str) -> str:
    # Sign-in never says "bad email": an address that could not be registered is simply not found.
    try:
        return normalise_email(value)
    except ValueError:
        return value.strip().lower()


def _name(value: str | None) -> str | None:
    # Blank means "not given": the service then uses the part of the email before '@'.
    return (storable(value.strip()) or None) if value is not None else None


Email = Annotated[
    str,
    Field(min_length=3, max_length=EMAIL_MAX, json_schema_extra={"format": "email"}, examples=["ada@example.com"]),
    AfterValidator(storable),
    AfterValidator(normalise_email),
]
LoginEmail = Annotated[
    str,
    Field(min_length=1, max_length=EMAIL_MAX, examples=["ada@example.com"]),
    NO_NUL,
    AfterValidator(storable),
    AfterValidator(_login_email),
]
NewPassword = Annotated[
    str,
    Field(min_length=PASSWORD_MIN, max_length=PASSWORD_MAX),
    NO_NUL,
    AfterValidator(storable),
    AfterValidator(_uncommon),
]
Password = Annotated[str, Field(min_length=1, max_length=PASSWORD_MAX), NO_NUL, AfterValidator(storable)]
Name = Annotated[
    Annotated[str, Field(max_length=NAME_MAX), NO_NUL] | None,
    Field(description="Defaults to the part of the email before '@'", examples=["Ada Lovelace"]),
    AfterValidator(_name),
]


class SignupIn(BaseModel):
    email: Email
    password: NewPassword
    name: Name = None


class LoginIn(BaseModel):
    email: LoginEmail
    password: Password


class RefreshIn(BaseModel):
    refresh_token: Annotated[str, Field(min_length=1, max_length=REFRESH_TOKEN_MAX)]


class UserOut(BaseModel):
    id: uuid.UUID
    email: str
    name: str


class MeOut(UserOut):
    created_at: datetime


class TokenOut(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the OAuth token type, not a secret
    expires_in: int = Field(description="Seconds until the access token expires")
    refresh_token: str
    user: UserOut


class MessageOut(BaseModel):
    message: str
