"""The forwarding path: one raw ASGI app, no framework routing, bodies streamed both ways.

Per request it does only what forwarding needs: one pass over the request headers, one precompiled route
match, one upstream call on the shared aiohttp pool, one pass over the response headers. Errors (and only
errors) go through ``todo_shared.handlers.render_error`` so they carry the contract's envelope.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import aiohttp
from asgi_correlation_id import correlation_id
from starlette.responses import JSONResponse
from starlette.types import Message, Receive, Scope, Send
from yarl import URL

from gateway.config import Settings
from gateway.routing import upstream_for
from todo_shared.errors import AppError, BadGateway, GatewayTimeout, NotFound, PayloadTooLarge, ServiceUnavailable
from todo_shared.handlers import render_error
from todo_shared.request_id import HEADER, is_sane_request_id, new_request_id

__all__ = ["Gateway"]

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
# Host is set by the client library to the upstream's; Expect is answered by our own server; the rest the
# gateway sets itself, so a client cannot forge them.
_REQUEST_DROP = _HOP_BY_HOP | {
    b"host",
    b"expect",
    b"x-forwarded-for",
    b"x-forwarded-proto",
    b"x-forwarded-host",
    b"x-request-id",
}
# uvicorn adds its own Date and Server; CORS is the gateway's policy alone (the services answer none).
_RESPONSE_DROP = _HOP_BY_HOP | {b"date", b"server", b"x-request-id"}
_CORS_PREFIX = b"access-control-"
# Responses up to this size (known from Content-Length) go out in one ASGI message; larger or unsized
# ones stream chunk by chunk, so a big list is never held whole.
_ONE_MESSAGE_BODY = 64 * 1024
# Client libraries add their own defaults (User-Agent, Accept, ...); a proxy forwards only what was sent.
_SKIP_AUTO_HEADERS = ("User-Agent", "Accept", "Accept-Encoding", "Content-Type")


class _BodyTooLarge(Exception):
    """The request body passed the limit while streaming."""


class _ClientGone(Exception):
    """The client disconnected before its body arrived."""


def _connection_tokens(value: bytes) -> frozenset[bytes]:
    """Name the extra headers a Connection header declares hop-by-hop."""
    return frozenset(t.strip().lower() for t in value.split(b",")) - {b"close", b"keep-alive", b""}


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
        self.limit = settings.max_body_bytes
        self.session: aiohttp.ClientSession | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self._http(scope, receive, send)
        elif scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        else:  # websocket: nothing upstream speaks it; closing before accept makes the server refuse (403)
            await send({"type": "websocket.close", "code": 1008})

    def _open_session(self) -> aiohttp.ClientSession:
        s = self.settings
        connector = aiohttp.TCPConnector(
            limit=s.upstream_pool_size,
            limit_per_host=0,
            keepalive_timeout=s.upstream_keepalive_seconds,
        )
        timeout = aiohttp.ClientTimeout(
            total=None,
            connect=s.upstream_pool_timeout_seconds,
            sock_connect=s.upstream_connect_timeout_seconds,
            sock_read=s.upstream_read_timeout_seconds,
        )
        return aiohttp.ClientSession(
            connector=connector,
            timeout=timeout,
            auto_decompress=False,
            cookie_jar=aiohttp.DummyCookieJar(),
            skip_auto_headers=_SKIP_AUTO_HEADERS,
        )

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self.session = self._open_session()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self.session is not None:
                    await self.session.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        raw_path: bytes = scope.get("raw_path") or scope["path"].encode()
        upstream = upstream_for(raw_path)

        headers: list[tuple[str, str]] = []
        request_id = host = connection = None
        declared_length = 0
        for name, value in scope["headers"]:
            if name in _REQUEST_DROP:
                if name == b"x-request-id":
                    request_id = value
                elif name == b"host":
                    host = value
                elif name == b"connection":
                    connection = value
                continue
            if name == b"content-length":
                declared_length = int(value)  # the server has already rejected a malformed one
            headers.append((name.decode("latin-1"), value.decode("latin-1")))

        rid = request_id.decode("latin-1") if request_id is not None else ""
        if not is_sane_request_id(rid):
            rid = new_request_id()

        if upstream is None:
            await self._local(scope["path"], scope, send, rid)
            return
        if declared_length > self.limit:
            await _fail(scope, send, PayloadTooLarge(), rid)
            return

        if connection is not None and (listed := _connection_tokens(connection)):
            headers = [(n, v) for n, v in headers if n.encode("latin-1") not in listed]
        client = scope.get("client")
        if client:
            headers.append(("X-Forwarded-For", client[0]))
        headers.append(("X-Forwarded-Proto", scope.get("scheme", "http")))
        if host is not None:
            headers.append(("X-Forwarded-Host", host.decode("latin-1")))
        headers.append(("X-Request-ID", rid))

        # Most bodies arrive in one message: pass them as bytes; only longer ones stream (and are counted).
        first = await receive()
        if first["type"] == "http.disconnect":
            return
        body: bytes = first.get("body", b"")
        counted = [len(body)]
        data: bytes | AsyncIterator[bytes] | None
        if first.get("more_body", False):
            data = _stream_body(body, receive, self.limit, counted)
        elif len(body) > self.limit:
            await _fail(scope, send, PayloadTooLarge(), rid)
            return
        else:
            data = body or None

        query: bytes = scope["query_string"]
        target = self.upstreams[upstream] + raw_path.decode("latin-1")
        if query:
            target += "?" + query.decode("latin-1")
        session = self.session
        if session is None:
            raise RuntimeError("the gateway's lifespan has not run; serve it with a server that runs lifespans")

        started = False
        try:
            # aiohttp retries only idempotent methods, once, and only on a reused connection that the upstream
            # closed first (RFC 9112 §9.3.1): a POST or PATCH is never sent twice.
            response = await session.request(
                scope["method"], URL(target, encoded=True), headers=headers, data=data, allow_redirects=False
            )
            try:
                out: list[tuple[bytes, bytes]] = []
                for name, value in response.raw_headers:
                    lower = name.lower()
                    if lower not in _RESPONSE_DROP and not lower.startswith(_CORS_PREFIX):
                        out.append((lower, value))
                out.append((b"x-request-id", rid.encode()))
                start: Message = {"type": "http.response.start", "status": response.status, "headers": out}
                length = response.content_length
                if length is not None and length <= _ONE_MESSAGE_BODY:
                    content = await response.read()
                    started = True
                    await send(start)
                    await send({"type": "http.response.body", "body": content})
                else:
                    started = True
                    await send(start)
                    async for chunk in response.content.iter_any():
                        await send({"type": "http.response.body", "body": chunk, "more_body": True})
                    await send({"type": "http.response.body", "body": b""})
            finally:
                response.release()
        except _ClientGone:
            return
        except (aiohttp.ClientError, TimeoutError, _BodyTooLarge) as exc:
            if started:
                raise  # the status is already out: the server aborts the connection, the client sees a cut body
            error: AppError
            if counted[0] > self.limit:
                error = PayloadTooLarge()
            elif isinstance(exc, TimeoutError):
                error = GatewayTimeout()
            else:
                error = BadGateway()
            await _fail(scope, send, error, rid, upstream=upstream, cause=exc)

    async def _local(self, path: str, scope: Scope, send: Send, rid: str) -> None:
        """Answer what the gateway owns: the two probes, and 404 for every unrouted path."""
        if path == "/healthz":
            await JSONResponse({"status": "ok"}, headers={"X-Request-ID": rid})(scope, _no_receive, send)
        elif path == "/readyz":
            down = await self._down_upstreams()
            if down:
                error = ServiceUnavailable(f"Not ready: {', '.join(down)} unavailable", code="not_ready")
                await _fail(scope, send, error, rid)
                return
            body = {"status": "ok", "checks": dict.fromkeys(self.upstreams, "ok")}
            await JSONResponse(body, headers={"X-Request-ID": rid})(scope, _no_receive, send)
        else:
            await _fail(scope, send, NotFound(), rid)

    async def _down_upstreams(self) -> list[str]:
        """Name the upstreams whose own /healthz does not answer 200 in time."""
        session = self.session
        if session is None:
            return sorted(self.upstreams)
        timeout = aiohttp.ClientTimeout(total=self.settings.ready_timeout_seconds)

        async def answers(base: str) -> bool:
            try:
                async with session.get(base + "/healthz", timeout=timeout) as response:
                    return response.status == 200
            except (aiohttp.ClientError, TimeoutError):
                return False

        names = sorted(self.upstreams)
        results = await asyncio.gather(*(answers(self.upstreams[name]) for name in names))
        return [name for name, ok in zip(names, results, strict=True) if not ok]


async def _no_receive() -> Message:
    raise RuntimeError("a local response reads no body")


async def _fail(
    scope: Scope,
    send: Send,
    error: AppError,
    rid: str,
    *,
    upstream: str | None = None,
    cause: BaseException | None = None,
) -> None:
    """Send ``error`` in the envelope, logging upstream failures, with the request id bound."""
    token = correlation_id.set(rid)
    try:
        if cause is not None:
            log.warning("%s %s -> %s: %s (%r)", scope["method"], scope["path"], upstream, error.code, cause)
        headers = {**error.headers, HEADER: rid}
        response = render_error(error.status_code, error.code, error.detail, headers=headers)
    finally:
        correlation_id.reset(token)
    await response(scope, _no_receive, send)
