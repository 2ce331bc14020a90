"""What an operator sees of the running system (metrics, log lines, traces), on real processes.

The services run as under ``make dev`` and in the images: ``/metrics`` on a port of their own; JSON log lines
(readable ones under ``ENV=development``); traces to the OTLP/HTTP collector named by
``OTEL_EXPORTER_OTLP_ENDPOINT``, which here is a small receiver of the test's own.
"""

from __future__ import annotations

import gzip
import json
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.common.v1.common_pb2 import AnyValue
from opentelemetry.proto.trace.v1.trace_pb2 import Span as SpanProto
from prometheus_client.parser import text_string_to_metric_families

if TYPE_CHECKING:
    from tests.conftest import Launcher, Server, SignUp, System

pytestmark = pytest.mark.integration


def _sample(server: Server, name: str, **labels: str) -> float:
    """One sample of a service's metrics, scraped now (0 when the series does not exist yet)."""
    assert server.metrics_url is not None
    text = httpx.get(server.metrics_url, timeout=5).text
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return float(sample.value)
    return 0.0


def _eventually(check: Callable[[], Any], *, seconds: float = 15) -> Any:
    deadline = time.monotonic() + seconds
    while not (result := check()):
        assert time.monotonic() < deadline, "not within the time allowed"
        time.sleep(0.1)
    return result


# --- metrics ---------------------------------------------------------------------------------------------------


def test_requests_are_counted_by_route_template_on_each_services_own_port(
    system: System, gateway: httpx.Client, sign_up: SignUp
) -> None:
    route = "/api/{user_id}/tasks"
    before = _sample(system.tasks, "todo_http_requests_total", method="GET", route=route, status="200")
    signups = _sample(system.auth, "todo_http_requests_total", method="POST", route="/api/auth/signup", status="201")
    account = sign_up()
    assert gateway.get(f"/api/{account.user_id}/tasks", headers=account.headers).status_code == 200
    assert _sample(system.tasks, "todo_http_requests_total", method="GET", route=route, status="200") == before + 1
    assert _sample(system.tasks, "todo_http_request_duration_seconds_count", method="GET", route=route) >= 1
    assert _sample(system.auth, "todo_http_requests_total", method="POST", route="/api/auth/signup", status="201") > (
        signups
    )
    assert system.tasks.metrics_url is not None
    assert account.user_id not in httpx.get(system.tasks.metrics_url, timeout=5).text


def test_metrics_are_never_served_by_the_gateway_or_the_api_ports(system: System, gateway: httpx.Client) -> None:
    assert gateway.get("/metrics").status_code == 404
    for server in (system.auth, system.tasks):
        assert httpx.get(f"{server.url}/metrics", timeout=5).status_code == 404


def test_the_pool_gauge_reports_each_services_live_pool(system: System, gateway: httpx.Client, sign_up: SignUp) -> None:
    account = sign_up()  # auth's pool has served a request; tasks' below
    assert gateway.get(f"/api/{account.user_id}/tasks", headers=account.headers).status_code == 200
    for server in (system.auth, system.tasks):
        in_use = _sample(server, "todo_db_pool_connections", state="in_use")
        idle = _sample(server, "todo_db_pool_connections", state="idle")
        assert in_use >= 0 and in_use + idle >= 1, (server.name, in_use, idle)


# --- logs ------------------------------------------------------------------------------------------------------


def _call_with_a_token_in_the_query(server: Server) -> tuple[str, str, str]:
    """Call a route with ``?access_token=`` in the query; return the request id, the secret and the path."""
    # A request id longer than the 32 characters of a generated one: logs must carry it whole.
    secret, request_id = f"secret-{uuid.uuid4().hex}", f"obs-{uuid.uuid4().hex}-{uuid.uuid4().hex}"
    path = "/api/auth/me" if server.name == "auth" else f"/api/{uuid.uuid4()}/tasks"
    response = httpx.get(
        f"{server.url}{path}", params={"access_token": secret, "q": "milk"}, headers={"X-Request-ID": request_id}
    )
    assert response.status_code == 401
    return request_id, secret, path


@pytest.mark.parametrize("name", ["auth", "tasks"])
def test_logs_are_json_lines_with_the_request_id_and_no_token_from_a_query(launcher: Launcher, name: str) -> None:
    server = launcher.auth(LOG_LEVEL="INFO") if name == "auth" else launcher.tasks(LOG_LEVEL="INFO")
    request_id, secret, path = _call_with_a_token_in_the_query(server)
    _eventually(lambda: request_id in server.log.read_text())
    text = server.log.read_text()
    records = [json.loads(line) for line in text.splitlines()]  # every line is one JSON object
    assert secret not in text
    assert all(r["service"] == name and "request_id" in r for r in records)
    assert any(r["message"].startswith("Listening at: http://") for r in records)  # Granian's own line
    [access] = [r for r in records if r["logger"] == "todo.access" and r["request_id"] == request_id]
    assert f"{path}?access_token=[redacted]&q=milk" in access["message"]
    assert (access["method"], access["path"], access["status"]) == ("GET", path, 401)


