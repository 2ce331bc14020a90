"""Which upstream serves a path: the contract's routing table as one precompiled pattern."""

from __future__ import annotations

import re

__all__ = ["AUTH_ROUTE", "UNMATCHED", "route_template", "upstream_for"]

# /api/auth, /api/auth/** -> auth; /api/{user_id}/tasks, /api/{user_id}/tasks/** -> tasks. Matched on the raw
# (still percent-encoded) path, the very bytes the upstream will receive, so an encoded "/" cannot smuggle a
# path past the table. \Z, not $, which would also match before a trailing newline.
_ROUTE = re.compile(rb"/api/(?:(auth)(?:/|\Z)|[^/]+/tasks(?:/|\Z))")
# A "." or ".." segment, plain or percent-encoded: the upstream client would resolve it before sending (so the
# service would get another path than the one routed here); no route of the contract has one, so it is a 404.
_DOT_SEGMENT = re.compile(rb"/(?:\.|%2e){1,2}(?:/|\Z)", re.IGNORECASE)
# The tasks service's own routes, for logs and metrics labels (a bounded set, never the raw path).
_TASK_ROUTE = re.compile(rb"/api/[^/]+/tasks(?:/([^/]+)(/complete)?)?\Z")

AUTH_ROUTE = "/api/auth/**"
UNMATCHED = "unmatched"


def upstream_for(raw_path: bytes) -> str | None:
    """Name the upstream for a raw request path, or None when no route matches."""
    match = _ROUTE.match(raw_path)
    if match is None or _DOT_SEGMENT.search(raw_path):
        return None
    return "auth" if match.group(1) else "tasks"


def route_template(upstream: str, raw_path: bytes) -> str:
    """The route template of a routed path: ``/api/auth/**``, ``/api/{user_id}/tasks/{id}``, ..."""
    if upstream == "auth":
        return AUTH_ROUTE
    match = _TASK_ROUTE.match(raw_path)
    if match is None:
        return "/api/{user_id}/tasks/**"
    if match.group(2):
        return "/api/{user_id}/tasks/{id}/complete"
    return "/api/{user_id}/tasks/{id}" if match.group(1) else "/api/{user_id}/tasks"
