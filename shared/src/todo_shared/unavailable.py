"""One mapping for a dependency that fails under a request: counted, and answered 503 ``service_unavailable``.

The error keeps the driver's exception as its cause; the error handler logs that cause once, with the request id.
"""

from __future__ import annotations

from typing import Literal

from todo_shared.errors import ServiceUnavailable
from todo_shared.metrics import DEPENDENCY_ERRORS

__all__ = ["Dependency", "dependency_unavailable"]

Dependency = Literal["postgres", "redis"]

_DETAIL: dict[Dependency, str] = {
    "postgres": "The database is unavailable right now, try again shortly",
    "redis": "A service this request needs is unavailable right now, try again shortly",
}


def dependency_unavailable(dependency: Dependency, exc: BaseException, detail: str | None = None) -> ServiceUnavailable:
    """Count ``exc`` against ``dependency`` and return the 503 to raise ``from exc``."""
    DEPENDENCY_ERRORS.labels(dependency, type(exc).__name__).inc()
    error = ServiceUnavailable(detail or _DETAIL[dependency])
    error.__cause__ = exc
    return error
