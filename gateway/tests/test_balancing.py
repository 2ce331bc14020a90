"""The balancer's decisions: which replica, when one is ejected and probed back, and what may be sent twice."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator, Sequence
from datetime import timedelta

import pytest
from pyreqwest.client import ClientBuilder

from gateway.balancing import Failure, Replica, Replicas, classify, may_retry


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def replicas(clock: Clock, count: int = 3) -> Replicas:
    return Replicas("tasks", [f"http://r{i}" for i in range(count)], ejection_seconds=5, clock=clock)


def urls(picked: Sequence[Replica | None]) -> list[str]:
    return [r.url if r else "none" for r in picked]


def test_idle_replicas_take_turns(clock: Clock) -> None:
    pool = replicas(clock)
    picked = []
    for _ in range(6):
        replica = pool.pick()
        assert replica is not None
        pool.done(replica)
        picked.append(replica)
    assert urls(picked) == ["http://r0", "http://r1", "http://r2"] * 2


def test_the_replica_with_fewest_requests_in_flight_is_picked(clock: Clock) -> None:
    pool = replicas(clock)
    first, second = pool.pick(), pool.pick()  # r0 and r1 now each hold one request
    assert urls([first, second]) == ["http://r0", "http://r1"]
    assert urls([pool.pick(), pool.pick()]) == ["http://r2", "http://r0"]
    assert first is not None
    pool.done(first)
    pool.done(first)  # r0 is idle again, r1 and r2 still busy
    assert urls([pool.pick()]) == ["http://r0"]


def test_a_refusing_replica_is_ejected_for_the_period(clock: Clock) -> None:
    pool = replicas(clock, 2)
    dead = pool.replicas[0]
    pool.failed(dead, Failure.REFUSED)
    clock.now += 4.9
    for _ in range(4):
        replica = pool.pick()
        assert replica is pool.replicas[1]
        pool.done(replica)


@pytest.mark.parametrize("failure", [Failure.LOST, Failure.OTHER])
def test_a_lost_connection_or_timeout_does_not_eject(clock: Clock, failure: Failure) -> None:
    pool = replicas(clock, 2)
    pool.failed(pool.replicas[0], failure)
    assert urls([pool.pick()]) == ["http://r0"]


def test_after_the_period_one_probe_at_a_time_goes_to_the_ejected_replica(clock: Clock) -> None:
    pool = replicas(clock, 2)
    ejected, other = pool.replicas
    pool.failed(ejected, Failure.REFUSED)
    clock.now += 5
    probe = pool.pick()
    assert probe is ejected
    # While the probe is in flight, everything else goes to the replica in service.
    assert urls([pool.pick(), pool.pick()]) == ["http://r1", "http://r1"]
    pool.done(ejected)
    pool.failed(ejected, Failure.REFUSED)  # the probe was refused too: ejected again, for a full period
    clock.now += 4
    assert pool.pick() is other


def test_an_answered_probe_puts_the_replica_back_in_service(clock: Clock) -> None:
    pool = replicas(clock, 2)
    ejected = pool.replicas[0]
    pool.failed(ejected, Failure.REFUSED)
    clock.now += 5
    probe = pool.pick()
    assert probe is ejected
    pool.answered(ejected)  # while its response still streams, it takes requests again
    busy = pool.pick()
    assert busy is pool.replicas[1]
    assert pool.pick() is ejected


def test_when_every_replica_is_ejected_the_one_back_soonest_is_tried(clock: Clock) -> None:
    pool = replicas(clock, 2)
    pool.failed(pool.replicas[1], Failure.REFUSED)
    clock.now += 1
    pool.failed(pool.replicas[0], Failure.REFUSED)
    assert pool.pick() is pool.replicas[1]


def test_a_retry_skips_the_replicas_already_tried(clock: Clock) -> None:
    pool = replicas(clock, 2)
    first = pool.pick()
    assert first is pool.replicas[0]
    assert pool.pick((first,)) is pool.replicas[1]
    assert pool.pick(pool.replicas) is None


def test_a_single_replica_is_always_tried_once(clock: Clock) -> None:
    pool = replicas(clock, 1)
    only = pool.replicas[0]
    pool.failed(only, Failure.REFUSED)
    assert pool.pick() is only
    assert pool.pick((only,)) is None


def test_a_service_needs_a_replica() -> None:
    with pytest.raises(ValueError, match="no replica"):
        Replicas("auth", [])


@pytest.mark.parametrize("method", ["GET", "HEAD", "OPTIONS", "PUT", "DELETE"])
@pytest.mark.parametrize("failure", [Failure.REFUSED, Failure.LOST])
def test_idempotent_requests_without_an_answer_are_retried(method: str, failure: Failure) -> None:
    assert may_retry(method, failure, replayable=True)


@pytest.mark.parametrize("method", ["POST", "PATCH"])
@pytest.mark.parametrize("failure", [Failure.REFUSED, Failure.LOST])
def test_post_and_patch_are_never_retried(method: str, failure: Failure) -> None:
    assert not may_retry(method, failure, replayable=True)


def test_a_timeout_is_never_retried() -> None:
    assert not may_retry("GET", Failure.OTHER, replayable=True)


def test_a_streamed_body_already_spent_is_never_retried() -> None:
    assert not may_retry("PUT", Failure.LOST, replayable=False)


# -- classifying what the upstream client raised (real sockets) ------------------------------------------


def _closing_server(answer: bytes) -> Iterator[str]:
    """A server that reads a request, writes ``answer`` (maybe nothing) and closes the connection."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.1)
    stop = threading.Event()

    def run() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            with conn:
                conn.recv(65536)
                conn.sendall(answer)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(timeout=5)
        server.close()


@pytest.fixture
def dropping_url() -> Iterator[str]:
    yield from _closing_server(b"")


@pytest.fixture
def stalling_url() -> Iterator[str]:
    """Accepts and reads the request, then never answers (within the test's timeout)."""
    server = socket.create_server(("127.0.0.1", 0))
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}"
    finally:
        server.close()


async def _raised(url: str) -> BaseException:
    client = ClientBuilder().http1_only().read_timeout(timedelta(milliseconds=300)).build()
    try:
        async with client.get(url + "/x").build_streamed():
            pass
    except Exception as exc:  # noqa: BLE001 - the test inspects whatever was raised
        return exc
    finally:
        await client.close()
    raise AssertionError("the request got an answer")


def test_a_refused_connection_is_refused(dead_url: str) -> None:
    assert classify(asyncio.run(_raised(dead_url))) is Failure.REFUSED


def test_a_connection_closed_without_an_answer_is_lost(dropping_url: str) -> None:
    assert classify(asyncio.run(_raised(dropping_url))) is Failure.LOST


def test_no_answer_within_the_read_timeout_is_other(stalling_url: str) -> None:
    assert classify(asyncio.run(_raised(stalling_url))) is Failure.OTHER
