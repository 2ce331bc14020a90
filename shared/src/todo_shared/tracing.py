"""OpenTelemetry tracing of a service, exported over OTLP/HTTP; imported only when tracing is on.

FastAPI traces requests itself once a tracer provider is set (its native telemetry: a server span named by
the route template, continuing the incoming W3C ``traceparent`` from the gateway, which passes it through,
or the client). This adds the provider, the exporter and spans for PostgreSQL (asyncpg, which SQLAlchemy's
driver also goes through) and Redis. The standard ``OTEL_*`` variables still apply (``OTEL_SERVICE_NAME``,
``OTEL_TRACES_SAMPLER``, ``OTEL_EXPORTER_OTLP_HEADERS``, ``OTEL_BSP_*``).
"""

from __future__ import annotations

import os

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
from opentelemetry.instrumentation.redis import RedisInstrumentor
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import Span, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

from todo_shared.redaction import redact_query

__all__ = ["start_tracing"]


class _RedactQuery(SpanProcessor):
    """Keep tokens in query strings out of spans, as out of the logs (FastAPI redacts only cloud signatures)."""

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        query = span.attributes.get("url.query") if span.attributes else None
        if isinstance(query, str):
            span.set_attribute("url.query", redact_query(query))


def start_tracing(*, service: str, endpoint: str) -> None:
    """Export this process's spans to the OTLP/HTTP collector at ``endpoint`` (a base URL); once per process."""
    if isinstance(trace.get_tracer_provider(), TracerProvider):
        return  # already on: the global provider and the driver patches are per process, not per app
    resource = Resource.create({} if os.environ.get("OTEL_SERVICE_NAME") else {SERVICE_NAME: service})
    provider = TracerProvider(resource=resource)
    provider.add_span_processor(_RedactQuery())
    # A base URL, as OTEL_EXPORTER_OTLP_ENDPOINT is by the spec; the exporter wants the signal's own path.
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint.rstrip("/") + "/v1/traces")))
    trace.set_tracer_provider(provider)
    AsyncPGInstrumentor().instrument(tracer_provider=provider)  # type: ignore[no-untyped-call]
    RedisInstrumentor().instrument(tracer_provider=provider)
