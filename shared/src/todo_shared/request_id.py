"""Request ids: kept when the caller sent a sane one, generated otherwise, echoed back."""

from __future__ import annotations

import re
import uuid

from asgi_correlation_id import CorrelationIdMiddleware, correlation_id
from fastapi import FastAPI

__all__ = ["HEADER", "current_request_id", "is_sane_request_id", "new_request_id", "install_request_id"]

HEADER = "X-Request-ID"
_SANE = re.compile(r"[A-Za-z0-9._:-]{1,128}")


def is_sane_request_id(value: str) -> bool:
    """Tell whether a client-sent id is short and safe to log and echo."""
    return _SANE.fullmatch(value) is not None


def new_request_id() -> str:
    """Make a fresh request id."""
    return uuid.uuid4().hex


def current_request_id() -> str:
    """Return the id of the request being served, or a fresh one outside a request."""
    return correlation_id.get() or new_request_id()


def install_request_id(app: FastAPI) -> None:
    """Give every request an id, echoed in ``X-Request-ID`` (500s get it from the error handler)."""
    app.add_middleware(
        CorrelationIdMiddleware,
        header_name=HEADER,
        update_request_header=True,
        generator=new_request_id,
        validator=is_sane_request_id,
    )
