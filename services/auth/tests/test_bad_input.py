"""Malformed or hostile request bodies get the error envelope (422, or 400 for non-UTF-8), never a 500 or a trace."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

pytestmark = pytest.mark.anyio

JSON = {"Content-Type": "application/json"}

BAD_BODIES: list[tuple[str, bytes, dict[str, str]]] = [
    ("malformed-json", b'{"email": "a@example.com", "password": ', JSON),
    ("not-json-at-all", b"email=a@example.com&password=secret123", JSON),
    ("empty-body", b"", JSON),
    ("json-null", b"null", JSON),
    ("json-array", b'["a@example.com", "secret123"]', JSON),
    ("json-string", b'"hello"', JSON),
    ("no-content-type", b'{"email": "a@example.com", "password": "secret123"}', {}),
    ("text-plain", b'{"email": "a@example.com", "password": "secret123"}', {"Content-Type": "text/plain"}),
    ("email-is-number", b'{"email": 12345, "password": "secret12345"}', JSON),
    ("password-is-object", b'{"email": "a@example.com", "password": {"$ne": null}}', JSON),
    ("password-is-list", b'{"email": "a@example.com", "password": ["x"]}', JSON),
    ("email-is-null", b'{"email": null, "password": "secret12345"}', JSON),
    ("empty-strings", b'{"email": "", "password": ""}', JSON),
    ("missing-password", b'{"email": "a@example.com"}', JSON),
    ("nul-in-password", b'{"email": "a@example.com", "password": "secret\\u0000123"}', JSON),
    ("lone-surrogate", b'{"email": "a@example.com", "password": "secret\\ud800123"}', JSON),
    ("huge-email", b'{"email": "' + b"a" * 100_000 + b'@example.com", "password": "secret12345"}', JSON),
    ("huge-password", b'{"email": "a@example.com", "password": "' + b"p" * 100_000 + b'"}', JSON),
    ("invalid-utf8", b'{"email": "\xff\xfe@example.com", "password": "secret12345"}', JSON),
    ("deep-nesting", b'{"email": ' + b"[" * 5000 + b"]" * 5000 + b', "password": "x"}', JSON),
]


@pytest.mark.parametrize("path", ["/api/auth/signup", "/api/auth/login", "/api/auth/refresh"])
@pytest.mark.parametrize(("body", "headers"), [(b, h) for _, b, h in BAD_BODIES], ids=[n for n, _, _ in BAD_BODIES])
async def test_a_bad_body_is_an_envelope_not_a_500(
    client: httpx.AsyncClient, path: str, body: bytes, headers: dict[str, str]
) -> None:
    response = await client.post(path, content=body, headers=headers)
    # Bytes that are not UTF-8 fail before validation: FastAPI's 400, still in the envelope.
    assert response.status_code in (400, 422), response.text
    envelope = response.json()
    assert envelope["code"] == ("validation_error" if response.status_code == 422 else "bad_request")
    assert isinstance(envelope["detail"], str)
    assert envelope["message"] == envelope["detail"]
    assert envelope["request_id"] == response.headers["x-request-id"]
    assert "Traceback" not in response.text


@pytest.mark.parametrize("name", [r"nul\u0000byte", r"lone\ud800surrogate"])
async def test_an_unstorable_name_is_422(client: httpx.AsyncClient, new_email: Callable[[], str], name: str) -> None:
    # Escaped in the JSON text, as a client would send them: PostgreSQL and UTF-8 cannot hold either.
    body = f'{{"email": "{new_email()}", "password": "correct horse", "name": "{name}"}}'
    response = await client.post("/api/auth/signup", content=body, headers=JSON)
    assert response.status_code == 422
    assert "'name'" in response.json()["detail"]


async def test_sql_looking_credentials_are_just_wrong_credentials(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/auth/login", json={"email": "' OR 1=1; --@example.com", "password": "' OR '1'='1"}
    )
    assert response.status_code == 401
    assert response.json()["detail"] == "Invalid email or password"


async def test_an_unknown_path_and_a_wrong_method_get_the_envelope(client: httpx.AsyncClient) -> None:
    missing = await client.get("/api/auth/nope")
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"
    wrong_method = await client.get("/api/auth/login")
    assert wrong_method.status_code == 405
    assert wrong_method.json()["code"] == "method_not_allowed"
