"""The forwarding path: one raw ASGI app, no framework routing, bodies streamed both ways.

Per request it does only what forwarding needs: one pass over the request headers, one precompiled route
match, one upstream call on the shared pyreqwest pool, one pass over the response headers, one access line.
Errors (and only errors) go through ``todo_shared.handlers.render_error`` so they carry the contract's envelope.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from datetime import timedelta

from asgi_correlation_id import correlation_id
from pyreqwest.client import Client, ClientBuilder
from pyreqwest.exceptions import PoolTimeoutError, RequestError, RequestTimeoutError
from starlette.responses import JSONResponse, Response
from starlette.types import Message, Receive, Scope, Send

from gateway import metrics
from gateway.access import AccessLog
from gateway.admin import AdminListener
from gateway.balancing import Failure, Replica, Replicas, classify, may_retry
from gateway.config import Settings
from gateway.forwarding import forwarded
from gateway.health import Readiness
from gateway.routing import UNMATCHED, route_template, upstream_for
from todo_shared.errors import AppError, BadGateway, GatewayTimeout, NotFound, PayloadTooLarge
from todo_shared.handlers import render_error
from todo_shared.request_id import HEADER, is_sane_request_id, new_request_id

__all__ = ["Gateway", "open_client"]

log = logging.getLogger("gateway.proxy")

# RFC 9110 §7.6.1: meaningful for one connection only, never forwarded.
_HOP_BY_HOP = frozenset(
    {
        b"connection",
        b"keep-alive",
        b"proxy-authenticate",
        b"proxy-authorization",
        b"proxy-connection",
        b"te",
        b"trailer",
        b"transfer-encoding",
        b"upgrade",
    }
)
# The client library writes Host and the body's framing itself; Expect is answered by our own server; the
# forwarding headers and the request id are the gateway's to set, so a client cannot forge them.
_FORWARDING = frozenset({b"x-forwarded-for", b"x-forwarded-proto", b"x-forwarded-host"})
_REQUEST_DROP = (
    _HOP_BY_HOP
    | _FORWARDING
    | {
        b"host",
        b"expect",
        b"content-length",
        b"forwarded",
        b"x-real-ip",
        b"x-request-id",
    }
)
# The server adds its own Date and Server; CORS is the gateway's policy alone (the services answer none).
_RESPONSE_DROP = _HOP_BY_HOP | {b"date", b"server", b"x-request-id"}
_CORS_PREFIX = b"access-control-"
# Responses up to this size (known from Content-Length) go out in one ASGI message; larger or unsized
# ones stream chunk by chunk, so a big list is never held whole.
_ONE_MESSAGE_BODY = 64 * 1024


class _BodyTooLarge(Exception):
    """The request body passed the limit while streaming."""


class _ClientGone(Exception):
    """The client disconnected before its body arrived."""


def _connection_tokens(value: bytes) -> frozenset[bytes]:
    """Name the extra headers a Connection header declares hop-by-hop."""
    return frozenset(t.strip().lower() for t in value.split(b",")) - {b"close", b"keep-alive", b""}


def open_client(settings: Settings) -> Client:
    """The upstream pool: HTTP/1.1, no redirects followed, no decompression, bounded waits."""
    return (
        ClientBuilder()
        .http1_only()
        .follow_redirects(False)
        # pyreqwest sends its own User-Agent when the request has none, and reqwest an "Accept: */*" (which means
        # what no Accept means): an empty User-Agent is the closest to the none that was sent.
        .user_agent("")
        .gzip(False)
        .brotli(False)
        .zstd(False)
        .deflate(False)
        .max_connections(settings.upstream_pool_size)
        .pool_timeout(timedelta(seconds=settings.upstream_pool_timeout_seconds))
        .pool_idle_timeout(timedelta(seconds=settings.upstream_keepalive_seconds))
        .connect_timeout(timedelta(seconds=settings.upstream_connect_timeout_seconds))
        .read_timeout(timedelta(seconds=settings.upstream_read_timeout_seconds))
        .build()
    )


async def _stream_body(first: bytes, receive: Receive, limit: int, counted: list[int]) -> AsyncIterator[bytes]:
    """Yield the request body as it arrives, failing once it passes ``limit`` bytes."""
    received = len(first)
    if first:
        yield first
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _ClientGone
        chunk: bytes = message.get("body", b"")
        received += len(chunk)
        counted[0] = received
        if received > limit:
            raise _BodyTooLarge
        if chunk:
            yield chunk
        if not message.get("more_body", False):
            return


class Gateway:
    """The gateway as an ASGI app: health probes, the routing table, and the proxy."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.upstreams = settings.upstreams()
        self.replicas = {name: Replicas(name, urls) for name, urls in self.upstreams.items()}
        self.limit = settings.max_body_bytes
        self.proxies = settings.gateway_trusted_proxies
        self.client: Client | None = None
        self.readiness: Readiness | None = None
        self.access = AccessLog(settings.log_level)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self._http(scope, receive, send)
        elif scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        else:  # websocket: nothing upstream speaks it; closing before accept makes the server refuse (403)
            await send({"type": "websocket.close", "code": 1008})

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        admin: AdminListener | None = None
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    self.access.start()
                    self.client = open_client(self.settings)
                    self.readiness = Readiness(self.client, self.upstreams, self.settings.ready_timeout_seconds)
                    admin = AdminListener(self.settings, self.readiness)
                    await admin.start()
                except Exception as exc:  # noqa: BLE001 - reported to the server, which refuses to start
                    await send({"type": "lifespan.startup.failed", "message": repr(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if admin is not None:
                    await admin.stop()
                if self.client is not None:
                    await self.client.close()
                await self.access.stop()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        started_at = time.perf_counter()
        raw_path: bytes = scope.get("raw_path") or scope["path"].encode()
        upstream = upstream_for(raw_path)

        headers: list[tuple[str, str]] = []
        request_id = host = connection = None
        sent: dict[bytes, bytes] = {}
        declared_length: int | None = None
        for name, value in scope["headers"]:
            if name in _REQUEST_DROP:
                if name == b"x-request-id":
                    request_id = value
                elif name == b"host":
                    host = value
                elif name == b"connection":
                    connection = value
                elif name == b"content-length":
                    declared_length = int(value)  # the server has already rejected a malformed one
                elif name in _FORWARDING:
                    sent[name] = sent[name] + b"," + value if name in sent else value
                continue
            headers.append((name.decode("latin-1"), value.decode("latin-1")))

        rid = request_id.decode("latin-1") if request_id is not None else ""
        if not is_sane_request_id(rid):
            rid = new_request_id()

        if upstream is None:
            path = scope["path"]
            status = await self._local(path, scope, send, rid)
            self.access.record(scope, status, started_at, "gateway", path if status != 404 else UNMATCHED, 0, rid)
            return
        route = route_template(upstream, raw_path)
        if declared_length is not None and declared_length > self.limit:
            await _fail(scope, send, PayloadTooLarge(), rid, upstream)
            self.access.record(scope, 413, started_at, upstream, route, 0, rid)
            return

        if connection is not None and (listed := _connection_tokens(connection)):
            headers = [(n, v) for n, v in headers if n.encode("latin-1") not in listed]
        client = scope.get("client")
        origin = forwarded(client[0] if client else "", scope.get("scheme", "http"), host, sent, self.proxies)
        headers.append(("x-forwarded-for", origin.forwarded_for))
        headers.append(("x-forwarded-proto", origin.proto))
        if origin.host is not None:
            headers.append(("x-forwarded-host", origin.host))
        headers.append(("x-request-id", rid))

        first = await receive()
        if first["type"] == "http.disconnect":
            return
        body: bytes = first.get("body", b"")
        more = first.get("more_body", False)
        if more and declared_length is not None:
            # A declared length (already within the limit) is read whole and sent with its length: streamed, it
            # would go up chunked and cost a trip to the client's thread per piece. The server enforces the length.
            pieces = [body]
            while more:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return
                pieces.append(message.get("body", b""))
                more = message.get("more_body", False)
            body = b"".join(pieces)
        counted = [len(body)]
        if not more and len(body) > self.limit:
            await _fail(scope, send, PayloadTooLarge(), rid, upstream)
            self.access.record(scope, 413, started_at, upstream, route, 0, rid)
            return
        method: str = scope["method"]
        target = raw_path.decode("latin-1")
        if query := scope["query_string"]:
            target += "?" + query.decode("latin-1")

        replicas = self.replicas[upstream]
        replica = replicas.pick()
        tried: tuple[Replica, ...] = ()
        status, sent_bytes = 502, 0
        failed: BaseException | None = None
        failure = Failure.OTHER
        while replica is not None:
            request = self._session().request(method, replica.url + target)
            # Without this, pyreqwest holds the response back until 64 KiB of its body arrived (or all of it).
            request = request.headers(headers).streamed_read_buffer_limit(0)
            if more:  # chunked, of unknown length: streamed, and counted against the limit as it arrives
                request = request.body_stream(_stream_body(body, receive, self.limit, counted))
            elif body:
                request = request.body_bytes(body)
            answered = began = False
            failure = Failure.OTHER
            try:
                async with request.build_streamed() as response:
                    answered = True
                    replicas.answered(replica)
                    metrics.upstream_latency(upstream, time.perf_counter() - started_at)
                    status = response.status
                    out: list[tuple[bytes, bytes]] = []
                    length = None
                    for name, value in response.headers.items():
                        lower = name.encode("latin-1")
                        if lower not in _RESPONSE_DROP and not lower.startswith(_CORS_PREFIX):
                            out.append((lower, value.encode("latin-1")))
                            if lower == b"content-length":
                                length = int(value)
                    out.append((b"x-request-id", rid.encode()))
                    start: Message = {"type": "http.response.start", "status": status, "headers": out}
                    if length is not None and length <= _ONE_MESSAGE_BODY:
                        content = bytes(await response.bytes())
                        began = True
                        await send(start)
                        await send({"type": "http.response.body", "body": content})
                        sent_bytes = len(content)
                    else:
                        began = True
                        await send(start)
                        reader = response.body_reader
                        while (chunk := await reader.read_chunk()) is not None:
                            sent_bytes += len(chunk)
                            await send({"type": "http.response.body", "body": bytes(chunk), "more_body": True})
                        await send({"type": "http.response.body", "body": b""})
                failed = None
                break
            except (RequestError, _BodyTooLarge, _ClientGone) as exc:
                if began:
                    raise  # the status is already out: the server aborts the connection, the client sees a cut body
                if isinstance(exc, _ClientGone) or isinstance(exc.__cause__, _ClientGone):
                    return
                failed = exc
                if not answered:
                    failure = classify(exc)
                    replicas.failed(replica, failure)
            finally:
                replicas.done(replica)
            # Only a request that got no answer at all, may be sent twice, and whose body is still in hand.
            if not may_retry(method, failure, replayable=not more):
                break
            tried += (replica,)
            replica = replicas.pick(tried)
            if replica is not None:
                metrics.retry(upstream)
        if failed is not None:
            error: AppError
            if counted[0] > self.limit:
                error = PayloadTooLarge()
            elif isinstance(failed, RequestTimeoutError | PoolTimeoutError):
                error = GatewayTimeout()
            else:
                error = BadGateway()
            status = error.status_code
            await _fail(scope, send, error, rid, upstream, cause=failed)
        self.access.record(scope, status, started_at, upstream, route, sent_bytes, rid)

    def _session(self) -> Client:
        if self.client is None:
            raise RuntimeError("the gateway's lifespan has not run; serve it with a server that runs lifespans")
        return self.client

    async def _local(self, path: str, scope: Scope, send: Send, rid: str) -> int:
        """Answer what the gateway owns: the two probes, and 404 for every unrouted path."""
        response: Response
        if path == "/healthz":
            response = JSONResponse({"status": "ok"})
        elif path == "/readyz" and self.readiness is not None:
            token = correlation_id.set(rid)
            try:
                response = await self.readiness.answer()
            finally:
                correlation_id.reset(token)
        else:
            await _fail(scope, send, NotFound(), rid, "gateway")
            return 404
        response.headers[HEADER] = rid
        await response(scope, _no_receive, send)
        return response.status_code


def _reason(exc: BaseException) -> str:
    """The exception's type and its innermost cause, never its URL (whose query may carry a token)."""
    details = getattr(exc, "details", None)
    causes = details.get("causes") if isinstance(details, dict) else None
    innermost = causes[-1].get("message", "") if causes else ""
    return f"{type(exc).__name__}: {innermost}" if innermost else type(exc).__name__


async def _no_receive() -> Message:
    raise RuntimeError("a local response reads no body")


async def _fail(
    scope: Scope,
    send: Send,
    error: AppError,
    rid: str,
    upstream: str,
    *,
    cause: BaseException | None = None,
) -> None:
    """Send ``error`` in the envelope, logging upstream failures, with the request id bound."""
    token = correlation_id.set(rid)
    try:
        if cause is not None:
            log.warning("%s %s -> %s: %s (%s)", scope["method"], scope["path"], upstream, error.code, _reason(cause))
        if error.status_code != 404:
            metrics.failure(upstream, error.code)
        headers = {**error.headers, HEADER: rid}
        response = render_error(error.status_code, error.code, error.detail, headers=headers)
    finally:
        correlation_id.reset(token)
    await response(scope, _no_receive, send)
