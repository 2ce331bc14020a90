"""The gateway between real servers: forwarding, streaming, failures, headers, CORS and request ids."""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import httpx
import pytest

if TYPE_CHECKING:
    from gateway.tests.conftest import FakeUpstream, GatewayProcess, OneShotServer, Seen, ServeGateway, Stack

ENVELOPE_KEYS = {"detail", "message", "code", "request_id"}
HEX_ID = re.compile(r"[0-9a-f]{32}")


def assert_envelope(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status
    body = response.json()
    assert set(body) == ENVELOPE_KEYS
    assert body["code"] == code
    assert body["detail"] == body["message"]
    assert isinstance(body["detail"], str)
    assert response.headers["x-request-id"] == body["request_id"]


# -- routing and forwarding -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "upstream"),
    [("/api/auth", "auth"), ("/api/auth/login", "auth"), ("/api/u1/tasks", "tasks"), ("/api/u1/tasks/3", "tasks")],
)
def test_routes_reach_their_upstream(client: httpx.Client, path: str, upstream: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.json()["upstream"] == upstream


@pytest.mark.parametrize("path", ["/", "/api", "/api/authx", "/api/u1/taskss", "/api/tasks", "/docs"])
def test_unknown_path_is_404_envelope(client: httpx.Client, path: str) -> None:
    assert_envelope(client.get(path), 404, "not_found")


def test_method_path_query_and_body_are_forwarded_unchanged(
    client: httpx.Client, last_seen: Callable[[str], Seen]
) -> None:
    for method in ["GET", "POST", "PUT", "PATCH", "DELETE"]:
        content = b'{"title": "x"}' if method != "GET" else None
        response = client.request(method, "/api/u1/tasks/a%2Fb?q=x%20y&q=2&empty=", content=content)
        assert response.json() == {"upstream": "tasks", "method": method, "length": len(content or b"")}
        seen = last_seen("tasks")
        assert (seen.method, seen.raw_path, seen.query) == (method, "/api/u1/tasks/a%2Fb", "q=x%20y&q=2&empty=")
    assert client.post("/api/auth/login", json={"a": 1}).status_code == 201


def test_request_headers_pass_but_hop_by_hop_ones_do_not(
    client: httpx.Client, last_seen: Callable[[str], Seen]
) -> None:
    client.get(
        "/api/u1/tasks",
        headers={
            "Authorization": "Bearer abc",
            "Cookie": "better-auth.session_token=t.s",
            "Origin": "http://localhost:3000",
            "Connection": "keep-alive, X-Hop",
            "X-Hop": "1",
            "Keep-Alive": "timeout=5",
            "TE": "trailers",
            "Proxy-Authorization": "Basic eDp5",
            "X-Custom": "kept",
        },
    )
    seen = last_seen("tasks")
    names = {k for k, _ in seen.headers}
    assert not names & {"connection", "x-hop", "keep-alive", "te", "proxy-authorization", "transfer-encoding"}
    assert seen.header("authorization") == ["Bearer abc"]
    assert seen.header("cookie") == ["better-auth.session_token=t.s"]
    assert seen.header("origin") == ["http://localhost:3000"]
    assert seen.header("x-custom") == ["kept"]
    assert len(seen.header("host")) == 1


def test_a_body_of_declared_length_goes_up_with_its_length_and_nothing_is_added(
    stack: Stack, last_seen: Callable[[str], Seen]
) -> None:
    host, port = stack.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as sock:  # no User-Agent, no Accept
        sock.sendall(b"POST /api/u1/tasks HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
        while sock.recv(65536):
            pass
    seen = last_seen("tasks")
    assert (seen.body_length, seen.header("content-length"), seen.header("transfer-encoding")) == (2, ["2"], [])
    assert seen.header("user-agent") in ([], [""])  # the client sent none: nothing that names a client is made up
    assert seen.header("accept") in ([], ["*/*"])  # "*/*" means what no Accept means


def test_a_connection_header_cannot_strip_the_body_framing(
    client: httpx.Client, last_seen: Callable[[str], Seen]
) -> None:
    # Were Content-Length dropped as "hop-by-hop" while the body still went up, the upstream would read the
    # body as a second request: the gateway writes the framing itself.
    smuggled = b"GET /api/u1/tasks/smuggled HTTP/1.1\r\nhost: x\r\n\r\n"
    response = client.post("/api/u1/tasks", content=smuggled, headers={"Connection": "content-length"})
    assert response.json()["length"] == len(smuggled)
    assert last_seen("tasks").body_length == len(smuggled)
    assert client.get("/api/u1/tasks/after").status_code == 200
    assert last_seen("tasks").raw_path == "/api/u1/tasks/after"


def test_forwarded_headers_are_the_gateways_own(
    stack: Stack, client: httpx.Client, last_seen: Callable[[str], Seen]
) -> None:
    forged = {
        "X-Forwarded-For": "6.6.6.6",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "evil",
        "Forwarded": "for=6.6.6.6;proto=https",
        "X-Real-IP": "6.6.6.6",
        "Host": "todo.test",
    }
    client.get("/api/u1/tasks", headers=forged)
    seen = last_seen("tasks")
    assert seen.header("x-forwarded-for") == ["127.0.0.1"]
    assert seen.header("x-forwarded-proto") == ["http"]
    assert seen.header("x-forwarded-host") == ["todo.test"]
    assert seen.header("forwarded") == seen.header("x-real-ip") == []
    assert seen.header("host") == [stack.tasks_host]


def test_a_trusted_proxys_forwarding_headers_are_believed(
    serve_gateway: ServeGateway, fake_upstream: tuple[str, FakeUpstream]
) -> None:
    url, upstream = fake_upstream
    sent = {"X-Forwarded-For": "6.6.6.6, 203.0.113.9", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "todo.test"}
    with serve_gateway(url, url, GATEWAY_TRUSTED_PROXIES="127.0.0.1/32") as gw, httpx.Client(base_url=gw.url) as c:
        assert c.get("/api/u1/tasks", headers=sent).status_code == 200
    seen = upstream.seen[-1]
    # The client the gateway decided on is last: the one address the services read.
    assert seen.header("x-forwarded-for") == ["6.6.6.6, 203.0.113.9"]
    assert seen.header("x-forwarded-proto") == ["https"]
    assert seen.header("x-forwarded-host") == ["todo.test"]


def test_response_headers_pass_but_hop_by_hop_and_upstream_cors_do_not(client: httpx.Client) -> None:
    response = client.get("/api/auth/noisy")
    assert response.headers["set-auth-token"] == "tok"
    assert response.headers["content-type"] == "application/json"
    for name in ["keep-alive", "proxy-authenticate", "access-control-allow-origin"]:
        assert name not in response.headers
    assert len(response.headers.get_list("date")) == 1
    assert len(response.headers.get_list("server")) <= 1


def test_head_and_no_content_pass_through(client: httpx.Client) -> None:
    head = client.head("/api/u1/tasks")
    assert (head.status_code, head.content) == (200, b"")
    assert int(head.headers["content-length"]) > 0
    empty = client.delete("/api/u1/tasks/1/empty")
    assert (empty.status_code, empty.content) == (204, b"")


# -- request ids ----------------------------------------------------------------------------------------


def test_sane_request_id_is_kept_both_ways(client: httpx.Client, last_seen: Callable[[str], Seen]) -> None:
    response = client.get("/api/u1/tasks", headers={"X-Request-ID": "abc-123.x:y_z"})
    assert response.headers.get_list("x-request-id") == ["abc-123.x:y_z"]
    assert last_seen("tasks").header("x-request-id") == ["abc-123.x:y_z"]


@pytest.mark.parametrize("sent", [None, "has spaces", "x" * 200, "<script>"])
def test_missing_or_insane_request_id_is_replaced(
    client: httpx.Client, last_seen: Callable[[str], Seen], sent: str | None
) -> None:
    headers = {"X-Request-ID": sent} if sent is not None else {}
    response = client.get("/api/u1/tasks", headers=headers)
    [rid] = response.headers.get_list("x-request-id")
    assert HEX_ID.fullmatch(rid)
    assert last_seen("tasks").header("x-request-id") == [rid]


def test_request_id_is_on_gateway_errors(client: httpx.Client) -> None:
    response = client.get("/nowhere", headers={"X-Request-ID": "trace-me"})
    assert_envelope(response, 404, "not_found")
    assert response.json()["request_id"] == "trace-me"


# -- streaming ------------------------------------------------------------------------------------------


def test_response_is_streamed_not_buffered(stack: Stack, client: httpx.Client) -> None:
    stack.tasks.release.clear()
    with client.stream("GET", "/api/u1/tasks/stream") as response:
        chunks = response.iter_raw()
        # The upstream holds its second chunk until this test has seen the first: a buffering proxy deadlocks.
        assert next(chunks) == b"first"
        stack.tasks.release.set()
        assert b"".join(chunks) == b"second"


def test_large_response_arrives_whole(stack: Stack, client: httpx.Client) -> None:
    response = client.get("/api/u1/tasks/big")
    assert response.status_code == 200
    assert len(response.content) == stack.tasks.BIG


def test_request_body_is_streamed_not_buffered(stack: Stack, client: httpx.Client) -> None:
    stack.tasks.got_first_chunk.clear()

    def body() -> Iterator[bytes]:
        yield b"a" * 1000
        # The next piece is sent only once the upstream has the first: a buffering proxy deadlocks here.
        assert stack.tasks.got_first_chunk.wait(5)
        yield b"b" * 1000

    response = client.post("/api/u1/tasks/first-chunk", content=body())
    assert response.status_code == 201
    assert response.json()["length"] == 2000


# -- failures -------------------------------------------------------------------------------------------


def test_refused_upstream_is_502_fast(serve_gateway: ServeGateway, dead_url: str) -> None:
    with serve_gateway(dead_url, dead_url) as gw, httpx.Client(base_url=gw.url) as c:
        started = time.monotonic()
        response = c.post("/api/u1/tasks", json={"title": "x"})
        assert time.monotonic() - started < 2  # refused at once; the slack is for a loaded machine
    assert_envelope(response, 502, "bad_gateway")


def test_stalled_upstream_is_504_within_the_timeout(client: httpx.Client) -> None:
    started = time.monotonic()
    response = client.get("/api/u1/tasks/slow")
    elapsed = time.monotonic() - started
    assert_envelope(response, 504, "gateway_timeout")
    assert 0.4 < elapsed < 2.5  # read timeout is 0.5 s; the upstream would take 3 s


def test_body_over_the_limit_by_content_length_is_413_before_the_upstream(stack: Stack, client: httpx.Client) -> None:
    before = len(stack.tasks.seen)
    response = client.post("/api/u1/tasks", content=b"x" * (2 * 1024 * 1024))
    assert_envelope(response, 413, "payload_too_large")
    assert len(stack.tasks.seen) == before


def test_body_over_the_limit_is_counted_while_streaming(client: httpx.Client) -> None:
    def body() -> Iterator[bytes]:  # chunked: no Content-Length to trust
        for _ in range(32):
            yield b"x" * 65536

    assert_envelope(client.post("/api/u1/tasks", content=body()), 413, "payload_too_large")


def test_body_at_the_limit_passes(client: httpx.Client) -> None:
    response = client.post("/api/u1/tasks", content=b"x" * (1024 * 1024))
    assert response.json()["length"] == 1024 * 1024


def test_post_is_never_retried(serve_gateway: ServeGateway, one_shot_server: OneShotServer) -> None:
    with serve_gateway(one_shot_server.url, one_shot_server.url) as gw, httpx.Client(base_url=gw.url) as c:
        assert c.get("/api/u1/tasks").status_code == 200  # leaves a pooled connection
        # The upstream drops the POST on that connection without answering: sending it again could create
        # the task twice, so the gateway answers 502 instead.
        assert_envelope(c.post("/api/u1/tasks", content=b"{}"), 502, "bad_gateway")
    assert one_shot_server.methods == ["GET", "POST"]


# -- replicas -------------------------------------------------------------------------------------------


def _metric(gw: GatewayProcess, line_start: str) -> float:
    for line in httpx.get(f"{gw.admin_url}/metrics").text.splitlines():
        if line.startswith(line_start):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_requests_are_spread_over_the_replicas(
    serve_gateway: ServeGateway, two_live: tuple[FakeUpstream, FakeUpstream, str]
) -> None:
    one, two, urls = two_live
    with serve_gateway(urls, urls) as gw, httpx.Client(base_url=gw.url) as c:
        answered_by = [c.get("/api/u1/tasks").json()["upstream"] for _ in range(10)]
    assert answered_by.count("tasks-1") == answered_by.count("tasks-2") == 5


def test_a_get_to_a_refusing_replica_is_retried_on_another_and_the_replica_ejected(
    serve_gateway: ServeGateway, fake_upstream: tuple[str, FakeUpstream], dead_url: str
) -> None:
    live_url, live = fake_upstream
    with serve_gateway(live_url, f"{dead_url},{live_url}") as gw, httpx.Client(base_url=gw.url) as c:
        assert [c.get("/api/u1/tasks").status_code for _ in range(4)] == [200] * 4
        assert _metric(gw, f'todo_gateway_ejections_total{{replica="{dead_url}",upstream="tasks"}}') == 1
        assert _metric(gw, 'todo_gateway_retries_total{upstream="tasks"}') == 1
        refused = f'todo_gateway_upstream_errors_total{{kind="refused",replica="{dead_url}",upstream="tasks"}}'
        assert _metric(gw, refused) == 1  # ejected: the next three went straight to the live one
    assert len(live.seen) == 4


@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_a_write_to_a_refusing_replica_is_502_and_never_retried(
    serve_gateway: ServeGateway, fake_upstream: tuple[str, FakeUpstream], dead_url: str, method: str
) -> None:
    live_url, live = fake_upstream
    with serve_gateway(live_url, f"{dead_url},{live_url}") as gw, httpx.Client(base_url=gw.url) as c:
        assert_envelope(c.request(method, "/api/u1/tasks", content=b"{}"), 502, "bad_gateway")
        assert live.seen == []
        # The refusing replica is out of service now: the next write goes to the live one.
        assert c.request(method, "/api/u1/tasks", content=b"{}").status_code in {200, 201}


def test_a_get_whose_connection_drops_before_any_answer_is_retried_on_another_replica(
    serve_gateway: ServeGateway, one_shot_server: OneShotServer, fake_upstream: tuple[str, FakeUpstream]
) -> None:
    live_url, live = fake_upstream
    with serve_gateway(live_url, f"{one_shot_server.url},{live_url}") as gw, httpx.Client(base_url=gw.url) as c:
        # Turns: the one-shot replica answers the first and leaves a pooled connection, the live one the second,
        # and the third goes on that pooled connection, which the one-shot replica drops without answering.
        responses = [c.put("/api/u1/tasks/1", content=b"{}") for _ in range(3)]
        assert [r.status_code for r in responses] == [200, 200, 200]
        lost = f'todo_gateway_upstream_errors_total{{kind="lost",replica="{one_shot_server.url}",upstream="tasks"}}'
        assert _metric(gw, lost) == 1
    assert one_shot_server.methods == ["PUT", "PUT"]
    assert [s.method for s in live.seen] == ["PUT", "PUT"]


def test_readyz_is_ready_while_one_replica_of_each_service_is(
    serve_gateway: ServeGateway, fake_upstream: tuple[str, FakeUpstream], dead_url: str
) -> None:
    urls = f"{dead_url},{fake_upstream[0]}"
    with serve_gateway(urls, urls) as gw:
        response = httpx.get(f"{gw.url}/readyz")
    assert (response.status_code, response.json()) == (200, {"status": "ok", "checks": {"auth": "ok", "tasks": "ok"}})


def test_readyz_names_every_replica_when_none_of_a_service_is_ready(
    serve_gateway: ServeGateway, fake_upstream: tuple[str, FakeUpstream], dead_url: str
) -> None:
    url, upstream = fake_upstream
    upstream.not_ready = "Not ready: postgres unavailable"
    with serve_gateway(url, f"{dead_url},{url}") as gw:
        response = httpx.get(f"{gw.url}/readyz")
    assert_envelope(response, 503, "not_ready")
    assert response.json()["detail"] == (
        f"Not ready: auth (postgres unavailable), tasks ({dead_url}: no answer; {url}: postgres unavailable)"
    )


# -- health ---------------------------------------------------------------------------------------------


def test_healthz(client: httpx.Client) -> None:
    response = client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_readyz_asks_every_upstreams_own_readyz(stack: Stack, client: httpx.Client) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"auth": "ok", "tasks": "ok"}}
    assert stack.auth.seen[-1].raw_path == stack.tasks.seen[-1].raw_path == "/readyz"


