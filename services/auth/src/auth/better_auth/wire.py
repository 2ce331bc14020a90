"""The protocol's wire shapes: camelCase bodies, Better Auth's errors, and OpenAPI descriptions of both.

Timestamps are ISO 8601 with milliseconds and "Z". Request bodies are described here as TypedDicts for the docs
only: ``body.Fields`` reads them, with Better Auth's messages.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Any, NotRequired

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, TypeAdapter
from pydantic.alias_generators import to_camel
from starlette.responses import Response
from typing_extensions import TypedDict  # pydantic reads typing's TypedDict only from Python 3.12

from auth.models import EMAIL_MAX, IMAGE_MAX, NAME_MAX, Session, User
from auth.schemas import PASSWORD_MAX, PASSWORD_MIN
from auth.session_reads import LiveSession, LiveUser
from todo_shared.errors import AppError
from todo_shared.schemas import ErrorOut

__all__ = [
    "BetterAuthError",
    "BetterAuthSession",
    "BetterAuthUser",
    "ChangeEmailIn",
    "ChangePasswordIn",
    "ChangePasswordOut",
    "DeleteUserIn",
    "DeleteUserOut",
    "RequestPasswordResetIn",
    "ResetPasswordIn",
    "ResetRequestOut",
    "RevokeSessionIn",
    "SendVerificationEmailIn",
    "SessionOut",
    "SignInEmailIn",
    "SignInOut",
    "SignUpEmailIn",
    "SignUpOut",
    "StatusOut",
    "SuccessOut",
    "TokenOnlyOut",
    "UpdateUserIn",
    "VerifyEmailOut",
    "docs",
    "json_response",
    "session_out",
    "user_out",
]


class BetterAuthError(AppError):
    """An error with Better Auth's status, UPPER_SNAKE code and message."""

    def __init__(self, status_code: int, code: str, message: str) -> None:
        super().__init__(message, code=code)
        self.status_code = status_code


def _timestamp(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


Timestamp = Annotated[datetime, PlainSerializer(_timestamp, return_type=str)]


class _Wire(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, serialize_by_alias=True)


class BetterAuthUser(_Wire):
    id: uuid.UUID
    email: str
    name: str
    email_verified: bool = False
    image: str | None = None
    created_at: Timestamp
    updated_at: Timestamp


class BetterAuthSession(_Wire):
    id: uuid.UUID
    token: str
    user_id: uuid.UUID
    expires_at: Timestamp
    created_at: Timestamp
    updated_at: Timestamp
    ip_address: str
    user_agent: str


class SignUpOut(_Wire):
    token: str
    user: BetterAuthUser


class SignInOut(_Wire):
    redirect: bool
    token: str
    url: str | None = Field(default=None, exclude_if=lambda url: url is None)
    user: BetterAuthUser


class SessionOut(_Wire):
    session: BetterAuthSession
    user: BetterAuthUser


class TokenOnlyOut(_Wire):
    token: str


class SuccessOut(_Wire):
    success: bool


class StatusOut(_Wire):
    status: bool


class VerifyEmailOut(_Wire):
    status: bool
    user: BetterAuthUser | None = Field(default=None, description="null for a plain verification")


class ChangePasswordOut(_Wire):
    token: str | None = Field(description="null: this session is kept, so there is no new token")
    user: BetterAuthUser


class ResetRequestOut(_Wire):
    status: bool
    message: str


class DeleteUserOut(_Wire):
    success: bool
    message: str


# What an email field must hold to be accepted (``body.normalised_email``); anything else is a 400.
EmailDoc = Annotated[str, Field(max_length=EMAIL_MAX, json_schema_extra={"format": "email"})]


class SignUpEmailIn(TypedDict):
    name: Annotated[str, Field(max_length=NAME_MAX)]
    email: EmailDoc
    password: Annotated[str, Field(min_length=PASSWORD_MIN, max_length=PASSWORD_MAX)]
    image: NotRequired[Annotated[str, Field(max_length=IMAGE_MAX)] | None]
    callbackURL: NotRequired[str]
    rememberMe: NotRequired[bool]


class SignInEmailIn(TypedDict):
    email: EmailDoc
    password: str
    callbackURL: NotRequired[str]
    rememberMe: NotRequired[bool]


class SendVerificationEmailIn(TypedDict):
    email: EmailDoc
    callbackURL: NotRequired[str]


class UpdateUserIn(TypedDict):
    name: NotRequired[Annotated[str, Field(max_length=NAME_MAX)]]
    image: NotRequired[Annotated[str, Field(max_length=IMAGE_MAX)] | None]


class ChangePasswordIn(TypedDict):
    newPassword: Annotated[str, Field(min_length=PASSWORD_MIN, max_length=PASSWORD_MAX)]
    currentPassword: str
    revokeOtherSessions: NotRequired[bool]


class RequestPasswordResetIn(TypedDict):
    email: EmailDoc
    redirectTo: NotRequired[str]


class ResetPasswordIn(TypedDict):
    newPassword: Annotated[str, Field(min_length=PASSWORD_MIN, max_length=PASSWORD_MAX)]
    token: NotRequired[str]


class RevokeSessionIn(TypedDict):
    token: Annotated[str, Field(description="A `token` from list-sessions (or a raw session token)")]


class ChangeEmailIn(TypedDict):
    newEmail: EmailDoc
    callbackURL: NotRequired[str]


class DeleteUserIn(TypedDict):
    password: NotRequired[str]
    token: NotRequired[str]
    callbackURL: NotRequired[str]


def user_out(user: User | LiveUser) -> BetterAuthUser:
    """Show a user as Better Auth does."""
    return BetterAuthUser(
        id=user.id,
        email=user.email,
        name=user.name,
        email_verified=user.email_verified,
        image=user.image,
        created_at=user.created_at,
        updated_at=user.updated_at,
    )


def session_out(session: Session | LiveSession, token: str) -> BetterAuthSession:
    """Show a session as Better Auth does, with ``token`` in its ``token`` field."""
    return BetterAuthSession(
        id=session.id,
        token=token,
        user_id=session.user_id,
        expires_at=session.expires_at,
        created_at=session.created_at,
        updated_at=session.updated_at,
        ip_address=session.ip_address or "",
        user_agent=session.user_agent or "",
    )


def json_response(content: BaseModel | list[BaseModel] | None, headers: dict[str, str] | None = None) -> Response:
    """Answer 200 with a wire model (or a list of them, or ``null``) as JSON, serialised once, by pydantic."""
    if content is None:
        body = b"null"
    elif isinstance(content, list):
        body = ("[" + ",".join(item.model_dump_json() for item in content) + "]").encode()
    else:
        body = content.model_dump_json().encode()
    return Response(body, headers=headers, media_type="application/json")


def docs(errors: dict[int, str], body: type[Any] | None = None, *, redirect: str | None = None) -> dict[str, Any]:
    """OpenAPI extras for a route: its errors, its 302 if it redirects, and its JSON body (read by hand)."""
    responses: dict[int | str, dict[str, Any]] = {s: {"model": ErrorOut, "description": d} for s, d in errors.items()}
    if redirect is not None:
        responses[302] = {"description": redirect}
    extra: dict[str, Any] = {"responses": responses}
    if body is not None:
        schema = TypeAdapter(body).json_schema()
        extra["openapi_extra"] = {
            "requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}
        }
    return extra
