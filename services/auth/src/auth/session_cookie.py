"""Better Auth's signed session cookie and bearer value, byte for byte as its client expects.

Value: ``urlencode(token + "." + base64(HMAC-SHA256(key, token)))`` (WIRE.md §4, §6). The HMAC key is derived
from ``JWT_SECRET`` with a label, so one secret serves both and neither use can forge the other.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import string
from urllib.parse import quote, unquote

__all__ = ["SessionCookie", "new_session_token"]

_ALPHABET = string.ascii_letters + string.digits
_SIGNATURE_LENGTH = 44  # standard base64 of 32 bytes, with one "=" of padding
_CLEARED = ("session_token", "session_data", "dont_remember")


def new_session_token() -> str:
    """Make a session token like Better Auth's: 32 random ``[A-Za-z0-9]`` characters (~190 bits)."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(32))


class SessionCookie:
    """Sign, read and clear the ``better-auth.session_token`` cookie (``__Secure-`` prefixed behind https)."""

    def __init__(self, *, secret: str, secure: bool, max_age_seconds: int) -> None:
        self._key = hmac.new(secret.encode(), b"better-auth-session-cookie", hashlib.sha256).digest()
        self._prefix = "__Secure-better-auth." if secure else "better-auth."
        self._attributes = "Path=/; HttpOnly; SameSite=Lax" + ("; Secure" if secure else "")
        self.name = self._prefix + "session_token"
        self.dont_remember_name = self._prefix + "dont_remember"
        self.max_age_seconds = max_age_seconds

    def sign(self, token: str) -> str:
        """Return ``token.signature``: the ``set-auth-token`` header value (not URL-encoded)."""
        digest = hmac.new(self._key, token.encode("utf-8", "surrogatepass"), hashlib.sha256).digest()
        return f"{token}.{base64.b64encode(digest).decode()}"

    def unsign(self, value: str) -> str | None:
        """Return the token inside a signed value, or ``None`` when the signature does not match."""
        token, dot, signature = value.rpartition(".")
        if not dot or len(signature) != _SIGNATURE_LENGTH or not signature.endswith("="):
            return None
        # Compared as bytes: compare_digest refuses str with non-ASCII characters, and headers may hold them.
        expected = self.sign(token).encode("utf-8", "surrogatepass")
        return token if hmac.compare_digest(expected, value.encode("utf-8", "surrogatepass")) else None

    def from_cookie(self, cookie_value: str | None) -> str | None:
        """Read the session token out of the cookie's raw value."""
        return self.unsign(unquote(cookie_value)) if cookie_value else None

    def from_bearer(self, bearer: str) -> str | None:
        """Read a session token from a bearer value: ``token.sig`` (URL-encoded or not) or the raw token."""
        if "." not in bearer:
            return bearer if len(bearer) == 32 and bearer.isascii() and bearer.isalnum() else None
        return self.unsign(unquote(bearer) if "%" in bearer else bearer)

    def set_header(self, token: str, *, remember: bool = True) -> str:
        """Build the ``Set-Cookie`` value for a new session (no Max-Age: a browser-session cookie)."""
        value = quote(self.sign(token), safe="")
        max_age = f"Max-Age={self.max_age_seconds}; " if remember else ""
        return f"{self.name}={value}; {max_age}{self._attributes}"

    def dont_remember_header(self) -> str:
        """Build the ``dont_remember`` cookie that marks a session as ended with the browser (``rememberMe: false``)."""
        return f"{self.dont_remember_name}={quote(self.sign('true'), safe='')}; {self._attributes}"

    def clear_headers(self) -> list[str]:
        """Build the three ``Set-Cookie`` values Better Auth sends on sign-out."""
        return [f"{self._prefix}{name}=; Max-Age=0; {self._attributes}" for name in _CLEARED]