def test_readyz_names_the_upstream_that_does_not_answer(
    serve_gateway: ServeGateway, fake_upstream: tuple[str, FakeUpstream], dead_url: str
) -> None:
    with serve_gateway(fake_upstream[0], dead_url) as gw, httpx.Client(base_url=gw.url) as c:
        response = c.get("/readyz")
    assert_envelope(response, 503, "not_ready")
    assert response.json()["detail"] == "Not ready: tasks (no answer)"


def test_readyz_names_what_an_upstream_says_is_down(
    serve_gateway: ServeGateway, fake_upstream: tuple[str, FakeUpstream]
) -> None:
    url, upstream = fake_upstream
    upstream.not_ready = "Not ready: postgres, redis unavailable"
    with serve_gateway(url, url) as gw, httpx.Client(base_url=gw.url) as c:
        response = c.get("/readyz")
    assert_envelope(response, 503, "not_ready")
    assert (
        response.json()["detail"]
        == "Not ready: auth (postgres, redis unavailable), tasks (postgres, redis unavailable)"
    )


def test_healthz_does_not_ask_the_upstreams(serve_gateway: ServeGateway, dead_url: str) -> None:
    with serve_gateway(dead_url, dead_url) as gw:
        assert httpx.get(f"{gw.url}/healthz").json() == {"status": "ok"}


