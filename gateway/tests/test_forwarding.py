"""Who the client is: decided from the peer, believing forwarding headers only from GATEWAY_TRUSTED_PROXIES."""

from __future__ import annotations

import ipaddress

import pytest

from gateway.forwarding import forwarded

PROXIES = [ipaddress.ip_network("10.0.0.0/8")]


@pytest.mark.parametrize(
    ("peer", "sent_for", "proxies", "client", "header"),
    [
        ("203.0.113.5", "6.6.6.6", [], "203.0.113.5", "203.0.113.5"),  # no trusted proxy: the client's word is dropped
        ("203.0.113.5", "6.6.6.6", PROXIES, "203.0.113.5", "203.0.113.5"),  # an untrusted peer cannot choose
        ("10.0.0.2", "", PROXIES, "10.0.0.2", "10.0.0.2"),
        ("10.0.0.2", "198.51.100.1", PROXIES, "198.51.100.1", "198.51.100.1"),
        ("10.0.0.2", "6.6.6.6, 198.51.100.1", PROXIES, "198.51.100.1", "6.6.6.6, 198.51.100.1"),
        ("10.0.0.2", "6.6.6.6, 198.51.100.1, 10.0.0.9", PROXIES, "198.51.100.1", "6.6.6.6, 198.51.100.1"),
        ("10.0.0.2", "garbage", PROXIES, "10.0.0.2", "10.0.0.2"),
        ("10.0.0.2", "198.51.100.1, garbage", PROXIES, "10.0.0.2", "10.0.0.2"),
        ("10.0.0.2", "10.0.0.7", PROXIES, "10.0.0.7", "10.0.0.7"),  # every hop trusted: the farthest one
    ],
)
def test_the_client_is_the_last_entry_the_gateway_writes(
    peer: str, sent_for: str, proxies: list[ipaddress.IPv4Network], client: str, header: str
) -> None:
    result = forwarded(peer, "http", b"todo.test", {b"x-forwarded-for": sent_for.encode()}, proxies)
    assert (result.client, result.forwarded_for) == (client, header)


def test_proto_and_host_come_from_a_trusted_proxy_only() -> None:
    sent = {b"x-forwarded-proto": b"https", b"x-forwarded-host": b"todo.example.com"}
    trusted = forwarded("10.0.0.2", "http", b"gateway:8000", sent, PROXIES)
    assert (trusted.proto, trusted.host) == ("https", "todo.example.com")
    untrusted = forwarded("203.0.113.5", "http", b"gateway:8000", sent, PROXIES)
    assert (untrusted.proto, untrusted.host) == ("http", "gateway:8000")
