"""Count and time every HTTP request by method, route template and status, on the hot path of every request."""

from __future__ import annotations

from time import perf_counter

from prometheus_client.metrics import Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from todo_shared.metrics import HTTP_REQUEST_DURATION, HTTP_REQUESTS

__all__ = ["UNMATCHED", "HttpMetricsMiddleware"]

UNMATCHED = "unmatched"
# Anything else a client sends as a method is counted as "other", so no client can grow the label set.
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class HttpMetricsMiddleware:
    """Pure ASGI: a clock read at each end, one small closure, a dict lookup for the labelled series.

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

        async def send_and_note_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
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
