"""Readiness: the gateway is ready when at least one replica of every upstream says it is ready (its ``/readyz``).

Each service's ``/readyz`` checks its PostgreSQL and Redis and answers 503 naming what is down ("Not ready:
postgres unavailable"); the gateway passes that on, per service (and per replica when there are several), in its
own 503.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping, Sequence
from datetime import timedelta

from pyreqwest.client import Client
from pyreqwest.exceptions import RequestError
from starlette.responses import JSONResponse

from todo_shared.errors import ServiceUnavailable
from todo_shared.handlers import render_error

__all__ = ["Readiness"]

_NOT_READY_PREFIX = "Not ready: "


class Readiness:
    """Asks every replica's ``/readyz`` at once, each within ``timeout_seconds``."""

    def __init__(self, client: Client, upstreams: Mapping[str, Sequence[str]], timeout_seconds: float) -> None:
        self._client = client
        self._upstreams = dict(sorted(upstreams.items()))
        self._timeout = timedelta(seconds=timeout_seconds)

    async def _problem(self, base: str) -> str | None:
        """None when the upstream is ready, else why not, in a few words."""
        try:
            response = await self._client.get(base + "/readyz").timeout(self._timeout).build().send()
            if response.status == 200:
                return None
            body = await response.bytes()
        except RequestError:
            return "no answer"
        try:
            detail = json.loads(bytes(body))["detail"]
        except (ValueError, KeyError, TypeError):
            return f"status {response.status}"
        if isinstance(detail, str) and detail.startswith(_NOT_READY_PREFIX):
            return detail.removeprefix(_NOT_READY_PREFIX)
        return f"status {response.status}"

    async def _service_problem(self, bases: Sequence[str]) -> str | None:
        """None when one replica is ready, else why none is (each replica named when there are several)."""
        problems = await asyncio.gather(*(self._problem(base) for base in bases))
        if None in problems:
            return None
        if len(bases) == 1:
            return problems[0]
        return "; ".join(f"{base}: {problem}" for base, problem in zip(bases, problems, strict=True))

    async def answer(self) -> JSONResponse:
        """200 with every upstream ``ok``, or the 503 envelope naming each one that is not ready and why."""
        problems = await asyncio.gather(*(self._service_problem(bases) for bases in self._upstreams.values()))
        down = [f"{name} ({problem})" for name, problem in zip(self._upstreams, problems, strict=True) if problem]
        if down:
            error = ServiceUnavailable(f"{_NOT_READY_PREFIX}{', '.join(down)}", code="not_ready")
            return render_error(error.status_code, error.code, error.detail)
        return JSONResponse({"status": "ok", "checks": dict.fromkeys(self._upstreams, "ok")})
