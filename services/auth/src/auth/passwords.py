"""Argon2id hashing off the event loop, through a limiter of its own so a login storm cannot starve other requests."""

from __future__ import annotations

import secrets

import anyio
from anyio import to_thread
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

__all__ = ["PasswordHasher"]


class PasswordHasher:
    """Hash and verify passwords, at most ``workers`` at a time, each in a worker thread."""

    def __init__(self, *, time_cost: int, memory_cost: int, parallelism: int, workers: int) -> None:
        self._hash = PasswordHash(
            (Argon2Hasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism),)
        )
        # One hash is ~120 ms and ~1.5 cores. Through the default 40-thread pool a login storm takes every core
        # (measured: /healthz p99 ~500 ms); capped at the core count, logins queue and everything else stays fast.
        self._limiter = anyio.CapacityLimiter(workers)
        # Made once at start-up (before serving), so checking an unknown email costs what a wrong password does.
        self._dummy_hash = self._hash.hash(secrets.token_urlsafe(16))

    async def hash(self, password: str) -> str:
        """Return the Argon2id hash of a password."""
        return await to_thread.run_sync(self._hash.hash, password, limiter=self._limiter)

    async def verify(self, password: str, password_hash: str | None) -> tuple[bool, str | None]:
        """Check a password against a stored hash, or against the dummy one when the user is unknown (``None``).

        Returns whether it matched and, when the stored hash has outdated parameters, the new hash to store.
        """
        if password_hash is None:
            await to_thread.run_sync(self._hash.verify, password, self._dummy_hash, limiter=self._limiter)
            return False, None
        return await to_thread.run_sync(self._hash.verify_and_update, password, password_hash, limiter=self._limiter)
