"""One access line and one count per request: what an operator reads first.

The line is a JSON object of its own (method, route template, status, duration, upstream, bytes, request id,
redacted query), rendered here rather than by the general JSON formatter, and written through a buffer that
is flushed every ``FLUSH_SECONDS`` (as nginx's ``access_log ... buffer= flush=`` does): this runs on every
request, and the general formatter plus one write per line cost as much as the rest of the proxying.
A crash loses at most the last second of access lines; warnings and errors are never buffered.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import sys
import time

from starlette.types import Scope

from gateway import metrics
from todo_shared.redaction import redact_query

__all__ = ["ACCESS_LOGGER", "BufferedAccessLog", "record"]

ACCESS_LOGGER = "gateway.access"
FLUSH_SECONDS = 1.0
log = logging.getLogger(ACCESS_LOGGER)


class AccessFormatter(logging.Formatter):
    """Render an access record as one JSON line, the same keys as the other log lines plus the request's."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "message": "access",
            "service": "gateway",
            **record.__dict__["access"],
        }
        return json.dumps(line, separators=(",", ":"))


class _UnflushedHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """A stream handler that leaves flushing to its owner."""

    def flush(self) -> None:
        """Flushing happens on the owner's timer, not after every line."""


class BufferedAccessLog:
    """Installs the access logger: lean JSON lines into a 64 KiB buffer on stderr, flushed every second."""

    def __init__(self) -> None:
        self._stream = io.TextIOWrapper(
            io.BufferedWriter(io.FileIO(sys.stderr.fileno(), "w", closefd=False), 64 * 1024), write_through=False
        )
        handler = _UnflushedHandler(self._stream)
        handler.setFormatter(AccessFormatter())
        log.handlers = [handler]
        log.propagate = False
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start flushing on the running loop."""
        self._task = asyncio.get_running_loop().create_task(self._flush_forever())

    async def _flush_forever(self) -> None:
        while True:
            await asyncio.sleep(FLUSH_SECONDS)
            self._stream.flush()

    async def stop(self) -> None:
        """Stop the timer and write out what is buffered."""
        if self._task is not None:
            self._task.cancel()
        self._stream.flush()


def record(scope: Scope, status: int, started: float, upstream: str, route: str, sent: int, rid: str) -> None:
    """Log the access line and count the request."""
    metrics.count_request(upstream, status)
    if not log.isEnabledFor(logging.INFO):
        return
    query: bytes = scope["query_string"]
    access = {
        "method": scope["method"],
        "route": route,
        "status": status,
        "duration_ms": round((time.perf_counter() - started) * 1000, 3),
        "upstream": upstream,
        "bytes": sent,
        "request_id": rid,
    }
    if query:
        access["query"] = redact_query(query.decode("latin-1"))
    log.info("access", extra={"access": access})
