"""Every Prometheus metric the services export, declared once so names and labels cannot drift.

Each process serves its own registry on its own port (``/metrics``, never routed by the gateway), so no metric
carries a service label: Prometheus adds ``job`` and ``instance`` itself. Labels are bounded sets (route
templates, outcomes, exception class names), never raw paths or user ids.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

__all__ = [
    "ACCOUNT_CHANGES",
    "DB_POOL_CONNECTIONS",
    "DENYLIST_CHECKS",
    "DENYLIST_REBUILDS",
    "DENYLIST_SYNCED",
    "DEPENDENCY_ERRORS",
    "EMAILS",
    "EMAIL_QUEUE_DEPTH",
    "EMAIL_SEND_FAILURES",
    "EVENTS_CONSUMED",
    "EVENTS_PUBLISHED",
    "HTTP_REQUESTS",
    "HTTP_REQUEST_DURATION",
    "HOUSEKEEPING_PURGED",
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
# limit: ip | failures (sign-in); <action>_ip | <action>_email for the account routes (email_send, password_check).
RATE_LIMIT_HITS = Counter("todo_rate_limit_hits_total", "Requests refused by a rate limit", ["limit"])

# dependency: postgres | redis; error: the exception's class name.
DEPENDENCY_ERRORS = Counter(
    "todo_dependency_errors_total", "Failed calls to PostgreSQL or Redis, by exception class", ["dependency", "error"]
)
# state: in_use | idle. Set from the pool when /metrics is scraped.
DB_POOL_CONNECTIONS = Gauge("todo_db_pool_connections", "Database pool connections, by state", ["state"])

# change: email_verified | name_updated | password_changed | password_reset | email_changed | sessions_revoked |
# user_deleted | user_disabled | user_enabled.
ACCOUNT_CHANGES = Counter("todo_account_changes_total", "Account lifecycle changes made, by kind", ["change"])

# Mail is sent off the request path, from a queue. kind: verify_email | reset_password | change_email_confirm |
# change_email_verify. outcome: sent | gave_up (every attempt failed) | dropped (queue full) | skipped (nothing to
# send: unknown, disabled or already verified address).
EMAILS = Counter("todo_emails_total", "Emails handled by the mail queue, by kind and outcome", ["kind", "outcome"])
# One failed attempt to compose or deliver (each retry counts); error: the exception's class name.
EMAIL_SEND_FAILURES = Counter(
    "todo_email_send_failures_total", "Failed email attempts, by kind and error", ["kind", "error"]
)
EMAIL_QUEUE_DEPTH = Gauge("todo_email_queue_depth", "Emails waiting in the queue, retries included")

# event: user.deleted. Published by auth's outbox relay to the Redis Stream; outcome on the consumer (tasks):
# applied | rejected (an entry it cannot read, acknowledged and dropped).
EVENTS_PUBLISHED = Counter("todo_events_published_total", "Outbox events written to the Redis Stream", ["event"])
EVENTS_CONSUMED = Counter(
    "todo_events_consumed_total", "Stream events handled, by event and outcome", ["event", "outcome"]
)

# table: the table a periodic purge deleted rows from.
HOUSEKEEPING_PURGED = Counter("todo_housekeeping_purged_rows_total", "Rows deleted by the periodic purge", ["table"])
