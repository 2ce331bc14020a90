"""Better Auth's origin / CSRF rule for state-changing requests, and its callbackURL rule (WIRE.md §7)."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from urllib.parse import urlsplit

from todo_shared.errors import Forbidden

__all__ = ["check_callback_url", "check_origin", "origin_of"]

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Better Auth's own test for a relative callbackURL: one leading "/", never "//", "/\" or their encodings.
_RELATIVE_PATH = re.compile(r"/(?!/|\\|%2f|%5c)[\w\-.+/@]*(?:\?[\w\-.+/=&%@]*)?", re.ASCII)


def origin_of(url: str) -> str | None:
    """Reduce a URL (an Origin or a Referer) to ``scheme://host[:port]``; ``None`` if it has none."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:  # e.g. an unbalanced "[" in the host
        return None
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
            raise _refuse(
                "Cross-site navigation login blocked. This request appears to be a CSRF attack.",
                "CROSS_SITE_NAVIGATION_LOGIN_BLOCKED",
            )
    raw = headers.get("origin") or headers.get("referer")
    # "Origin: null" (sandboxed frames, privacy redirects) is refused even where a missing Origin passes.
    if raw == "null" or (not raw and (has_cookie or from_browser)):
        raise _refuse("Missing or null Origin", "MISSING_OR_NULL_ORIGIN")
    if raw and origin_of(raw) not in trusted:
        raise _refuse("Invalid origin", "INVALID_ORIGIN")


def check_callback_url(url: str, *, trusted: Collection[str]) -> None:
    """Raise ``Forbidden`` unless ``url`` is a plain relative path or lies on a trusted origin."""
    if url.startswith("/"):
        ok = _RELATIVE_PATH.fullmatch(url) is not None
    else:
        ok = origin_of(url) in trusted
    if not ok:
        raise _refuse("Invalid callbackURL", "INVALID_CALLBACK_URL")
