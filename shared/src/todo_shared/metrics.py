"""Every Prometheus metric the services export, declared once so names and labels cannot drift.

Each process serves its own registry on its own port (``/metrics``, never routed by the gateway), so no metric
carries a service label: Prometheus adds ``job`` and ``instance`` itself. Labels are bounded sets (route
templates, outcomes, exception class names), never raw paths or user ids.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

__all__ = [
    "DB_POOL_CONNECTIONS",
    "DENYLIST_CHECKS",
    "DENYLIST_REBUILDS",
    "DENYLIST_SYNCED",
    "DEPENDENCY_ERRORS",
    "HTTP_REQUESTS",
    "HTTP_REQUEST_DURATION",
    "LOGINS",
    "RATE_LIMIT_HITS",
]

# One request: the route template ("/api/{user_id}/tasks/{task_id}"), or "unmatched" for 404s of no route.
HTTP_REQUESTS = Counter(
    "todo_http_requests_total", "HTTP requests answered, by route template and status", ["method", "route", "status"]
)
HTTP_REQUEST_DURATION = Histogram(
    "todo_http_request_duration_seconds",
    "Time from the request's arrival to the end of its response, by route template",
    ["method", "route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)

# outcome: ok | revoked | unavailable (Redis unreachable or the denylist lost and not yet rebuilt).
DENYLIST_CHECKS = Counter("todo_denylist_checks_total", "Access-token revocation checks, by outcome", ["outcome"])
# reason: lost (a sentinel was missing) | startup.
DENYLIST_REBUILDS = Counter("todo_denylist_rebuilds_total", "Full rebuilds of the denylist from PostgreSQL", ["reason"])
DENYLIST_SYNCED = Counter("todo_denylist_synced_entries_total", "Denylist entries written from the PostgreSQL record")

# outcome: success | invalid_credentials | disabled | rate_limited.
LOGINS = Counter("todo_logins_total", "Password sign-ins (both APIs), by outcome", ["outcome"])
# limit: ip | failures.
RATE_LIMIT_HITS = Counter("todo_rate_limit_hits_total", "Requests refused by a rate limit", ["limit"])

# dependency: postgres | redis; error: the exception's class name.
DEPENDENCY_ERRORS = Counter(
    "todo_dependency_errors_total", "Failed calls to PostgreSQL or Redis, by exception class", ["dependency", "error"]
)
# state: in_use | idle. Set from the pool when /metrics is scraped.
DB_POOL_CONNECTIONS = Gauge("todo_db_pool_connections", "Database pool connections, by state", ["state"])
