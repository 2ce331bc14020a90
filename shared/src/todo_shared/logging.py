"""Log lines with the request id, one per event: JSON objects in production, readable lines in development.

The access line of each request is written by the HTTP middleware (``todo_shared.http_metrics``) with its
query redacted (``?access_token=…`` must never reach a log) and the method, path and status as fields of their
own. Python warnings become log lines too, so none breaks the one-object-a-line rule.
"""

from __future__ import annotations

import logging
import logging.config
from typing import Any

from asgi_correlation_id import CorrelationIdFilter
from pythonjsonlogger.core import RESERVED_ATTRS

__all__ = ["configure_logging", "logging_config"]


def configure_logging(*, service: str, level: str = "INFO", console: bool = False) -> None:
    """Send every logger to stderr with ``service`` and ``request_id`` on every line (see ``logging_config``)."""
    logging.captureWarnings(True)
    logging.config.dictConfig(logging_config(service=service, level=level, console=console))


def logging_config(*, service: str, level: str = "INFO", console: bool = False) -> dict[str, Any]:
    """The ``dictConfig`` of every process: the app's loggers and the server's (Granian's) on stderr.

    Args:
        service: the deployable's name, on every line.
        level: the root level (``LOG_LEVEL``).
        console: readable lines for a terminal (``ENV=development``) instead of one JSON object per line.
    """
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            # The whole id, as the X-Request-ID header carries it (a client's may be up to 128 characters).
            "request_id": {"()": CorrelationIdFilter, "default_value": "-"},
        },
        "formatters": {
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(correlation_id)s",
                "rename_fields": {
                    "asctime": "time",
                    "levelname": "level",
                    "name": "logger",
                    "correlation_id": "request_id",
                },
                "static_fields": {"service": service},
                "reserved_attrs": RESERVED_ATTRS,
            },
            "console": {
                "format": f"%(asctime)s %(levelname)-7s {service} %(name)s [%(correlation_id)s] %(message)s",
            },
        },
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "console" if console else "json",
                "filters": ["request_id"],
            },
        },
        "root": {"handlers": ["stderr"], "level": level.upper()},
        # Granian's own logger (its start-up and worker lines) through the same handler as everything else.
        "loggers": {"_granian": {"handlers": [], "propagate": True}},
    }
