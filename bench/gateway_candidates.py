"""The stacks ``gateway_bench.py`` weighs against each other: one forwarding core on each server interface and client.

Each candidate does the gateway's per-request work on the forwarding path (route match, the request headers
filtered, ``X-Forwarded-*`` and the request id set by ``gateway.forwarding``, the response headers filtered)
and nothing else: no access log, metrics or CORS, which the shipped gateway adds on top and which its own row
in the table pays for. Served by:

- ASGI (``asgi_aiohttp``, ``asgi_pyreqwest``) under uvicorn (httptools or h11) or Granian;
- RSGI, Granian's own interface (``rsgi_aiohttp``, ``rsgi_pyreqwest``). Its scope carries only the
  percent-decoded path, so a proxy on it cannot forward ``%2F`` faithfully; measured all the same.

Every factory reads ``TASKS_URL`` (the bench points it at the tasks service or the stand-in).
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, Iterable
from typing import Any
from urllib.parse import quote

import aiohttp
from pyreqwest.client import Client
from starlette.types import Receive, Scope, Send
from yarl import URL

from gateway.config import Settings
from gateway.forwarding import forwarded
from gateway.proxy import open_client
from gateway.routing import upstream_for
from todo_shared.request_id import is_sane_request_id, new_request_id

_DROP = frozenset(
    {"connection", "keep-alive", "te", "trailer", "transfer-encoding", "upgrade", "host", "content-length"}
    | {"x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "forwarded", "x-request-id", "expect"}
)
_RESPONSE_DROP = frozenset({"connection", "keep-alive", "transfer-encoding", "date", "server", "x-request-id"})


def _prepare(
    headers: Iterable[tuple[str, str]], peer: str, path: str, query: str
) -> tuple[str, list[tuple[str, str]], str] | None:
    """The upstream URL, the headers to send and the request id; None when no route matches."""
    upstream = upstream_for(path.encode("latin-1"))
    if upstream is None:
        return None
    out, rid, host = [], "", None
    for name, value in headers:
        if name in _DROP:
            if name == "x-request-id":
                rid = value
            elif name == "host":
                host = value.encode("latin-1")
            continue
        out.append((name, value))
    if not is_sane_request_id(rid):
        rid = new_request_id()
    origin = forwarded(peer, "http", host, {}, [])
    out += [("x-forwarded-for", origin.forwarded_for), ("x-forwarded-proto", origin.proto), ("x-request-id", rid)]
    if origin.host is not None:
        out.append(("x-forwarded-host", origin.host))
    url = os.environ["TASKS_URL"] + path + ("?" + query if query else "")
    return url, out, rid


def _response_headers(items: Iterable[tuple[str, str]], rid: str) -> list[tuple[str, str]]:
    out = [(k.lower(), v) for k, v in items if k.lower() not in _RESPONSE_DROP]
    out.append(("x-request-id", rid))
    return out


# -- the two upstream clients, behind one call: (method, url, headers, body) -> (status, headers, body) ----------

Fetch = Callable[[str, str, list[tuple[str, str]], bytes], Awaitable[tuple[int, list[tuple[str, str]], bytes]]]


class _Aiohttp:
    def __init__(self) -> None:
        connector = aiohttp.TCPConnector(limit=256, limit_per_host=0, keepalive_timeout=4)
        self.session = aiohttp.ClientSession(
            connector=connector, auto_decompress=False, skip_auto_headers=("User-Agent", "Accept", "Accept-Encoding")
        )

    async def fetch(
        self, method: str, url: str, headers: list[tuple[str, str]], body: bytes
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        async with self.session.request(
            method, URL(url, encoded=True), headers=headers, data=body or None, allow_redirects=False
        ) as response:
            items = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in response.raw_headers]
            return response.status, items, await response.read()

    async def close(self) -> None:
        await self.session.close()


class _Pyreqwest:
    def __init__(self) -> None:
        self.client: Client = open_client(Settings(_env_file=None))

    async def fetch(
        self, method: str, url: str, headers: list[tuple[str, str]], body: bytes
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        request = self.client.request(method, url).headers(headers).streamed_read_buffer_limit(0)
        if body:
            request = request.body_bytes(body)
        async with request.build_streamed() as response:
            return response.status, list(response.headers.items()), bytes(await response.bytes())

    async def close(self) -> None:
        await self.client.close()


_NOT_FOUND = (404, [("content-type", "application/json")], b'{"detail":"Not found"}')


# -- ASGI -----------------------------------------------------------------------------------------------------


class _Asgi:
    def __init__(self, client: Callable[[], _Aiohttp | _Pyreqwest]) -> None:
        self.make_client = client
        self.client: _Aiohttp | _Pyreqwest | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    self.client = self.make_client()
                elif self.client is not None:
                    await self.client.close()
                await send({"type": message["type"] + ".complete"})
                if message["type"] == "lifespan.shutdown":
                    return
        assert self.client is not None
        raw_path: bytes = scope.get("raw_path") or scope["path"].encode()
        headers = ((k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"])
        prepared = _prepare(headers, scope["client"][0], raw_path.decode("latin-1"), scope["query_string"].decode())
        message = await receive()
        if prepared is None:
            status, out, body = _NOT_FOUND
            rid = new_request_id()
        else:
            url, up_headers, rid = prepared
            status, items, body = await self.client.fetch(scope["method"], url, up_headers, message.get("body", b""))
            out = _response_headers(items, rid)
        encoded = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in out]
        await send({"type": "http.response.start", "status": status, "headers": encoded})
        await send({"type": "http.response.body", "body": body})


def asgi_aiohttp() -> _Asgi:
    """ASGI app forwarding with aiohttp (for uvicorn or ``granian --interface asgi``)."""
    return _Asgi(_Aiohttp)


def asgi_pyreqwest() -> _Asgi:
    """ASGI app forwarding with pyreqwest."""
    return _Asgi(_Pyreqwest)


# -- RSGI (Granian's own interface) -----------------------------------------------------------------------------


class _Rsgi:
    def __init__(self, client: Callable[[], _Aiohttp | _Pyreqwest]) -> None:
        self.make_client = client
        self.client: _Aiohttp | _Pyreqwest | None = None

    async def __rsgi__(self, scope: Any, protocol: Any) -> None:
        if self.client is None:  # RSGI has no lifespan: the pool opens with the first request, inside the loop
            self.client = self.make_client()
        peer = scope.client.rsplit(":", 1)[0]
        prepared = _prepare(scope.headers.items(), peer, quote(scope.path), scope.query_string)
        body = await protocol()
        if prepared is None:
            status, out, content = _NOT_FOUND
        else:
            url, headers, rid = prepared
            status, items, content = await self.client.fetch(scope.method, url, headers, body)
            out = _response_headers(items, rid)
        protocol.response_bytes(status, out, content)


def rsgi_aiohttp() -> _Rsgi:
    """RSGI app forwarding with aiohttp (``granian --interface rsgi``)."""
    return _Rsgi(_Aiohttp)


def rsgi_pyreqwest() -> _Rsgi:
    """RSGI app forwarding with pyreqwest."""
    return _Rsgi(_Pyreqwest)