# -- CORS -----------------------------------------------------------------------------------------------

FRONT_END = "http://localhost:3000"


def test_preflight_is_answered_at_the_gateway(stack: Stack, client: httpx.Client) -> None:
    before = len(stack.auth.seen)
    response = client.options(
        "/api/auth/sign-in/email",
        headers={
            "Origin": FRONT_END,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, authorization",
        },
    )
    assert (response.status_code, response.content) == (204, b"")
    assert response.headers["access-control-allow-origin"] == FRONT_END
    assert response.headers["access-control-allow-credentials"] == "true"
    allowed = {h.strip().lower() for h in response.headers["access-control-allow-headers"].split(",")}
    assert {"content-type", "authorization"} <= allowed
    assert len(stack.auth.seen) == before


def test_cors_response_exposes_the_front_ends_headers(client: httpx.Client) -> None:
    response = client.get("/api/auth/noisy", headers={"Origin": FRONT_END})
    assert response.headers["access-control-allow-origin"] == FRONT_END  # the upstream's "*" is replaced
    assert response.headers["access-control-allow-credentials"] == "true"
    exposed = {h.strip().lower() for h in response.headers["access-control-expose-headers"].split(",")}
    assert exposed == {"set-auth-token", "set-auth-jwt", "x-request-id", "x-total-count"}


@pytest.mark.parametrize("origin", [None, FRONT_END, "http://evil.test"])
def test_every_answer_varies_by_origin(client: httpx.Client, origin: str | None) -> None:
    headers = {"Origin": origin} if origin else {}
    assert client.get("/api/auth/noisy", headers=headers).headers.get_list("vary") == ["Accept-Encoding, Origin"]
    assert client.get("/api/u1/tasks", headers=headers).headers.get_list("vary") == ["Origin"]
    assert client.get("/nowhere", headers=headers).headers.get_list("vary") == ["Origin"]


def test_other_origins_get_no_cors_grant(client: httpx.Client) -> None:
    response = client.get("/api/u1/tasks", headers={"Origin": "http://evil.test"})
    assert "access-control-allow-origin" not in response.headers
    preflight = client.options(
        "/api/u1/tasks",
        headers={"Origin": "http://evil.test", "Access-Control-Request-Method": "POST", "X-Request-ID": "cors-1"},
    )
    assert_envelope(preflight, 400, "cors_refused")
    assert preflight.json()["detail"] == "Cross-origin request refused: origin not allowed"
    assert preflight.json()["request_id"] == "cors-1"
    assert "access-control-allow-origin" not in preflight.headers
