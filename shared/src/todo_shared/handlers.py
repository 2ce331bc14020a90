"""One renderer for every error a service answers: the contract's JSON envelope."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, Response
from starlette.routing import Match

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


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
# FastAPI answers 400 "There was an error parsing the body" when the JSON decoder fails other than by syntax:
# bytes that are not UTF-8, or nesting deeper than the decoder's stack. Both are bodies that are not JSON we
# can read, which the contract answers with 422 like any other malformed JSON.
_UNREADABLE_JSON = {UnicodeDecodeError: "JSON must be UTF-8", RecursionError: "JSON nested too deeply"}


def _allowed_methods(request: Request) -> str:
    # Starlette's 405 names the methods of the first route on the path only; a path served by several routes
    # (GET and POST on one collection) must list them all (RFC 9110, section 15.5.6). Asking every route
    # about every method needs nothing of FastAPI's route internals, and runs on 405s only.
    routes = request.app.router.routes
    return ", ".join(
        method
        for method in _METHODS
        if any(route.matches({**request.scope, "method": method})[0] == Match.FULL for route in routes)
    )


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    cause = type(exc.__cause__)
    if exc.status_code == 400 and cause in _UNREADABLE_JSON:
        errors = [{"loc": ["body"], "msg": _UNREADABLE_JSON[cause], "type": "json_invalid"}]
        return render_error(422, "validation_error", validation_detail(errors), errors=errors)
    detail = exc.detail if isinstance(exc.detail, str) else "Request failed"
    code = _STATUS_CODES.get(exc.status_code, "http_error")
    headers = exc.headers
    if exc.status_code == 405:
        headers = {**(headers or {}), "Allow": _allowed_methods(request)}
    return render_error(exc.status_code, code, detail, headers=headers)


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
