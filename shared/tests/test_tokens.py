from __future__ import annotations

import base64
import json
import time

import pytest

from todo_shared.errors import Unauthorized
from todo_shared.tokens import TokenSigner, TokenVerifier, bearer_token, key_id

SECRET = "s" * 40
OLD_SECRET = "o" * 40
ISSUER, AUDIENCE = "todo-auth", "todo-api"


def signer(secret: str = SECRET, *, audience: str = AUDIENCE, lifetime: int = 900) -> TokenSigner:
    return TokenSigner(secret=secret, issuer=ISSUER, audience=audience, lifetime_seconds=lifetime)


def verifier(*previous: str, leeway: int = 5) -> TokenVerifier:
    return TokenVerifier(
        secret=SECRET, previous_secrets=previous, issuer=ISSUER, audience=AUDIENCE, leeway_seconds=leeway
    )


def b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_minted_token_round_trips_its_claims() -> None:
    token, claims = signer().mint(user_id="u1", email="a@example.com", session_id="s1")
    assert verifier().verify(token) == claims
    assert (claims.sub, claims.email, claims.sid) == ("u1", "a@example.com", "s1")
    assert claims.exp - claims.iat == 900


def test_header_follows_rfc9068_with_kid() -> None:
    token, _ = signer().mint(user_id="u1", email="a@example.com", session_id="s1")
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    assert header == {"alg": "HS256", "typ": "at+jwt", "kid": key_id(SECRET)}


def test_expired_token_is_refused_after_leeway() -> None:
    token, _ = signer().mint(user_id="u1", email="e", session_id="s", now=int(time.time()) - 1000)
    with pytest.raises(Unauthorized):
        verifier(leeway=5).verify(token)


def test_token_expired_within_leeway_is_accepted() -> None:
    token, _ = signer().mint(user_id="u1", email="e", session_id="s", now=int(time.time()) - 902)
    assert verifier(leeway=30).verify(token).sub == "u1"


def test_tampered_payload_is_refused() -> None:
    token, _ = signer().mint(user_id="u1", email="e", session_id="s")
    head, _, sig = token.split(".")
    forged = b64({"iss": ISSUER, "aud": AUDIENCE, "sub": "admin", "sid": "s", "jti": "j", "iat": 1, "exp": 2**40})
    with pytest.raises(Unauthorized):
        verifier().verify(f"{head}.{forged}.{sig}")


def test_alg_none_is_refused() -> None:
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": "u1", "sid": "s", "jti": "j", "iat": int(time.time())}
    token = f"{b64({'alg': 'none', 'typ': 'at+jwt'})}.{b64({**claims, 'exp': 2**40})}."
    with pytest.raises(Unauthorized):
        verifier().verify(token)


def test_other_secret_is_refused() -> None:
    token, _ = signer("x" * 40).mint(user_id="u1", email="e", session_id="s")
    with pytest.raises(Unauthorized):
        verifier().verify(token)


def test_other_audience_is_refused() -> None:
    token, _ = signer(audience="someone-else").mint(user_id="u1", email="e", session_id="s")
    with pytest.raises(Unauthorized):
        verifier().verify(token)


def test_wrong_typ_is_refused() -> None:
    from joserfc import jwt
    from joserfc.jwk import OctKey

    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": "u", "sid": "s", "jti": "j", "iat": int(time.time())}
    key = OctKey.import_key(SECRET.encode(), {"kid": key_id(SECRET)})
    token = jwt.encode({"alg": "HS256", "kid": key_id(SECRET)}, {**claims, "exp": 2**40}, key)
    with pytest.raises(Unauthorized):
        verifier().verify(token)


def test_previous_secret_is_accepted_only_while_listed() -> None:
    token, _ = signer(OLD_SECRET).mint(user_id="u1", email="e", session_id="s")
    assert verifier(OLD_SECRET).verify(token).sub == "u1"
    with pytest.raises(Unauthorized):
        verifier().verify(token)


@pytest.mark.parametrize("garbage", ["", "abc", "a.b.c", "a.b", "é.é.é", "x" * 5000, "eyJ.eyJ.sig"])
def test_garbage_is_refused(garbage: str) -> None:
    with pytest.raises(Unauthorized):
        verifier().verify(garbage)


@pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer ", "Basic abc", "Token x", "Bearer " + "x" * 5000])
def test_bad_authorization_header_is_refused(header: str | None) -> None:
    with pytest.raises(Unauthorized) as info:
        bearer_token(header)
    assert info.value.headers["WWW-Authenticate"] == "Bearer"


def test_bearer_scheme_is_case_insensitive() -> None:
    assert bearer_token("bearer abc.def") == "abc.def"
