"""The error envelope as OpenAPI models, so every service documents the same shape ``render_error`` writes."""

from __future__ import annotations

from pydantic import BaseModel

__all__ = ["ErrorOut", "FieldError", "ValidationErrorOut"]


class ErrorOut(BaseModel):
    """The error envelope every failure carries."""

    detail: str
    message: str
    code: str
    request_id: str


class FieldError(BaseModel):
    """One invalid field of a 422."""

    loc: list[str | int]
    msg: str
    type: str


class ValidationErrorOut(ErrorOut):
    """A 422: the envelope plus every invalid field."""

    errors: list[FieldError]
