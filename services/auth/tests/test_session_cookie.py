from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import quote

import pytest

from auth.session_cookie import SessionCookie, new_session_token

SECRET = "k" * 40


def cookie(*, secure: bool = False) -> SessionCookie:
    return SessionCookie(secret=SECRET, secure=secure, max_age_seconds=604800)


def test_session_token_looks_like_better_auths() -> None:
    token = new_session_token()
    assert len(token) == 32
    assert token.isalnum()
    assert token != new_session_token()


def test_signature_is_padded_standard_base64_hmac_sha256() -> None:
    signed = cookie().sign("abc")
    token, _, signature = signed.rpartition(".")
    key = hmac.new(SECRET.encode(), b"better-auth-session-cookie", hashlib.sha256).digest()
    assert token == "abc"
    assert signature == base64.b64encode(hmac.new(key, b"abc", hashlib.sha256).digest()).decode()
    assert len(signature) == 44
    assert signature.endswith("=")


def test_set_cookie_matches_the_wire_format() -> None:
    token = new_session_token()
    header = cookie().set_header(token)
    value = quote(cookie().sign(token), safe="")
    assert header == f"better-auth.session_token={value}; Max-Age=604800; Path=/; HttpOnly; SameSite=Lax"


def test_not_remembered_session_cookie_has_no_max_age() -> None:
    assert "Max-Age" not in cookie().set_header(new_session_token(), remember=False)


def test_https_uses_the_secure_prefix_and_attribute() -> None:
    c = cookie(secure=True)
    header = c.set_header(new_session_token())
    assert header.startswith("__Secure-better-auth.session_token=")
    assert header.endswith("; Secure")
    assert c.name == "__Secure-better-auth.session_token"


def test_cookie_value_round_trips() -> None:
    token = new_session_token()
    raw = cookie().set_header(token).split(";")[0].split("=", 1)[1]
    assert cookie().from_cookie(raw) == token


@pytest.mark.parametrize(
    "value",
    ["", "abc", "abc.", "abc.short=", "abc." + "A" * 44, "abc." + "A" * 43 + "="],
)
def test_tampered_or_malformed_cookie_is_no_session(value: str) -> None:
    assert cookie().from_cookie(value) is None


def test_cookie_signed_with_another_secret_is_no_session() -> None:
    other = SessionCookie(secret="x" * 40, secure=False, max_age_seconds=1)
    assert cookie().from_cookie(quote(other.sign("abc"), safe="")) is None


def test_bearer_accepts_signed_encoded_or_raw_token() -> None:
    token = new_session_token()
    signed = cookie().sign(token)
    assert cookie().from_bearer(signed) == token
    assert cookie().from_bearer(quote(signed, safe="")) == token
    assert cookie().from_bearer(token) == token


def test_bearer_with_bad_signature_is_no_session() -> None:
    assert cookie().from_bearer(new_session_token() + "." + "B" * 43 + "=") is None


def test_raw_bearer_must_look_like_a_session_token() -> None:
    assert cookie().from_bearer("é" * 32) is None
    assert cookie().from_bearer(new_session_token() + "x") is None


def test_sign_out_clears_three_cookies() -> None:
    assert cookie().clear_headers() == [
        "better-auth.session_token=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax",
        "better-auth.session_data=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax",
        "better-auth.dont_remember=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax",
    ]


def test_dont_remember_cookie_is_a_signed_true_without_max_age() -> None:
    header = cookie().dont_remember_header()
    assert (
        header == f"better-auth.dont_remember={quote(cookie().sign('true'), safe='')}; Path=/; HttpOnly; SameSite=Lax"
    )
    assert cookie().from_cookie(header.split(";")[0].split("=", 1)[1]) == "true"


@pytest.mark.parametrize(
    "value", ["é" * 32 + "." + "A" * 43 + "=", "%C3%A9." + "A" * 43 + "%3D", "\udcff." + "A" * 43 + "="]
)
def test_non_ascii_values_are_no_session_not_an_error(value: str) -> None:
    assert cookie().from_cookie(value) is None
    assert cookie().from_bearer(value) is None
