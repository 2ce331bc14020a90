"""Log lines with the request id, one per event: JSON objects in production, readable lines in development.

uvicorn's access lines have their query string redacted (``?access_token=…`` must never reach a log) and
carry the method, path and status as fields of their own; uvicorn's ``color_message`` (the same text with
terminal colours) is dropped. Python warnings become log lines too, so none breaks the one-object-a-line rule.
"""

from __future__ import annotations

import logging
import logging.config

from asgi_correlation_id import CorrelationIdFilter
from pythonjsonlogger.core import RESERVED_ATTRS

from todo_shared.redaction import redact_query

__all__ = ["AccessLineFilter", "configure_logging"]

# uvicorn's access-log call: '%s - "%s %s HTTP/%s" %d' % (client, method, path?query, http version, status).
_ACCESS_ARGS = 5


class AccessLineFilter(logging.Filter):
    """Redact the query of uvicorn's access lines and give their parts names of their own."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == _ACCESS_ARGS:
            client, method, target, version, status = args
            path, sep, query = str(target).partition("?")
            record.args = (client, method, path + sep + redact_query(query), version, status)
            record.method, record.path, record.status = method, path, status
        return True


def configure_logging(*, service: str, level: str = "INFO", console: bool = False) -> None:
    """Send the root, uvicorn and app loggers to stderr with ``service`` and ``request_id`` on every line.

    Args:
        service: the deployable's name, on every line.
        level: the root level (``LOG_LEVEL``).
        console: readable lines for a terminal (``ENV=development``) instead of one JSON object per line.
    """
    logging.captureWarnings(True)
    logging.config.dictConfig(
        {
            "version": 1,
            "disable_existing_loggers": False,
            "filters": {
                # The whole id, as the X-Request-ID header carries it (a client's may be up to 128 characters).
                "request_id": {"()": CorrelationIdFilter, "default_value": "-"},
                "access": {"()": AccessLineFilter},
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
                    "reserved_attrs": [*RESERVED_ATTRS, "color_message"],
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
            "loggers": {
                "uvicorn": {"handlers": [], "propagate": True},
                "uvicorn.error": {"handlers": [], "propagate": True},
                "uvicorn.access": {"handlers": [], "propagate": True, "filters": ["access"]},
            },
        }
    )
