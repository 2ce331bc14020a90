"""Reading a request body as better-call and zod do: JSON or a form, fields checked in order, zod's messages.

Bodies are read here, not by FastAPI, so bad input gets Better Auth's 400s rather than the app's 422 envelope.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from fastapi import Request

from auth.better_auth.wire import BetterAuthError
from auth.models import EMAIL_MAX
from auth.schemas import normalise_email
from todo_shared.text import UNSTORABLE

__all__ = ["UNDEFINED", "Fields", "normalised_email", "read_body"]

UNDEFINED: Any = object()  # JavaScript's undefined: a body or a key that is not there


def _type_name(value: object) -> str:
    """Name a JSON value's type the way zod's messages do."""
    if value is UNDEFINED:
        return "undefined"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _not_json(constant: str) -> None:
    # Python's json takes NaN and Infinity; JSON.parse does not.
    raise ValueError(f"{constant} is not JSON")


async def read_body(request: Request) -> object:
    """Return the body as Better Auth reads it: parsed JSON, a form as a dict, or undefined for anything else."""
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    raw = await request.body()
    if media_type == "application/x-www-form-urlencoded":
        return dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
    # Never text/plain: a page on any origin may post that without a preflight.
    if not (media_type == "application/json" or media_type.endswith("+json")) or not raw.strip():
        return UNDEFINED
    try:
        return json.loads(raw, parse_constant=_not_json)
    except (ValueError, RecursionError):  # also bad UTF-8, and nesting deeper than the parser's stack
        raise BetterAuthError(400, "BAD_REQUEST", "Invalid JSON in request body") from None


def normalised_email(value: str) -> str | None:
    """Return the address as ``/signup`` stores it, or ``None`` if it is not one."""
    if len(value) > EMAIL_MAX:
        return None
    try:
        return normalise_email(value)
    except ValueError:
        return None


class Fields:
    """A body's fields, checked in schema order like Better Auth's zod schema, its messages collected."""

    def __init__(self, body: object) -> None:
        if not isinstance(body, dict):
            raise BetterAuthError(
                400, "VALIDATION_ERROR", f"[body] Invalid input: expected object, received {_type_name(body)}"
            )
        self._body: dict[str, object] = body
        self._issues: list[str] = []

    def issue(self, key: str, message: str) -> None:
        """Record a problem with one field."""
        self._issues.append(f"[body.{key}] {message}")

    def optional_string(self, key: str, *, required: bool = False) -> str | None:
        """Return a string field, or ``None`` when it is absent or has an issue."""
        value = self._body.get(key, UNDEFINED)
        if value is UNDEFINED and not required:
            return None
        if not isinstance(value, str):
            self.issue(key, f"Invalid input: expected string, received {_type_name(value)}")
            return None
        if UNSTORABLE.search(value):
            self.issue(key, "Invalid input: NUL and unpaired surrogate characters are not allowed")
            return None
        return value

    def has(self, key: str) -> bool:
        """Tell whether the body has ``key`` at all."""
        return key in self._body

    def optional_nullable_string(self, key: str, *, max_length: int) -> str | None:
        """Return a string-or-null field (``None`` for null, absent, or an issue), at most ``max_length`` long."""
        if self._body.get(key, UNDEFINED) is None:
            return None
        value = self.optional_string(key)
        if value is not None and len(value) > max_length:
            self.issue(key, f"Too big: expected string to have <={max_length} characters")
            return None
        return value

    def string(self, key: str) -> str:
        """Return a required string field (``""`` after an issue, which ``check`` then reports)."""
        return self.optional_string(key, required=True) or ""

    def email(self, key: str) -> str:
        """Return a required email field, normalised."""
        value = self.optional_string(key, required=True)
        if value is None:
            return ""
        normalised = normalised_email(value)
        if normalised is None:
            self.issue(key, "Invalid email address")
        return normalised or ""

    def optional_boolean(self, key: str) -> bool | None:
        """Return a boolean field, or ``None`` when it is absent or has an issue."""
        value = self._body.get(key, UNDEFINED)
        if value is UNDEFINED:
            return None
        if not isinstance(value, bool):
            self.issue(key, f"Invalid input: expected boolean, received {_type_name(value)}")
            return None
        return value

    def check(self) -> None:
        """Raise Better Auth's 400 naming every issue, if there is any."""
        if self._issues:
            raise BetterAuthError(400, "VALIDATION_ERROR", "; ".join(self._issues))
