"""Spreading one service's requests over its replicas: least outstanding requests, ejection, and retry rules.

Each service is a ``Replicas`` set (``AUTH_URL``/``TASKS_URL`` list one URL per replica). A request goes to the
replica with the fewest requests in flight (ties go round robin). A replica that refuses a connection is ejected
for ``EJECTION_SECONDS``; after that it takes one request at a time (a passive probe) until one gets an answer.
The decisions are plain functions of the failure and the method, so they are tested without a network.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable, Sequence

from pyreqwest.exceptions import RequestError, RequestTimeoutError

from gateway import metrics

__all__ = ["EJECTION_SECONDS", "RETRYABLE_METHODS", "Failure", "Replica", "Replicas", "classify", "may_retry"]

# Long enough that a crashed replica costs a handful of refused connects, short enough that a restarted one is
# back in service before an orchestrator's readiness probe would have noticed either.
EJECTION_SECONDS = 5.0
# RFC 9110 §9.2.2: a request with one of these methods may be sent again when the connection failed before the
# answer arrived. A DELETE replayed after the first one did delete answers 404: the state is the one asked for.
RETRYABLE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
# hyper's stage of a client error, as pyreqwest reports it in the error's chain of causes.
_CONNECTING = "client error (Connect)"
_SENDING = "client error (SendRequest)"


class Failure(enum.Enum):
    """How an attempt failed before the upstream's response headers arrived."""

    REFUSED = "refused"  # no connection was made: nothing was sent (refused, unreachable, connect timeout)
    LOST = "lost"  # the connection broke after (part of) the request went out, before any response
    OTHER = "other"  # a timeout waiting for the answer, no pooled connection free, the client's body failed


def classify(exc: BaseException) -> Failure:
    """Tell what an exception raised before the response headers means for ejection and retry."""
    if not isinstance(exc, RequestError):
        return Failure.OTHER
    details = exc.details if isinstance(exc.details, dict) else {}
    messages = [cause.get("message", "") for cause in details.get("causes") or ()]
    if _CONNECTING in messages:
        return Failure.REFUSED
    if isinstance(exc, RequestTimeoutError):
        return Failure.OTHER  # the upstream has the request and may be acting on it
    if _SENDING in messages:
        return Failure.LOST
    return Failure.OTHER


def may_retry(method: str, failure: Failure, *, replayable: bool) -> bool:
    """Whether to send the request to another replica: idempotent, body still in hand, no response begun."""
    return failure is not Failure.OTHER and replayable and method in RETRYABLE_METHODS


class Replica:
    """One replica of a service: its base URL, requests in flight, and until when it is ejected."""

    __slots__ = ("ejected_until", "in_flight", "url")

    def __init__(self, url: str) -> None:
        self.url = url
        self.in_flight = 0
        self.ejected_until = 0.0  # 0: in service; else a monotonic time, then one probe at a time


class Replicas:
    """The replicas of one service and the choice among them."""

    def __init__(
        self,
        service: str,
        urls: Sequence[str],
        *,
        ejection_seconds: float = EJECTION_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not urls:
            raise ValueError(f"{service} has no replica")
        self.service = service
        self.replicas = tuple(Replica(url) for url in urls)
        self._ejection = ejection_seconds
        self._clock = clock
        self._next = 0

    def pick(self, tried: Sequence[Replica] = ()) -> Replica | None:
        """The replica for the next attempt (counted in flight until ``done``), skipping ``tried``; None when
        every replica was tried.

        An ejected replica is skipped until its ejection ends, then while its probe is in flight. When every
        untried replica is ejected, the one whose ejection ends first is tried anyway: a guess beats a sure 502.
        """
        replicas = self.replicas
        if len(replicas) == 1:
            if tried:
                return None
            replicas[0].in_flight += 1
            return replicas[0]
        count = len(replicas)
        start = self._next
        self._next = (start + 1) % count
        best: Replica | None = None
        fallback: Replica | None = None
        now = 0.0
        for offset in range(count):
            replica = replicas[(start + offset) % count]
            if replica in tried:
                continue
            if replica.ejected_until:
                now = now or self._clock()
                if now < replica.ejected_until or replica.in_flight:
                    if fallback is None or replica.ejected_until < fallback.ejected_until:
                        fallback = replica
                    continue
            if best is None or replica.in_flight < best.in_flight:
                best = replica
        chosen = best or fallback
        if chosen is not None:
            chosen.in_flight += 1
        return chosen

    @staticmethod
    def done(replica: Replica) -> None:
        """The attempt on ``replica`` is over (its response sent, or failed)."""
        replica.in_flight -= 1

    def answered(self, replica: Replica) -> None:
        """The replica answered (any status): it is in service."""
        if replica.ejected_until:
            replica.ejected_until = 0.0

    def failed(self, replica: Replica, failure: Failure) -> None:
        """Count an attempt that got no answer; a refused connection ejects the replica."""
        metrics.upstream_error(self.service, replica.url, failure.value)
        if failure is Failure.REFUSED:
            if not replica.ejected_until:
                metrics.ejection(self.service, replica.url)
            replica.ejected_until = self._clock() + self._ejection
