"""One renderer for every error a service answers: the contract's JSON envelope."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, Response

from todo_shared.errors import AppError
from todo_shared.request_id import HEADER, current_request_id

__all__ = ["install_error_handlers", "render_error", "validation_detail"]

log = logging.getLogger("todo.errors")

_STATUS_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}


def render_error(
    status_code: int,
    code: str,
    detail: str,
    *,
    headers: Mapping[str, str] | None = None,
    errors: Sequence[Mapping[str, Any]] | None = None,
) -> JSONResponse:
    """Build the envelope response; the only place error JSON is made."""
    body: dict[str, Any] = {"detail": detail, "message": detail, "code": code, "request_id": current_request_id()}
    if errors is not None:
        body["errors"] = list(errors)
    return JSONResponse(body, status_code=status_code, headers=headers)


def validation_detail(errors: Sequence[Mapping[str, Any]]) -> str:
    """Name the first bad field in plain words."""
    if not errors:
        return "Invalid request"
    first = errors[0]
    loc = [str(part) for part in first.get("loc", ()) if part not in ("body", "query", "path", "header")]
    msg = str(first.get("msg", "is invalid"))
    if first.get("type") == "json_invalid":
        return "Request body is not valid JSON"
    if not loc:
        return f"Request body: {msg[0].lower()}{msg[1:]}" if msg else "Invalid request body"
    return f"Field '{'.'.join(loc)}': {msg[0].lower()}{msg[1:]}"


def _clean(errors: Sequence[Any]) -> list[dict[str, Any]]:
    # Pydantic's raw errors can hold the rejected input and exception objects: keep only what a client needs.
    return [
        {"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))} for e in errors
    ]


def _cause(exc: BaseException) -> str:
    cause = exc.__cause__
    return f"{type(cause).__name__}: {cause}" if cause is not None else exc.detail if isinstance(exc, AppError) else ""


async def _app_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AppError)
    if exc.status_code >= 500:
        # The one log line of an outage answer: what failed underneath, with the request id from the filter.
        log.warning(
            "%s %s answered %d %s: %s", request.method, request.url.path, exc.status_code, exc.code, _cause(exc)
        )
    return render_error(exc.status_code, exc.code, exc.detail, headers=exc.headers)


async def _http_error(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else "Request failed"
    code = _STATUS_CODES.get(exc.status_code, "http_error")
    return render_error(exc.status_code, code, detail, headers=exc.headers)


async def _validation_error(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = _clean(exc.errors())
    return render_error(422, "validation_error", validation_detail(errors), errors=errors)


async def _unexpected_error(request: Request, exc: Exception) -> Response:
    # Runs in the outermost ServerErrorMiddleware: log the trace, answer without it.
    # The request-id middleware sits inside it, so the header is set here.
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return render_error(500, "internal_error", "Internal server error", headers={HEADER: current_request_id()})


def install_error_handlers(app: FastAPI) -> None:
    """Route every error a FastAPI app can raise through ``render_error``."""
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected_error)
