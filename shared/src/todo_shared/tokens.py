"""Access tokens: HS256 JWTs in the RFC 9068 profile, minted by auth and verified everywhere."""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, OctKey
from joserfc.jwt import JWTClaimsRegistry

from todo_shared.errors import Unauthorized

__all__ = ["ALGORITHM", "TOKEN_TYPE", "AccessClaims", "TokenSigner", "TokenVerifier", "bearer_token", "key_id"]

ALGORITHM = "HS256"
TOKEN_TYPE = "at+jwt"  # noqa: S105 - a media type, not a secret
_ALGORITHMS = [ALGORITHM]


@dataclass(frozen=True, slots=True)
class AccessClaims:
    """The claims a verified access token carries."""

    sub: str
    email: str
    sid: str
    jti: str
    iat: int
    exp: int


def key_id(secret: str) -> str:
    """Derive a stable, non-secret ``kid`` from a secret, so rotation needs no extra setting."""
    return hashlib.sha256(secret.encode()).hexdigest()[:16]


def _key(secret: str) -> OctKey:
    return OctKey.import_key(secret.encode(), {"kid": key_id(secret)})


class TokenSigner:
    """Mint access tokens with the current secret only."""

    def __init__(self, *, secret: str, issuer: str, audience: str, lifetime_seconds: int) -> None:
        self._key = _key(secret)
        self._header = {"alg": ALGORITHM, "typ": TOKEN_TYPE, "kid": key_id(secret)}
        self._issuer = issuer
        self._audience = audience
        self.lifetime_seconds = lifetime_seconds

    def mint(self, *, user_id: str, email: str, session_id: str, now: int | None = None) -> tuple[str, AccessClaims]:
        """Sign a new access token for one session and return it with its claims."""
        issued = int(time.time()) if now is None else now
        claims = AccessClaims(
            sub=user_id,
            email=email,
            sid=session_id,
            jti=uuid.uuid4().hex,
            iat=issued,
            exp=issued + self.lifetime_seconds,
        )
        payload = {
            "iss": self._issuer,
            "aud": self._audience,
            "sub": claims.sub,
            "email": claims.email,
            "sid": claims.sid,
            "jti": claims.jti,
            "iat": claims.iat,
            "exp": claims.exp,
        }
        return jwt.encode(self._header, payload, self._key, algorithms=_ALGORITHMS), claims


class TokenVerifier:
    """Check signature, algorithm, ``typ``, ``iss``, ``aud`` and expiry; never trust the token's own ``alg``."""

    def __init__(
        self,
        *,
        secret: str,
        previous_secrets: Sequence[str] = (),
        issuer: str,
        audience: str,
        leeway_seconds: int = 30,
    ) -> None:
        self._keys = KeySet([_key(s) for s in (secret, *previous_secrets)])
        self._registry = JWTClaimsRegistry(
            leeway=leeway_seconds,
            iss={"essential": True, "value": issuer},
            aud={"essential": True, "value": audience},
            sub={"essential": True},
            sid={"essential": True},
            jti={"essential": True},
            iat={"essential": True},
            exp={"essential": True},
        )

    def verify(self, token: str) -> AccessClaims:
        """Return the claims of a valid token; raise ``Unauthorized`` for anything else."""
        try:
            decoded = jwt.decode(token, self._keys, algorithms=_ALGORITHMS)
            if decoded.header.get("typ") != TOKEN_TYPE:
                raise Unauthorized("Invalid token type", code="invalid_token")
            self._registry.validate(decoded.claims)
            c = decoded.claims
            return AccessClaims(
                sub=str(c["sub"]),
                email=str(c.get("email", "")),
                sid=str(c["sid"]),
                jti=str(c["jti"]),
                iat=int(c["iat"]),
                exp=int(c["exp"]),
            )
        except JoseError as exc:
            raise Unauthorized("Invalid or expired token", code="invalid_token") from exc
        except (ValueError, TypeError, KeyError) as exc:
            # Garbage that is not even a JWS (bad base64, odd segment counts, wrong claim types).
            raise Unauthorized("Invalid or expired token", code="invalid_token") from exc


def bearer_token(authorization: str | None) -> str:
    """Extract the token from an ``Authorization: Bearer`` header, or raise ``Unauthorized``."""
    if not authorization:
        raise Unauthorized("Not authenticated")
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > 4096:
        raise Unauthorized("Invalid authorization header", code="invalid_token")
    return token
