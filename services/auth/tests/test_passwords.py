"""The password hasher: Argon2id, a dummy hash for unknown users, new parameters noticed on verify."""

from __future__ import annotations

import os
import threading

import pytest

from auth.passwords import PasswordHasher

pytestmark = pytest.mark.anyio


def cheap(time_cost: int = 1) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=1024, parallelism=1, workers=2)


async def test_hash_is_argon2id_and_verifies() -> None:
    hasher = cheap()
    stored = await hasher.hash("pässwörd 🔑")
    assert stored.startswith("$argon2id$")
    assert await hasher.verify("pässwörd 🔑", stored) == (True, None)
    assert await hasher.verify("password", stored) == (False, None)


async def test_an_unknown_user_is_checked_against_the_dummy_hash_and_fails() -> None:
    assert await cheap().verify("anything at all", None) == (False, None)


async def test_a_hash_with_other_parameters_comes_back_rehashed() -> None:
    old = await cheap(time_cost=1).hash("correct horse")
    ok, new = await cheap(time_cost=2).verify("correct horse", old)
    assert ok
    assert new is not None
    assert ",t=2," in new


async def test_hashing_threads_run_at_a_lower_priority_than_the_event_loop() -> None:
    hasher = cheap()
    await hasher.hash("correct horse")
    hashing = [t for t in threading.enumerate() if t.name.startswith("argon2") and t.native_id is not None]
    assert hashing
    loop_niceness = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    assert all(os.getpriority(os.PRIO_PROCESS, t.native_id) > loop_niceness for t in hashing if t.native_id)
    hasher.close()
