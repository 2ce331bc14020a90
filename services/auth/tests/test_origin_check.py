from __future__ import annotations

import pytest

from auth.origin_check import check_callback_url, check_origin, origin_of
from todo_shared.errors import Forbidden

TRUSTED = {"http://localhost:3000", "http://localhost:8000"}


def check(method: str = "POST", *, sign_in: bool = False, **headers: str) -> None:
    check_origin(
        method=method,
        headers={k.replace("_", "-"): v for k, v in headers.items()},
        trusted=TRUSTED,
        is_sign_in=sign_in,
    )


def refused_code(method: str = "POST", *, sign_in: bool = False, **headers: str) -> str:
    with pytest.raises(Forbidden) as info:
        check(method, sign_in=sign_in, **headers)
    return info.value.code


def test_reads_are_never_checked() -> None:
    check("GET", cookie="x=1", origin="http://evil.example")


def test_cookie_write_with_trusted_origin_passes() -> None:
    check(cookie="x=1", origin="http://localhost:3000")


def test_cookie_write_with_trusted_referer_passes() -> None:
    check(cookie="x=1", referer="http://localhost:3000/settings")


def test_cookie_write_without_origin_is_refused() -> None:
    assert refused_code(cookie="x=1") == "MISSING_OR_NULL_ORIGIN"
    assert refused_code(cookie="x=1", origin="null") == "MISSING_OR_NULL_ORIGIN"


def test_cookie_write_from_untrusted_origin_is_refused() -> None:
    assert refused_code(cookie="x=1", origin="http://evil.example") == "INVALID_ORIGIN"


def test_bearer_sign_out_is_not_origin_checked() -> None:
    check(authorization="Bearer t", origin="http://evil.example")


def test_browser_sign_in_needs_a_trusted_origin() -> None:
    assert refused_code(sign_in=True, sec_fetch_mode="cors") == "MISSING_OR_NULL_ORIGIN"
    assert refused_code(sign_in=True, sec_fetch_mode="cors", origin="http://evil.example") == "INVALID_ORIGIN"
    check(sign_in=True, sec_fetch_mode="cors", origin="http://localhost:3000")


def test_cross_site_navigation_sign_in_is_blocked() -> None:
    with pytest.raises(Forbidden) as info:
        check(sign_in=True, sec_fetch_site="cross-site", sec_fetch_mode="navigate", origin="http://localhost:3000")
    assert info.value.code == "CROSS_SITE_NAVIGATION_LOGIN_BLOCKED"
    assert info.value.detail == "Cross-site navigation login blocked. This request appears to be a CSRF attack."


def test_null_origin_sign_in_is_refused_even_without_browser_headers() -> None:
    assert refused_code(sign_in=True, origin="null") == "MISSING_OR_NULL_ORIGIN"


def test_server_to_server_sign_in_without_origin_passes() -> None:
    check(sign_in=True)


def test_sign_in_with_untrusted_origin_and_no_browser_headers_is_refused() -> None:
    assert refused_code(sign_in=True, origin="http://evil.example") == "INVALID_ORIGIN"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("http://LOCALHOST:3000/path?q=1", "http://localhost:3000"),
        ("https://app.example", "https://app.example"),
        ("null", None),
        ("javascript:alert(1)", None),
    ],
)
def test_origin_of(raw: str, expected: str | None) -> None:
    assert origin_of(raw) == expected


@pytest.mark.parametrize(
    "url",
    ["/dashboard", "/tasks?filter=open&page=2", "/", "http://localhost:3000/tasks", "HTTP://LOCALHOST:8000/x"],
)
def test_relative_or_trusted_callback_url_passes(url: str) -> None:
    check_callback_url(url, trusted=TRUSTED)


@pytest.mark.parametrize(
    "url",
    [
        "http://evil.example/x",
        "//evil.example/x",
        "/\\evil.example",
        "/%2fevil.example",
        "/%5cevil.example",
        "javascript:alert(1)",
        "http://localhost:3000@evil.example/",
        "/tasks#frag",
        "http://[::1",
    ],
)
def test_untrusted_callback_url_is_refused(url: str) -> None:
    with pytest.raises(Forbidden) as info:
        check_callback_url(url, trusted=TRUSTED)
    assert (info.value.code, info.value.detail) == ("INVALID_CALLBACK_URL", "Invalid callbackURL")
