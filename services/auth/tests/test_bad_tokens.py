"""Every bad Authorization header or access token is a 401 envelope with WWW-Authenticate, never a 500."""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import OctKey

from todo_shared.tokens import TokenSigner, key_id

pytestmark = pytest.mark.anyio

SignUp = Callable[..., Awaitable[dict[str, Any]]]
SECRET = "auth-tests-" + "k" * 40  # the secret the test apps run with (see conftest)
OTHER_SECRET = "another-service-" + "z" * 40


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _claims(tokens: dict[str, Any]) -> dict[str, Any]:
    payload = tokens["access_token"].split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


def _signer(secret: str = SECRET, **overrides: Any) -> TokenSigner:
    options: dict[str, Any] = {"issuer": "todo-auth", "audience": "todo-api", "lifetime_seconds": 900}
    options.update(overrides)
    return TokenSigner(secret=secret, **options)


def _forge(tokens: dict[str, Any], case: str) -> str:
    """Make a token for the signed-up user that is wrong in exactly one way."""
    c = _claims(tokens)
    ids = {"user_id": c["sub"], "email": c["email"], "session_id": c["sid"]}
    if case == "expired":
        return _signer().mint(**ids, now=int(time.time()) - 3600)[0]
    if case == "issued_in_the_future":
        return _signer().mint(**ids, now=int(time.time()) + 3600)[0]
    if case == "other_secret":
        return _signer(OTHER_SECRET).mint(**ids)[0]
    if case == "other_audience":
        return _signer(audience="another-api").mint(**ids)[0]
    if case == "other_issuer":
        return _signer(issuer="someone-else").mint(**ids)[0]
    if case == "tampered":
        head, _, sig = tokens["access_token"].split(".")
        return ".".join([head, _b64({**c, "sub": str(uuid.uuid4())}), sig])
    if case == "alg_none":
        return f"{_b64({'alg': 'none', 'typ': 'at+jwt'})}.{_b64(c)}."
    if case == "other_secret_with_our_kid":
        key = OctKey.import_key(OTHER_SECRET.encode())
        return jwt.encode({"alg": "HS256", "typ": "at+jwt", "kid": key_id(SECRET)}, c, key)
    if case == "hs512":
        key = OctKey.import_key(SECRET.encode())
        return jwt.encode({"alg": "HS512", "typ": "at+jwt", "kid": key_id(SECRET)}, c, key, algorithms=["HS512"])
    if case == "not_an_access_token":
        key = OctKey.import_key(SECRET.encode())
        return jwt.encode({"alg": "HS256", "typ": "JWT", "kid": key_id(SECRET)}, c, key)
    if case == "subject_not_a_uuid":
        return _signer().mint(**{**ids, "user_id": "1 OR 1=1"})[0]
    if case == "unknown_user":
        return _signer().mint(**{**ids, "user_id": str(uuid.uuid4())})[0]
    raise AssertionError(case)


@pytest.mark.parametrize(
    "case",
    [
        "expired",
        "issued_in_the_future",
        "tampered",
        "alg_none",
        "other_secret",
        "other_secret_with_our_kid",
        "hs512",
        "other_audience",
        "other_issuer",
        "not_an_access_token",
        "subject_not_a_uuid",
        "unknown_user",
    ],
)
async def test_a_bad_access_token_is_401(client: httpx.AsyncClient, sign_up: SignUp, case: str) -> None:
    tokens = await sign_up()
    response = await client.get("/api/auth/me", headers={"Authorization": f"Bearer {_forge(tokens, case)}"})
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"] == "Bearer"
    assert set(response.json()) == {"detail", "message", "code", "request_id"}


@pytest.mark.parametrize(
    "header",
    [
        b"",
        b"Bearer",
        b"Bearer    ",
        b"Basic dXNlcjpwYXNz",
        b"Bearer a.b.c",
        b"Bearer not-a-jwt-at-all",
        b"Bearer " + b"x" * 5000,
        b"Bearer \xff\xfe\x00garbage",
        b"Bearer eyJhbGciOiJIUzI1NiJ9.%%%.###",
    ],
    ids=["empty", "scheme-only", "blank", "basic", "dots", "word", "huge", "binary", "bad-base64"],
)
async def test_a_garbage_authorization_header_is_401(client: httpx.AsyncClient, header: bytes) -> None:
    for method, path in (("GET", "/api/auth/me"), ("POST", "/api/auth/logout"), ("POST", "/api/auth/logout-all")):
        response = await client.request(method, path, headers=[(b"Authorization", header)])
        assert response.status_code == 401, (path, response.text)
        assert response.json()["code"] in ("not_authenticated", "invalid_token")


async def test_a_token_signed_with_a_previous_secret_still_works(
    open_client: Callable[..., Any], make_settings: Callable[..., Any], sign_up: SignUp
) -> None:
    tokens = await sign_up()
    rotated = make_settings(jwt_secret=OTHER_SECRET, jwt_previous_secrets=[SECRET])
    async with open_client(rotated) as client:
        response = await client.get("/api/auth/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert response.status_code == 200
