"""A stand-in for the tasks service's GET-one-task: the same-sized JSON, no database, no token check.

Used by ``gateway_bench.py --stand-in`` (and when the tasks service is not installed) to measure the proxy's
own cost; against it any proxy looks expensive, because the upstream does almost nothing.
"""

from __future__ import annotations

import json

from starlette.types import Receive, Scope, Send

_BODY = json.dumps(
    {
        "id": 1,
        "user_id": "0b0e7a52-4d1f-4c43-9a55-8f1b7c3e9d21",
        "title": "Benchmark task",
        "description": "A task of typical size, read again and again.",
        "completed": False,
        "priority": "medium",
        "due_date": None,
        "created_at": "2026-11-25T12:00:00+00:00",
        "updated_at": "2026-11-25T12:00:00+00:00",
    }
).encode()
_HEADERS = [(b"content-type", b"application/json"), (b"content-length", str(len(_BODY)).encode())]


async def app(scope: Scope, _receive: Receive, send: Send) -> None:
    """Answer every HTTP request with the task."""
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": _HEADERS})
    await send({"type": "http.response.body", "body": _BODY})
