"""OpenTelemetry tracing of a service, exported over OTLP/HTTP; imported only when tracing is on.

The incoming W3C ``traceparent`` (from the gateway, which passes it through, or the client) is continued,
so one trace spans the gateway's caller, auth and tasks. Requests, PostgreSQL (asyncpg, which SQLAlchemy's
driver also goes through) and Redis calls become spans. The standard ``OTEL_*`` variables still apply
(``OTEL_SERVICE_NAME``, ``OTEL_TRACES_SAMPLER``, ``OTEL_EXPORTER_OTLP_HEADERS``, ``OTEL_BSP_*``).
"""

from __future__ import annotations

import functools
import os
from typing import Any

from fastapi import FastAPI
from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.instrumentation.redis import RedisInstrumentor
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import Span

from todo_shared.redaction import redact_query

__all__ = ["trace_app"]

# Probes every few seconds would drown the traces that matter.
_UNTRACED = "/healthz$,/readyz$"


def trace_app(app: FastAPI, *, service: str, endpoint: str) -> None:
    """Trace every request of ``app`` and the database and Redis calls it makes, exporting to ``endpoint``."""
    FastAPIInstrumentor.instrument_app(
        app,
        tracer_provider=_provider(service, endpoint),
        server_request_hook=_redact_url,
        excluded_urls=_UNTRACED,
        exclude_spans=["receive", "send"],
    )


@functools.cache
def _provider(service: str, endpoint: str) -> TracerProvider:
    # Once per process: the global provider can be set only once, and the driver patches are global too.
    resource = Resource.create({} if os.environ.get("OTEL_SERVICE_NAME") else {SERVICE_NAME: service})
    provider = TracerProvider(resource=resource)
    # A base URL, as OTEL_EXPORTER_OTLP_ENDPOINT is by the spec; the exporter wants the signal's own path.
    exporter = OTLPSpanExporter(endpoint=endpoint.rstrip("/") + "/v1/traces")
    provider.add_span_processor(BatchSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    AsyncPGInstrumentor().instrument(tracer_provider=provider)  # type: ignore[no-untyped-call]
    RedisInstrumentor().instrument(tracer_provider=provider)
    return provider


def _redact_url(span: Span, scope: dict[str, Any]) -> None:
    """Keep tokens in query strings out of the span's URL attributes, as out of the logs."""
    if not scope.get("query_string") or not isinstance(span, ReadableSpan) or not span.attributes:
        return
    url = span.attributes.get("http.url")
    if isinstance(url, str) and "?" in url:
        base, _, query = url.partition("?")
        span.set_attribute("http.url", f"{base}?{redact_query(query)}")
    url_query = span.attributes.get("url.query")
    if isinstance(url_query, str):
        span.set_attribute("url.query", redact_query(url_query))
