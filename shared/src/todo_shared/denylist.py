"""The revocation denylist in Redis: written by auth, read by every service in one ``MGET``.

Keys share the ``{user_id}`` hash tag so a user's three keys live in one Redis Cluster slot.
"""

from __future__ import annotations

from collections.abc import Iterable

from redis.asyncio import Redis
from redis.exceptions import RedisError

from todo_shared.errors import ServiceUnavailable
from todo_shared.tokens import AccessClaims

__all__ = ["Denylist", "jti_key", "sid_key", "before_key"]


def jti_key(user_id: str, jti: str) -> str:
    """Key that voids one access token."""
    return f"denylist:{{{user_id}}}:jti:{jti}"


def sid_key(user_id: str, sid: str) -> str:
    """Key that voids every access token of one session."""
    return f"denylist:{{{user_id}}}:sid:{sid}"


def before_key(user_id: str) -> str:
    """Key holding a moment: every token of the user issued before it is void."""
    return f"denylist:{{{user_id}}}:before"


class Denylist:
    """Check and record revocations; Redis failures become 503, never a silent pass."""

    def __init__(self, redis: Redis, *, ttl_seconds: int) -> None:
        # Entries only need to outlive the tokens they void: one access-token lifetime plus leeway.
        self._redis = redis
        self._ttl = ttl_seconds

    async def is_revoked(self, claims: AccessClaims) -> bool:
        """Tell whether the token, its session or everything its user held before now is revoked."""
        try:
            by_jti, by_sid, before = await self._redis.mget(
                jti_key(claims.sub, claims.jti), sid_key(claims.sub, claims.sid), before_key(claims.sub)
            )
        except RedisError as exc:
            raise ServiceUnavailable("Token revocation cannot be checked right now") from exc
        return by_jti is not None or by_sid is not None or (before is not None and claims.iat < int(before))

    async def revoke(
        self,
        *,
        user_id: str,
        jtis: Iterable[str] = (),
        sids: Iterable[str] = (),
        before: int | None = None,
    ) -> None:
        """Record revocations atomically; raise ``ServiceUnavailable`` if Redis did not take them."""
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                for jti in jtis:
                    pipe.set(jti_key(user_id, jti), "1", ex=self._ttl)
                for sid in sids:
                    pipe.set(sid_key(user_id, sid), "1", ex=self._ttl)
                if before is not None:
                    pipe.set(before_key(user_id), str(before), ex=self._ttl)
                await pipe.execute()
        except RedisError as exc:
            raise ServiceUnavailable("Revocation could not be recorded, nothing was changed") from exc
