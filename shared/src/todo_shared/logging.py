"""JSON log lines with the request id, one per event, for every service."""

from __future__ import annotations

import logging
import logging.config

from asgi_correlation_id import CorrelationIdFilter

__all__ = ["configure_logging"]


def configure_logging(*, service: str, level: str = "INFO") -> None:
    """Send the root, uvicorn and app loggers to stderr as JSON with ``service`` and ``request_id``."""
    logging.config.dictConfig(
        {
            "version": 1,
            "disable_existing_loggers": False,
            "filters": {"request_id": {"()": CorrelationIdFilter, "uuid_length": 32, "default_value": "-"}},
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
                }
            },
            "handlers": {
                "stderr": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["request_id"]},
            },
            "root": {"handlers": ["stderr"], "level": level.upper()},
            "loggers": {
                "uvicorn": {"handlers": [], "propagate": True},
                "uvicorn.error": {"handlers": [], "propagate": True},
                "uvicorn.access": {"handlers": [], "propagate": True},
            },
        }
    )
