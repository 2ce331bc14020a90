"""Opaque bearer secrets (refresh tokens, session tokens): random, and stored only as a SHA-256 digest."""

from __future__ import annotations

import hashlib
import secrets

__all__ = ["digest", "new_token"]

TOKEN_BYTES = 32  # 256 bits: guessing is hopeless, so a fast unsalted hash is enough to store it


def new_token() -> str:
    """Make a URL-safe random token."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def digest(token: str) -> bytes:
    """Return what the database stores for a token."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()
