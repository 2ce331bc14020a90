"""Which upstream serves a path: the contract's routing table as one precompiled pattern."""

from __future__ import annotations

import re

__all__ = ["upstream_for"]

# /api/auth, /api/auth/** -> auth; /api/{user_id}/tasks, /api/{user_id}/tasks/** -> tasks. Matched on the raw
# (still percent-encoded) path, the very bytes the upstream will receive, so an encoded "/" cannot smuggle a
# path past the table. \Z, not $, which would also match before a trailing newline.
_ROUTE = re.compile(rb"/api/(?:(auth)(?:/|\Z)|[^/]+/tasks(?:/|\Z))")


def upstream_for(raw_path: bytes) -> str | None:
    """Name the upstream for a raw request path, or None when no route matches."""
    match = _ROUTE.match(raw_path)
    if match is None:
        return None
    return "auth" if match.group(1) else "tasks"
