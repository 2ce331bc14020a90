"""Authenticate a request's bearer token: signature and claims locally, revocation in one Redis round trip."""

from __future__ import annotations

from todo_shared.denylist import Denylist
from todo_shared.errors import Unauthorized
from todo_shared.tokens import AccessClaims, TokenVerifier, bearer_token

__all__ = ["authenticate"]


async def authenticate(authorization: str | None, *, verifier: TokenVerifier, denylist: Denylist) -> AccessClaims:
    """Return the claims of a valid, unrevoked bearer token, or raise ``Unauthorized`` / ``ServiceUnavailable``."""
    claims = verifier.verify(bearer_token(authorization))
    if await denylist.is_revoked(claims):
        raise Unauthorized("Token has been revoked", code="token_revoked")
    return claims
