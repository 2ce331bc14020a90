"""The gateway's Prometheus metrics, served on the admin listener only (never on the public port).

Labels are bounded: the upstream (``auth``, ``tasks``, or ``gateway`` for what it answers itself), the
status, and a replica's configured base URL. Label children are cached, because the proxy touches these on
every request.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path

from prometheus_client import Counter, Histogram
from prometheus_client.metrics import MetricWrapperBase
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

__all__ = ["OpenConnections", "count_request", "ejection", "failure", "retry", "upstream_error", "upstream_latency"]

REQUESTS = Counter("todo_gateway_requests_total", "Requests answered, by upstream and status", ["upstream", "status"])
UPSTREAM_LATENCY = Histogram(
    "todo_gateway_upstream_latency_seconds",
    "From sending a request upstream to its response headers, by upstream",
    ["upstream"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
# code: bad_gateway (502) | gateway_timeout (504) | payload_too_large (413).
FAILURES = Counter(
    "todo_gateway_failures_total", "Requests the gateway refused or could not forward, by code", ["upstream", "code"]
)
# Per replica (its base URL: a set fixed by the settings, so still bounded). kind: refused | lost | other.
UPSTREAM_ERRORS = Counter(
    "todo_gateway_upstream_errors_total",
    "Attempts on a replica that got no response, by upstream, replica and kind",
    ["upstream", "replica", "kind"],
)
EJECTIONS = Counter(
    "todo_gateway_ejections_total", "Replicas taken out of service for refusing a connection", ["upstream", "replica"]
)
RETRIES = Counter("todo_gateway_retries_total", "Idempotent requests sent again to another replica", ["upstream"])
_ESTABLISHED = "01"


class OpenConnections(Collector):
    """Client connections open on the public port, counted from the kernel's socket table at scrape time.

    The server, not the app, owns connections, so the app cannot count them; reading ``/proc/net/tcp{,6}``
    costs nothing per request.
    """

    def __init__(self, port: int) -> None:
        self._port = f"{port:04X}"

    def collect(self) -> Iterator[Metric]:
        count = 0
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            try:
                rows = Path(table).read_text().splitlines()[1:]
            except OSError:
                continue
            for row in rows:
                fields = row.split()
                if fields[3] == _ESTABLISHED and fields[1].rsplit(":", 1)[1] == self._port:
                    count += 1
        yield GaugeMetricFamily("todo_gateway_open_connections", "Client connections open at the public port", count)


@functools.cache
def _child(metric: MetricWrapperBase, *labels: str) -> MetricWrapperBase:
    return metric.labels(*labels)


def count_request(upstream: str, status: int) -> None:
    """Count one answered request."""
    _child(REQUESTS, upstream, str(status)).inc()  # type: ignore[attr-defined]


def upstream_latency(upstream: str, seconds: float) -> None:
    """Record how long an upstream took to start answering."""
    _child(UPSTREAM_LATENCY, upstream).observe(seconds)  # type: ignore[attr-defined]


def failure(upstream: str, code: str) -> None:
    """Count a 502, 504 or 413."""
    _child(FAILURES, upstream, code).inc()  # type: ignore[attr-defined]


def upstream_error(upstream: str, replica: str, kind: str) -> None:
    """Count an attempt on a replica that failed before its answer (``refused`` or ``lost`` or ``other``)."""
    _child(UPSTREAM_ERRORS, upstream, replica, kind).inc()  # type: ignore[attr-defined]


def ejection(upstream: str, replica: str) -> None:
    """Count a replica taken out of service after refusing a connection."""
    _child(EJECTIONS, upstream, replica).inc()  # type: ignore[attr-defined]


def retry(upstream: str) -> None:
    """Count a request sent again to another replica."""
    _child(RETRIES, upstream).inc()  # type: ignore[attr-defined]
