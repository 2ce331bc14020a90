"""Who the client is, decided once, here: the X-Forwarded-* headers the upstreams receive.

A client's own ``X-Forwarded-For``/``-Proto``/``-Host`` and ``Forwarded`` never reach an upstream. The gateway
writes ``X-Forwarded-For`` so that its last entry is the client it decided on: the peer's address, or, when
the peer is one of ``GATEWAY_TRUSTED_PROXIES``, the first address left of it (reading right to left) that is not a
trusted proxy. The services believe that last entry, and only from the gateway.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass

from gateway.config import IPNetwork

__all__ = ["Forwarded", "forwarded"]


@dataclass(frozen=True, slots=True)
class Forwarded:
    """What the gateway tells the upstream about the original request."""

    client: str
    forwarded_for: str
    proto: str
    host: str | None


def _trusted(address: str, proxies: Sequence[IPNetwork]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in proxies)


def _last(value: bytes | None) -> str | None:
    """The last comma-separated entry of a header a proxy appended to, or None."""
    if not value:
        return None
    return value.decode("latin-1").rsplit(",", 1)[-1].strip() or None


def forwarded(
    peer: str,
    scheme: str,
    host: bytes | None,
    sent: dict[bytes, bytes],
    proxies: Sequence[IPNetwork],
) -> Forwarded:
    """Decide the client and the forwarding headers for a request from ``peer``.

    ``sent`` holds the forwarding headers the peer sent (``x-forwarded-for``, ``-proto``, ``-host``), each
    list joined with commas; they count only when ``peer`` is a trusted proxy.
    """
    own_host = host.decode("latin-1") if host is not None else None
    if not proxies or not _trusted(peer, proxies):
        return Forwarded(peer, peer, scheme, own_host)
    chain = [hop.strip() for hop in sent.get(b"x-forwarded-for", b"").decode("latin-1").split(",")]
    client, kept = peer, 0
    # Right to left: a trusted proxy's word is taken for the hop before it; the first other address is the client.
    for index in range(len(chain) - 1, -1, -1):
        if not _trusted(client, proxies):
            break
        try:
            client = str(ipaddress.ip_address(chain[index]))
        except ValueError:
            break
        kept = index
    forwarded_for = ", ".join([*chain[:kept], client]) if client != peer else peer
    proto = _last(sent.get(b"x-forwarded-proto")) or scheme
    return Forwarded(client, forwarded_for, proto, _last(sent.get(b"x-forwarded-host")) or own_host)
