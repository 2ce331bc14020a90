"""``/healthz`` (the process serves) and ``/readyz`` (its dependencies answer) for a FastAPI service."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping

from fastapi import APIRouter, Request
from starlette.responses import JSONResponse

from todo_shared.handlers import render_error

__all__ = ["Check", "health_router"]

Check = Callable[[Request], Awaitable[object]]


def health_router(checks: Mapping[str, Check], *, timeout_seconds: float = 1.0) -> APIRouter:
    """Build the two probes; ``checks`` name each dependency ``/readyz`` must reach."""
    router = APIRouter(tags=["health"])

    @router.get("/healthz", summary="The process is serving")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz", summary="Every dependency answers", responses={503: {"description": "A dependency is down"}})
    async def readyz(request: Request) -> JSONResponse:
        async def probe(check: Check) -> bool:
            try:
                await asyncio.wait_for(check(request), timeout_seconds)
            except Exception:  # noqa: BLE001 - any failure means "not ready"; the name says which
                return False
            return True

        results = dict(zip(checks, await asyncio.gather(*(probe(c) for c in checks.values())), strict=True))
        down = sorted(name for name, ok in results.items() if not ok)
        if down:
            return render_error(503, "not_ready", f"Not ready: {', '.join(down)} unavailable")
        return JSONResponse({"status": "ok", "checks": dict.fromkeys(results, "ok")})

    return router
