"""Argon2id hashing off the event loop, on low-priority threads of its own so a login storm starves nothing else.

The cost is OWASP's first recommendation, m=46 MiB, t=1, p=1, chosen by measurement on this project's machine
(one core each): ~53 ms of CPU a hash, against ~175 ms for argon2-cffi's defaults (m=64 MiB, t=3, p=4) and
~60 ms for OWASP's m=19 MiB, t=2. It keeps more memory per guess than Better Auth's scrypt (N=16384, r=16:
32 MiB, ~100 ms), which is what makes a GPU attack expensive, so sign-in is faster without a weaker hash.
Hashes with other parameters still verify, and are replaced at the user's next sign-in.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

__all__ = ["PasswordHasher"]

T = TypeVar("T")

# How far below the event loop the hashing threads run (Linux nice values apply per thread).
_HASH_NICENESS = 10


def _lower_priority() -> None:
    # Under a storm the hashes take every core; at a lower priority the scheduler still runs the event loop
    # first, so health checks and reads stay fast while sign-ins queue.
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), _HASH_NICENESS)
    except (AttributeError, OSError):  # not Linux, or not allowed: hashing still works, only at normal priority
        pass


class PasswordHasher:
    """Hash and verify passwords, at most ``workers`` at a time, each on a hashing thread."""

    def __init__(self, *, time_cost: int, memory_cost: int, parallelism: int, workers: int) -> None:
        self._hash = PasswordHash(
            (Argon2Hasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism),)
        )
        # As many threads as cores: more would only make every other request wait for a CPU.
        self._executor = ThreadPoolExecutor(workers, thread_name_prefix="argon2", initializer=_lower_priority)
        # Made once at start-up (before serving), so checking an unknown email costs what a wrong password does.
        self._dummy_hash = self._hash.hash(secrets.token_urlsafe(16))

    def close(self) -> None:
        """Stop the hashing threads (after the hashes under way)."""
        self._executor.shutdown()

    async def _run(self, work: Callable[..., T], *args: str) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, work, *args)

    async def hash(self, password: str) -> str:
        """Return the Argon2id hash of a password."""
        return await self._run(self._hash.hash, password)

    async def verify(self, password: str, password_hash: str | None) -> tuple[bool, str | None]:
        """Check a password against a stored hash, or against the dummy one when the user is unknown (``None``).

        Returns whether it matched and, when the stored hash has outdated parameters, the new hash to store.
        """
        if password_hash is None:
            await self._run(self._hash.verify, password, self._dummy_hash)
            return False, None
        return await self._run(self._hash.verify_and_update, password, password_hash)
