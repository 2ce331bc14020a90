"""Better Auth's origin / CSRF rule for state-changing requests (WIRE.md §7)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from urllib.parse import urlsplit

from todo_shared.errors import Forbidden

__all__ = ["check_origin", "origin_of"]

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def origin_of(url: str) -> str | None:
    """Reduce a URL (an Origin or a Referer) to ``scheme://host[:port]``; ``None`` if it has none."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


def _refuse(message: str, code: str) -> Forbidden:
    return Forbidden(message, code=code)


def check_origin(
    *,
    method: str,
    headers: Mapping[str, str],
    trusted: Collection[str],
    is_sign_in: bool,
) -> None:
    """Raise ``Forbidden`` with Better Auth's code when a request must not pass; return when it may.

    Cookie-carrying writes always need a trusted Origin (or Referer). Sign-in and sign-up also need one from a
    browser (any ``Sec-Fetch-*`` header) or whenever an Origin is sent; plain server-to-server calls pass.
    """
    if method.upper() in _SAFE_METHODS:
        return
    has_cookie = bool(headers.get("cookie"))
    from_browser = any(name.lower().startswith("sec-fetch-") for name in headers)
    if not (has_cookie or is_sign_in):
        return
    if is_sign_in and not has_cookie and headers.get("sec-fetch-site") == "cross-site":
        if headers.get("sec-fetch-mode") == "navigate":
            raise _refuse("Cross-site navigation login blocked", "CROSS_SITE_NAVIGATION_LOGIN_BLOCKED")
    raw = headers.get("origin") or headers.get("referer")
    if not raw or raw == "null":
        if has_cookie or from_browser:
            raise _refuse("Missing or null Origin", "MISSING_OR_NULL_ORIGIN")
        return
    if origin_of(raw) not in trusted:
        raise _refuse("Invalid origin", "INVALID_ORIGIN")
