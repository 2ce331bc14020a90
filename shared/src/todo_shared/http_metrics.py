"""Count, time and log every HTTP request (method, route template, status), on the hot path of every request."""

from __future__ import annotations

import logging
from time import perf_counter

from prometheus_client.metrics import Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from todo_shared.metrics import HTTP_REQUEST_DURATION, HTTP_REQUESTS
from todo_shared.redaction import redact_query

__all__ = ["UNMATCHED", "HttpMetricsMiddleware"]

UNMATCHED = "unmatched"
# Anything else a client sends as a method is counted as "other", so no client can grow the label set.
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

_access = logging.getLogger("todo.access")


def _log_access(scope: Scope, status: int) -> None:
    """Write the request's access line, its query redacted: ``client - "GET /path?q HTTP/1.1" 200``."""
    client = scope.get("client")
    query = redact_query(scope["query_string"].decode("latin-1"))
    target = scope["path"] + ("?" + query if query else "")
    _access.info(
        '%s - "%s %s HTTP/%s" %d',
        f"{client[0]}:{client[1]}" if client else "-",
        scope["method"],
        target,
        scope["http_version"],
        status,
        extra={"method": scope["method"], "path": scope["path"], "status": status},
    )


class HttpMetricsMiddleware:
    """Pure ASGI: a clock read at each end, one small closure, a dict lookup for the labelled series.

    The access line is written when the response starts, inside the request-id middleware's context, so it carries
    the request id (the server writes none: ``todo_shared.server``).

        The route template is what the router left in ``scope["route"]`` (FastAPI and Starlette set it on a full or
        a method-mismatch match); a request no route matched is ``unmatched``. An exception that escapes the app
        is counted as the 500 the outer error middleware will answer.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        # (method, route, status) -> its counter and histogram children; labels() takes a lock and builds a
        # tuple each call, a plain dict lookup does neither. Bounded: methods x route templates x statuses.
        self._series: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = perf_counter()
        status = 500
        method = scope["method"]
        if method not in _METHODS:
            method = "other"

        logging_access = _access.isEnabledFor(logging.INFO)

        async def send_and_note_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                if logging_access:
                    _log_access(scope, status)
            await send(message)

        try:
            await self.app(scope, receive, send_and_note_status)
        finally:
            route = scope.get("route")
            key = (method, route.path if route is not None else UNMATCHED, status)
            series = self._series.get(key)
            if series is None:
                series = self._series[key] = self._children(*key)
            series[0].inc()
            series[1].observe(perf_counter() - start)

    @staticmethod
    def _children(method: str, route: str, status: int) -> tuple[Counter, Histogram]:
        return HTTP_REQUESTS.labels(method, route, str(status)), HTTP_REQUEST_DURATION.labels(method, route)
