"""Keep secrets out of logs: token-like query parameters are replaced before a query string is written."""

from __future__ import annotations

import re

__all__ = ["REDACTED", "redact_query"]

REDACTED = "[redacted]"
# Parameter names whose values grant access: tokens, codes, passwords, signatures and keys.
_SECRET_PARAM = re.compile(
    r"(?i)(?:^|&)(?:[^=&]*(?:token|secret|password|passwd|signature|sig|code|key|jwt|session)[^=&]*)=([^&]*)"
)


def redact_query(query: str) -> str:
    """Return ``query`` with the value of every token-like parameter replaced by ``[redacted]``."""
    if not query:
        return query
    return _SECRET_PARAM.sub(lambda m: m.group(0)[: m.start(1) - m.start(0)] + REDACTED, query)