def test_development_logs_are_readable_lines_with_the_request_id(launcher: Launcher) -> None:
    server = launcher.tasks(ENV="development", LOG_LEVEL="INFO")
    request_id, secret, path = _call_with_a_token_in_the_query(server)
    line = _eventually(lambda: next((li for li in server.log.read_text().splitlines() if request_id in li), None))
    assert not line.startswith("{")
    assert f"tasks todo.access [{request_id}]" in line
    assert f'"GET {path}?access_token=[redacted]&q=milk HTTP/1.1" 401' in line
    assert secret not in server.log.read_text()


# --- traces ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReceivedSpan:
    service: str
    trace_id: str
    span_id: str
    parent_span_id: str
    name: str
    kind: int
    attributes: dict[str, Any]


def _value(value: AnyValue) -> Any:
    return getattr(value, value.WhichOneof("value") or "string_value")


class OtlpReceiver:
    """A collector of the test's own: accepts OTLP/HTTP protobuf trace exports and keeps their spans."""

    def __init__(self) -> None:
        self.spans: list[ReceivedSpan] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the name http.server dispatches to
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                receiver.keep(ExportTraceServiceRequest.FromString(body))
                answer = ExportTraceServiceResponse().SerializeToString()
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def keep(self, request: ExportTraceServiceRequest) -> None:
        for resource_spans in request.resource_spans:
            resource = {a.key: _value(a.value) for a in resource_spans.resource.attributes}
            for scope_spans in resource_spans.scope_spans:
                for span in scope_spans.spans:
                    self.spans.append(
                        ReceivedSpan(
                            service=resource.get("service.name", ""),
                            trace_id=span.trace_id.hex(),
                            span_id=span.span_id.hex(),
                            parent_span_id=span.parent_span_id.hex(),
                            name=span.name,
                            kind=span.kind,
                            attributes={a.key: _value(a.value) for a in span.attributes},
                        )
                    )

    def of(self, trace_id: str, service: str) -> list[ReceivedSpan]:
        """The spans received so far of one trace from one service."""
        return [s for s in list(self.spans) if s.trace_id == trace_id and s.service == service]


@pytest.fixture
def otlp() -> Iterator[OtlpReceiver]:
    receiver = OtlpReceiver()
    receiver.thread.start()
    try:
        yield receiver
    finally:
        receiver.server.shutdown()
        receiver.server.server_close()


def test_a_clients_traceparent_continues_through_the_gateway_into_both_services(
    launcher: Launcher, otlp: OtlpReceiver
) -> None:
    tracing = {"OTEL_EXPORTER_OTLP_ENDPOINT": otlp.url, "OTEL_BSP_SCHEDULE_DELAY": "100"}
    auth, tasks = launcher.auth(**tracing), launcher.tasks(**tracing)
    gateway = launcher.gateway(auth, tasks)
    trace_id, caller_span = secrets.token_hex(16), secrets.token_hex(8)
    traced = {"traceparent": f"00-{trace_id}-{caller_span}-01"}
    secret = f"secret-{uuid.uuid4().hex}"
    with httpx.Client(base_url=gateway.url, timeout=10) as client:
        credentials = {"email": f"trace-{uuid.uuid4().hex[:12]}@example.com", "password": "correct horse battery"}
        signed_up = client.post("/api/auth/signup", json=credentials, headers=traced)
        assert signed_up.status_code == 201, signed_up.text
        user_id, token = signed_up.json()["user"]["id"], signed_up.json()["access_token"]
        listed = client.get(
            f"/api/{user_id}/tasks",
            params={"access_token": secret},
            headers={**traced, "Authorization": f"Bearer {token}"},
        )
        assert listed.status_code == 200

    def server_span(service: str) -> ReceivedSpan | None:
        return next((s for s in otlp.of(trace_id, service) if s.kind == SpanProto.SPAN_KIND_SERVER), None)

    for service, route in (("auth", "POST /api/auth/signup"), ("tasks", "GET /api/{user_id}/tasks")):
        span: ReceivedSpan = _eventually(lambda: server_span(service))  # noqa: B023 - called before the loop moves on
        assert span.parent_span_id == caller_span, service  # the caller's span, passed through the gateway
        assert span.name == route
    # The database and Redis calls of the request are spans of the same trace.
    _eventually(lambda: {"postgresql", "redis"} <= {s.attributes.get("db.system") for s in otlp.of(trace_id, "tasks")})
    _eventually(lambda: "postgresql" in {s.attributes.get("db.system") for s in otlp.of(trace_id, "auth")})
    tasks_span = server_span("tasks")
    assert tasks_span is not None
    assert tasks_span.attributes["url.query"] == "access_token=[redacted]"
    assert secret not in json.dumps([s.attributes for s in otlp.spans])
