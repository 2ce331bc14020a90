"""Sign-in/sign-up rate limits in Redis (shared by every replica), and the client IP they are keyed on."""

from __future__ import annotations

import hashlib
import ipaddress
import math
import time
from collections.abc import Sequence
from typing import Literal

from limits import RateLimitItem, parse
from limits.aio.storage import RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError
from redis.exceptions import RedisClusterException

from auth.config import IPNetwork
from todo_shared.errors import TooManyRequests
from todo_shared.metrics import RATE_LIMIT_HITS
from todo_shared.unavailable import dependency_unavailable

__all__ = ["AccountAction", "AccountRateLimiter", "LoginRateLimiter", "client_ip"]


def _trusted(address: str, proxies: Sequence[IPNetwork]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in proxies)


def client_ip(peer: str | None, forwarded_for: str | None, proxies: Sequence[IPNetwork]) -> str:
    """Return the client's address: the peer's or, from a trusted proxy (the gateway), its last X-Forwarded-For entry.

    The gateway alone decides who the client is and writes that address last; nothing left of it is read here,
    so no client-sent value can stand in for it, whatever else the trusted networks contain.
    """
    address = peer or "unknown"
    if not forwarded_for or not _trusted(address, proxies):
        return address
    try:
        return str(ipaddress.ip_address(forwarded_for.rsplit(",", 1)[-1].strip()))
    except ValueError:
        return address


_UNAVAILABLE = "Sign-in is unavailable right now, try again shortly"


def _redis_error(exc: StorageError | RedisClusterException) -> Exception:
    """Redis's own error under a failed limit check: what the 503's log line and metric name."""
    # limits wraps redis-py's errors, but not the cluster client's "no node answers" (not a RedisError).
    return exc.storage_error if isinstance(exc, StorageError) else exc


def _email_key(email: str) -> str:
    # Keys name a digest, not the address: Redis need not hold who tried to sign in.
    return hashlib.sha256(email.encode("utf-8", "surrogatepass")).hexdigest()[:32]


class _Limits:
    """Moving windows in Redis; an over-limit hit becomes 429 with ``Retry-After``, Redis down becomes 503."""

    def __init__(self, storage: RedisStorage) -> None:
        self._limiter = MovingWindowRateLimiter(storage)

    async def _too_many(self, item: RateLimitItem, *identifiers: str) -> TooManyRequests:
        stats = await self._limiter.get_window_stats(item, *identifiers)
        return TooManyRequests(retry_after=math.ceil(stats.reset_time - time.time()))


class LoginRateLimiter(_Limits):
    """Per-IP request limit and per email+IP failure limit, with moving windows; Redis down means 503."""

    def __init__(self, storage: RedisStorage, *, ip_limit: str, failure_limit: str) -> None:
        super().__init__(storage)
        self._ip_limit = parse(ip_limit)
        self._failure_limit = parse(failure_limit)

    async def check(self, *, ip: str, email: str | None = None) -> None:
        """Count a sign-in/sign-up request from ``ip``; raise 429 if it, or ``email`` from it, is over its limit."""
        try:
            if not await self._limiter.hit(self._ip_limit, "ip", ip):
                RATE_LIMIT_HITS.labels("ip").inc()
                raise await self._too_many(self._ip_limit, "ip", ip)
            # Testing (not hitting) so that, once the failures are used up, even the right password waits.
            if email is not None and not await self._limiter.test(self._failure_limit, "fail", _email_key(email), ip):
                RATE_LIMIT_HITS.labels("failures").inc()
                raise await self._too_many(self._failure_limit, "fail", _email_key(email), ip)
        except (StorageError, RedisClusterException) as exc:
            cause = _redis_error(exc)
            raise dependency_unavailable("redis", cause, _UNAVAILABLE) from cause

    async def record_failure(self, *, ip: str, email: str) -> None:
        """Count one failed password for ``email`` from ``ip``."""
        try:
            await self._limiter.hit(self._failure_limit, "fail", _email_key(email), ip)
        except (StorageError, RedisClusterException) as exc:
            cause = _redis_error(exc)
            raise dependency_unavailable("redis", cause, _UNAVAILABLE) from cause


# email_send: routes that send email; password_check: routes that check a signed-in user's password.
AccountAction = Literal["email_send", "password_check"]


class AccountRateLimiter(_Limits):
    """Per client IP and per address limits on the account routes that send email or check a password."""

    def __init__(self, storage: RedisStorage, *, email_send_limit: str, password_check_limit: str) -> None:
        super().__init__(storage)
        self._limits: dict[AccountAction, RateLimitItem] = {
            "email_send": parse(email_send_limit),
            "password_check": parse(password_check_limit),
        }

    async def check(self, action: AccountAction, *, ip: str, email: str) -> None:
        """Count one ``action`` from ``ip`` about ``email``; raise 429 if either is over the limit."""
        item = self._limits[action]
        try:
            for scope, key in (("ip", ip), ("email", _email_key(email))):
                if not await self._limiter.hit(item, action, scope, key):
                    RATE_LIMIT_HITS.labels(f"{action}_{scope}").inc()
                    raise await self._too_many(item, action, scope, key)
        except (StorageError, RedisClusterException) as exc:
            cause = _redis_error(exc)
            raise dependency_unavailable("redis", cause) from cause
