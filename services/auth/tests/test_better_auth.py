"""Better Auth's email/password routes against WIRE.md, through the app, on the real PostgreSQL and Redis."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote, unquote

import httpx
import pytest
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from auth.config import Settings
from todo_shared.auth import authenticate
from todo_shared.denylist import Denylist
from todo_shared.errors import Unauthorized
from todo_shared.tokens import TokenVerifier

pytestmark = pytest.mark.anyio

ClientFactory = Callable[[Settings], AbstractAsyncContextManager[httpx.AsyncClient]]
SettingsFactory = Callable[..., Settings]

PASSWORD = "correct horse battery"

FRONT_END = "http://localhost:3000"
ORIGIN = {"Origin": FRONT_END}
COOKIE = "better-auth.session_token"
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
CLEARED = [
    "better-auth.session_token=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax",
    "better-auth.session_data=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax",
    "better-auth.dont_remember=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax",
]


def unique_email() -> str:
    return f"user-{uuid.uuid4().hex}@example.com"


def signature(value: str, secret: str) -> str:
    """Recompute the cookie signature independently: base64(HMAC-SHA256) under the key derived from JWT_SECRET."""
    key = hmac.new(secret.encode(), b"better-auth-session-cookie", hashlib.sha256).digest()
    return base64.b64encode(hmac.new(key, value.encode(), hashlib.sha256).digest()).decode()


def set_cookies(response: httpx.Response) -> list[str]:
    return response.headers.get_list("set-cookie")


def cookie_value(response: httpx.Response, name: str = COOKIE) -> str:
    """The raw (still URL-encoded) value a response set for a cookie."""
    for header in set_cookies(response):
        if header.startswith(name + "="):
            return header.split(";")[0].split("=", 1)[1]
    raise AssertionError(f"no {name} cookie in {set_cookies(response)}")


def with_cookie(value: str, name: str = COOKIE) -> dict[str, str]:
    return {"Cookie": f"{name}={value}"}


def bearer(value: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {value}"}


def error(response: httpx.Response) -> tuple[int, str, str]:
    body = response.json()
    assert body["detail"] == body["message"]
    assert body["request_id"] == response.headers["x-request-id"]
    return response.status_code, body["code"], body["message"]


class Api:
    """The app seen as Better Auth's client sees it; cookies are passed explicitly, never kept in a jar."""

    def __init__(self, client: httpx.AsyncClient, settings: Settings) -> None:
        self.client = client
        self.secret = settings.jwt_secret.get_secret_value()
        self.verifier = TokenVerifier(secret=self.secret, issuer=settings.jwt_issuer, audience=settings.jwt_audience)

    def sign(self, value: str) -> str:
        return f"{value}.{signature(value, self.secret)}"

    async def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        response = await self.client.request(method, "/api/auth" + path, **kwargs)
        self.client.cookies.clear()
        return response

    async def sign_up(
        self, email: str | None = None, *, headers: dict[str, str] | None = None, **body: Any
    ) -> httpx.Response:
        payload = {"name": "Ada", "email": email or unique_email(), "password": PASSWORD, **body}
        return await self.request(
            "POST", "/sign-up/email", json=payload, headers=ORIGIN if headers is None else headers
        )

    async def sign_in(self, email: str, *, headers: dict[str, str] | None = None, **body: Any) -> httpx.Response:
        payload = {"email": email, "password": PASSWORD, **body}
        return await self.request(
            "POST", "/sign-in/email", json=payload, headers=ORIGIN if headers is None else headers
        )

    async def get_session(self, headers: dict[str, str] | None = None) -> httpx.Response:
        return await self.request("GET", "/get-session", headers=headers)

    async def sign_out(self, headers: dict[str, str] | None = None) -> httpx.Response:
        return await self.request("POST", "/sign-out", json={}, headers=headers)

    async def token(self, headers: dict[str, str] | None = None) -> httpx.Response:
        return await self.request("GET", "/token", headers=headers)

    async def signed_up(self, email: str | None = None, **body: Any) -> tuple[str, str]:
        """Sign a fresh user up; return the session token and the cookie value."""
        response = await self.sign_up(email, **body)
        assert response.status_code == 200, response.text
        return response.json()["token"], cookie_value(response)


@pytest.fixture
def api(client: httpx.AsyncClient, settings: Settings) -> Api:
    return Api(client, settings)


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url)
    yield client
    await client.aclose()


# --- sign-up -------------------------------------------------------------------------------------------------


async def test_sign_up_answers_200_with_the_signed_cookie_and_set_auth_token(api: Api, engine: AsyncEngine) -> None:
    email = unique_email()
    response = await api.sign_up(email.upper())
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"token", "user"}
    token = body["token"]
    assert len(token) == 32 and token.isascii() and token.isalnum()
    user = body["user"]
    assert set(user) == {"id", "email", "name", "emailVerified", "image", "createdAt", "updatedAt"}
    assert (user["email"], user["name"], user["emailVerified"], user["image"]) == (email, "Ada", False, None)
    uuid.UUID(user["id"])
    assert TIMESTAMP.fullmatch(user["createdAt"]) and TIMESTAMP.fullmatch(user["updatedAt"])

    signed = api.sign(token)
    assert set_cookies(response) == [
        f"{COOKIE}={quote(signed, safe='')}; Max-Age=604800; Path=/; HttpOnly; SameSite=Lax"
    ]
    assert response.headers["set-auth-token"] == signed
    assert response.headers["access-control-expose-headers"] == "set-auth-token"

    async with engine.connect() as conn:
        row = (
            await conn.execute(
                text("SELECT user_id, expires_at - created_at AS ttl FROM sessions WHERE token_hash = :h"),
                {"h": hashlib.sha256(token.encode()).digest()},
            )
        ).one()
    assert str(row.user_id) == user["id"]
    assert abs(row.ttl - timedelta(days=7)) < timedelta(seconds=5)


async def test_sign_up_with_a_taken_email_in_any_case_is_422(api: Api) -> None:
    email = unique_email()
    await api.signed_up(email)
    for again in (email, email.upper()):
        response = await api.sign_up(again)
        assert error(response) == (
            422,
            "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL",
            "User already exists. Use another email.",
        )


async def test_sign_up_accepts_an_empty_name_and_an_image(api: Api) -> None:
    response = await api.sign_up(name="", image="https://x.example/a.png")
    assert response.status_code == 200, response.text
    assert response.json()["user"]["name"] == ""


@pytest.mark.parametrize(
    ("change", "code", "message"),
    [
        ({"password": "short"}, "PASSWORD_TOO_SHORT", "Password too short"),
        ({"password": "x" * 129}, "PASSWORD_TOO_LONG", "Password too long"),
        ({"email": "not-an-email"}, "VALIDATION_ERROR", "[body.email] Invalid email address"),
        ({"email": "a" * 300 + "@example.com"}, "VALIDATION_ERROR", "[body.email] Invalid email address"),
        ({"name": None}, "VALIDATION_ERROR", "[body.name] Invalid input: expected string, received null"),
        ({"name": "n" * 101}, "VALIDATION_ERROR", "[body.name] Too big: expected string to have <=100 characters"),
        ({"email": 5}, "VALIDATION_ERROR", "[body.email] Invalid input: expected string, received number"),
        ({"password": ["x"]}, "VALIDATION_ERROR", "[body.password] Invalid input: expected string, received array"),
        (
            {"rememberMe": "no"},
            "VALIDATION_ERROR",
            "[body.rememberMe] Invalid input: expected boolean, received string",
        ),
        ({"callbackURL": {}}, "VALIDATION_ERROR", "[body.callbackURL] Invalid input: expected string, received object"),
        (
            {"name": "nul\x00", "email": "bad"},
            "VALIDATION_ERROR",
            "[body.name] Invalid input: NUL and unpaired surrogate characters are not allowed; "
            "[body.email] Invalid email address",
        ),
    ],
)
async def test_sign_up_refuses_bad_input_with_better_auths_400(
    api: Api, change: dict[str, Any], code: str, message: str
) -> None:
    assert error(await api.sign_up(**change)) == (400, code, message)


async def test_sign_up_with_a_common_password_is_password_compromised_and_creates_nobody(api: Api) -> None:
    email = unique_email()
    assert error(await api.sign_up(email, password="Password1234")) == (
        400,
        "PASSWORD_COMPROMISED",
        "The password you entered has been compromised. Please choose a different password.",
    )
    assert (await api.sign_up(email)).status_code == 200


async def test_sign_up_without_a_name_names_the_field(api: Api) -> None:
    response = await api.request("POST", "/sign-up/email", json={"email": unique_email(), "password": PASSWORD})
    assert error(response) == (
        400,
        "VALIDATION_ERROR",
        "[body.name] Invalid input: expected string, received undefined",
    )


JSON = {"Content-Type": "application/json"}


@pytest.mark.parametrize(
    ("content", "headers", "message"),
    [
        (b"{bad", JSON, "Invalid JSON in request body"),
        (b'{"email": NaN}', JSON, "Invalid JSON in request body"),
        (b'{"email": "\xff\xfe@example.com"}', JSON, "Invalid JSON in request body"),
        (b'{"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", JSON, "Invalid JSON in request body"),
        (b"[1, 2]", JSON, "[body] Invalid input: expected object, received array"),
        (b"null", JSON, "[body] Invalid input: expected object, received null"),
        (b'"hello"', JSON, "[body] Invalid input: expected object, received string"),
        (b"", JSON, "[body] Invalid input: expected object, received undefined"),
        (b'{"email": "a@example.com"}', {}, "[body] Invalid input: expected object, received undefined"),
        (
            b'{"email": "a@example.com"}',
            {"Content-Type": "text/plain"},
            "[body] Invalid input: expected object, received undefined",
        ),
    ],
)
@pytest.mark.parametrize("path", ["/sign-up/email", "/sign-in/email"])
async def test_garbage_bodies_get_better_auths_400_never_a_500(
    api: Api, path: str, content: bytes, headers: dict[str, str], message: str
) -> None:
    response = await api.request("POST", path, content=content, headers=headers)
    code = "BAD_REQUEST" if message.startswith("Invalid JSON") else "VALIDATION_ERROR"
    assert error(response) == (400, code, message)


async def test_huge_fields_are_refused_not_stored(api: Api) -> None:
    response = await api.sign_up(name="n" * 1_000_000, email="e" * 1_000_000, password="p" * 1_000_000)
    assert response.status_code == 400
    assert response.json()["message"].startswith("[body.name] Too big")


# --- sign-in -------------------------------------------------------------------------------------------------


async def test_sign_in_answers_200_with_redirect_false_and_the_cookie(api: Api) -> None:
    email = unique_email()
    await api.signed_up(email)
    response = await api.sign_in(email.upper())
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"redirect", "token", "user"}
    assert body["redirect"] is False
    assert body["user"]["email"] == email
    signed = api.sign(body["token"])
    assert cookie_value(response) == quote(signed, safe="")
    assert response.headers["set-auth-token"] == signed
    assert response.headers["access-control-expose-headers"] == "set-auth-token"
    assert "location" not in response.headers


async def test_wrong_password_and_unknown_email_get_the_same_401(api: Api) -> None:
    email = unique_email()
    await api.signed_up(email)
    wrong = await api.sign_in(email, password="wrong-password")
    unknown = await api.sign_in(unique_email())
    for response in (wrong, unknown):
        assert error(response) == (401, "INVALID_EMAIL_OR_PASSWORD", "Invalid email or password")
        assert "set-cookie" not in response.headers


async def test_sign_in_with_a_malformed_email_is_400_invalid_email(api: Api) -> None:
    assert error(await api.sign_in("nope")) == (400, "INVALID_EMAIL", "Invalid email")


async def test_sign_in_with_a_relative_callback_url_redirects(api: Api) -> None:
    email = unique_email()
    await api.signed_up(email)
    response = await api.sign_in(email, callbackURL="/dashboard")
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["redirect"], body["url"]) == (True, "/dashboard")
    assert response.headers["location"] == "/dashboard"


@pytest.mark.parametrize("callback", ["http://evil.example/x", "//evil.example/x", "/%2fevil.example"])
async def test_an_untrusted_callback_url_is_403(api: Api, callback: str) -> None:
    email = unique_email()
    await api.signed_up(email)
    assert error(await api.sign_in(email, callbackURL=callback)) == (
        403,
        "INVALID_CALLBACK_URL",
        "Invalid callbackURL",
    )
    assert error(await api.sign_up(callbackURL=callback))[1] == "INVALID_CALLBACK_URL"


async def test_a_callback_url_on_a_trusted_origin_passes(api: Api) -> None:
    email = unique_email()
    await api.signed_up(email)
    response = await api.sign_in(email, callbackURL=FRONT_END + "/tasks")
    assert response.status_code == 200, response.text
    assert response.headers["location"] == FRONT_END + "/tasks"


@pytest.mark.parametrize("route", ["sign_up", "sign_in"])
async def test_remember_me_false_sets_a_browser_session_cookie_and_dont_remember(api: Api, route: str) -> None:
    email = unique_email()
    if route == "sign_in":
        await api.signed_up(email)
        response = await api.sign_in(email, rememberMe=False)
    else:
        response = await api.sign_up(email, rememberMe=False)
    assert response.status_code == 200, response.text
    token = response.json()["token"]
    assert set_cookies(response) == [
        f"{COOKIE}={quote(api.sign(token), safe='')}; Path=/; HttpOnly; SameSite=Lax",
        f"better-auth.dont_remember={quote(api.sign('true'), safe='')}; Path=/; HttpOnly; SameSite=Lax",
    ]


async def test_a_form_encoded_sign_in_is_accepted(api: Api) -> None:
    email = unique_email()
    await api.signed_up(email)
    response = await api.request("POST", "/sign-in/email", data={"email": email, "password": PASSWORD}, headers=ORIGIN)
    assert response.status_code == 200, response.text


async def test_signup_users_sign_in_here_and_sign_up_users_log_in_there(api: Api) -> None:
    ours = unique_email()
    created = await api.request("POST", "/signup", json={"email": ours, "password": PASSWORD})
    assert created.status_code == 201
    response = await api.sign_in(ours)
    assert response.status_code == 200, response.text
    assert response.json()["user"]["id"] == created.json()["user"]["id"]

    theirs = unique_email()
    user_id = (await api.sign_up(theirs)).json()["user"]["id"]
    login = await api.request("POST", "/login", json={"email": theirs.upper(), "password": PASSWORD})
    assert login.status_code == 200, login.text
    assert login.json()["user"]["id"] == user_id


async def test_sign_in_shares_the_login_rate_limit_and_says_x_retry_after(
    open_client: ClientFactory, make_settings: SettingsFactory
) -> None:
    async with open_client(make_settings(login_failure_limit="2 per 15 minutes")) as client:
        api = Api(client, make_settings())
        email = unique_email()
        await api.signed_up(email)
        for _ in range(2):
            assert (await api.sign_in(email, password="wrong-password")).status_code == 401
        limited = await api.sign_in(email)
        assert limited.status_code == 429
        assert limited.json()["message"] == "Too many requests. Please try again later."
        assert int(limited.headers["retry-after"]) > 0
        assert limited.headers["x-retry-after"] == limited.headers["retry-after"]
        assert (await api.request("POST", "/login", json={"email": email, "password": PASSWORD})).status_code == 429


# --- get-session ---------------------------------------------------------------------------------------------


async def test_get_session_with_the_cookie_returns_session_and_user(api: Api, client: httpx.AsyncClient) -> None:
    token, cookie = await api.signed_up()
    response = await api.get_session(with_cookie(cookie))
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["pragma"] == "no-cache"
    assert "set-cookie" not in response.headers
    body = response.json()
    session, user = body["session"], body["user"]
    assert set(session) == {"id", "token", "userId", "expiresAt", "createdAt", "updatedAt", "ipAddress", "userAgent"}
    assert set(user) == {"id", "email", "name", "emailVerified", "image", "createdAt", "updatedAt"}
    assert session["token"] == token
    assert session["userId"] == user["id"]
    assert session["ipAddress"] == client.headers["x-forwarded-for"]
    assert session["userAgent"] == client.headers["user-agent"]
    for stamp in ("expiresAt", "createdAt", "updatedAt"):
        assert TIMESTAMP.fullmatch(session[stamp]), session[stamp]
    expires = datetime.fromisoformat(session["expiresAt"])
    assert abs(expires - datetime.now(UTC) - timedelta(days=7)) < timedelta(minutes=1)

    assert response.headers["access-control-expose-headers"] == "set-auth-jwt"
    claims = api.verifier.verify(response.headers["set-auth-jwt"])
    assert (claims.sub, claims.sid) == (user["id"], session["id"])


async def test_get_session_with_a_bearer_signed_encoded_or_raw(api: Api) -> None:
    token, cookie = await api.signed_up()
    signed = unquote(cookie)
    for value in (signed, cookie, token):
        response = await api.get_session(bearer(value))
        assert response.status_code == 200
        assert response.json()["session"]["token"] == token, value
    lower = await api.get_session({"Authorization": f"bearer {token}"})
    assert lower.json()["session"]["token"] == token


async def test_a_valid_bearer_wins_over_the_cookie_and_an_invalid_one_is_ignored(api: Api) -> None:
    first, first_cookie = await api.signed_up()
    second, second_cookie = await api.signed_up()
    both = {**with_cookie(first_cookie), **bearer(unquote(second_cookie))}
    assert (await api.get_session(both)).json()["session"]["token"] == second
    tampered = {**with_cookie(first_cookie), **bearer(second + "." + "A" * 43 + "=")}
    assert (await api.get_session(tampered)).json()["session"]["token"] == first


async def test_get_session_without_anything_is_null_and_sets_no_cookie(api: Api) -> None:
    response = await api.get_session()
    assert response.status_code == 200
    assert response.content == b"null"
    assert response.headers["cache-control"] == "no-store"
    assert "set-cookie" not in response.headers


async def test_a_tampered_or_foreign_credential_is_null_and_clears_the_cookies(api: Api) -> None:
    token, cookie = await api.signed_up()
    forged = f"{token}.{base64.b64encode(hmac.new(b'x' * 40, token.encode(), hashlib.sha256).digest()).decode()}"
    for headers in (
        with_cookie(cookie[:-4] + "AAAA"),
        with_cookie(quote(forged, safe="")),
        with_cookie(token),
        bearer(token + "x"),
        bearer(token[:-1] + ("A" if token[-1] != "A" else "B")),
        bearer(forged),
    ):
        response = await api.get_session(headers)
        assert response.status_code == 200
        assert response.content == b"null", headers
        assert set_cookies(response) == CLEARED


async def test_an_expired_session_is_null(api: Api, engine: AsyncEngine) -> None:
    token, cookie = await api.signed_up()
    async with engine.begin() as conn:
        await conn.execute(
            text("UPDATE sessions SET expires_at = now() - interval '1 second' WHERE token_hash = :h"),
            {"h": hashlib.sha256(token.encode()).digest()},
        )
    response = await api.get_session(with_cookie(cookie))
    assert response.content == b"null"
    assert set_cookies(response) == CLEARED
    assert error(await api.token(with_cookie(cookie))) == (401, "UNAUTHORIZED", "Unauthorized")


async def test_a_disabled_users_session_is_null_and_sign_in_is_refused(api: Api, engine: AsyncEngine) -> None:
    email = unique_email()
    _, cookie = await api.signed_up(email)
    async with engine.begin() as conn:
        await conn.execute(text("UPDATE users SET is_active = false WHERE email = :e"), {"e": email})
    assert (await api.get_session(with_cookie(cookie))).content == b"null"
    assert error(await api.sign_in(email))[:2] == (403, "BANNED_USER")


async def test_a_session_past_its_update_age_is_extended_and_its_cookie_renewed(api: Api, engine: AsyncEngine) -> None:
    token, cookie = await api.signed_up()
    async with engine.begin() as conn:
        await conn.execute(
            text("UPDATE sessions SET expires_at = now() + interval '5 days' WHERE token_hash = :h"),
            {"h": hashlib.sha256(token.encode()).digest()},
        )
    response = await api.get_session(with_cookie(cookie))
    expires = datetime.fromisoformat(response.json()["session"]["expiresAt"])
    assert abs(expires - datetime.now(UTC) - timedelta(days=7)) < timedelta(minutes=1)
    assert cookie_value(response) == cookie
    assert "Max-Age=604800" in set_cookies(response)[0]
    assert response.headers["set-auth-token"] == unquote(cookie)
    assert response.headers["access-control-expose-headers"] == "set-auth-jwt, set-auth-token"
    again = await api.get_session(with_cookie(cookie))
    assert "set-cookie" not in again.headers


async def test_an_extended_not_remembered_session_keeps_a_browser_session_cookie(api: Api, engine: AsyncEngine) -> None:
    response = await api.sign_up(rememberMe=False)
    token = response.json()["token"]
    async with engine.begin() as conn:
        await conn.execute(
            text("UPDATE sessions SET expires_at = now() + interval '5 days' WHERE token_hash = :h"),
            {"h": hashlib.sha256(token.encode()).digest()},
        )
    both = {"Cookie": "; ".join(set_cookie.split(";")[0] for set_cookie in set_cookies(response))}
    renewed = await api.get_session(both)
    assert renewed.json()["session"]["token"] == token
    assert "Max-Age" not in set_cookies(renewed)[0]


async def test_https_base_url_uses_secure_prefixed_cookies_only(
    open_client: ClientFactory, make_settings: SettingsFactory
) -> None:
    async with open_client(make_settings(public_base_url="https://api.example.com")) as client:
        api = Api(client, make_settings())
        response = await api.sign_up()
        token = response.json()["token"]
        value = quote(api.sign(token), safe="")
        assert set_cookies(response) == [
            f"__Secure-{COOKIE}={value}; Max-Age=604800; Path=/; HttpOnly; SameSite=Lax; Secure"
        ]
        assert (await api.get_session(with_cookie(value, "__Secure-" + COOKIE))).json()["session"]["token"] == token
        assert (await api.get_session(with_cookie(value))).content == b"null"
        cleared = set_cookies(await api.sign_out())
        assert cleared[0] == f"__Secure-{COOKIE}=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax; Secure"
        trusted_base = await api.sign_in(
            response.json()["user"]["email"], headers={"Origin": "https://api.example.com"}
        )
        assert trusted_base.status_code == 200


# --- origin check --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Origin": "http://evil.example"}, (403, "INVALID_ORIGIN", "Invalid origin")),
        ({"Sec-Fetch-Mode": "cors"}, (403, "MISSING_OR_NULL_ORIGIN", "Missing or null Origin")),
        ({"Origin": "null"}, (403, "MISSING_OR_NULL_ORIGIN", "Missing or null Origin")),
        (
            {"Origin": FRONT_END, "Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate"},
            (
                403,
                "CROSS_SITE_NAVIGATION_LOGIN_BLOCKED",
                "Cross-site navigation login blocked. This request appears to be a CSRF attack.",
            ),
        ),
        ({"Sec-Fetch-Mode": "cors", "Referer": "http://evil.example/login"}, (403, "INVALID_ORIGIN", "Invalid origin")),
    ],
)
async def test_sign_in_and_sign_up_from_an_untrusted_origin_are_refused(
    api: Api, headers: dict[str, str], expected: tuple[int, str, str]
) -> None:
    email = unique_email()
    assert error(await api.sign_up(email, headers=headers)) == expected
    await api.signed_up(email)
    assert error(await api.sign_in(email, headers=headers)) == expected


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": FRONT_END, "Sec-Fetch-Mode": "cors"},
        {"Origin": "http://localhost:8000"},  # the public base URL's own origin
        {"Referer": FRONT_END + "/login", "Sec-Fetch-Mode": "cors"},
        {},  # no Origin and no Sec-Fetch-*: curl, another server
    ],
)
async def test_sign_in_from_a_trusted_origin_or_a_server_passes(api: Api, headers: dict[str, str]) -> None:
    email = unique_email()
    await api.signed_up(email)
    assert (await api.sign_in(email, headers=headers)).status_code == 200


async def test_schema_errors_are_answered_before_the_origin_check(api: Api) -> None:
    response = await api.sign_up(email="nope", headers={"Origin": "http://evil.example"})
    assert error(response)[1] == "VALIDATION_ERROR"


async def test_cookie_carrying_sign_out_needs_a_trusted_origin(api: Api) -> None:
    _, cookie = await api.signed_up()
    missing = await api.sign_out(with_cookie(cookie))
    assert error(missing) == (403, "MISSING_OR_NULL_ORIGIN", "Missing or null Origin")
    evil = await api.sign_out({**with_cookie(cookie), "Origin": "http://evil.example"})
    assert error(evil) == (403, "INVALID_ORIGIN", "Invalid origin")
    assert (await api.get_session(with_cookie(cookie))).json() is not None


async def test_reads_with_a_cookie_are_not_origin_checked(api: Api) -> None:
    _, cookie = await api.signed_up()
    evil = {**with_cookie(cookie), "Origin": "http://evil.example"}
    assert (await api.get_session(evil)).json() is not None
    assert (await api.token(evil)).status_code == 200


async def test_bearer_only_sign_out_is_not_origin_checked(api: Api) -> None:
    _, cookie = await api.signed_up()
    response = await api.sign_out({**bearer(unquote(cookie)), "Origin": "http://evil.example"})
    assert response.status_code == 200
    assert (await api.get_session(bearer(unquote(cookie)))).content == b"null"


# --- sign-out and /token ---------------------------------------------------------------------------------------


async def test_sign_out_revokes_the_session_and_its_access_tokens_everywhere(
    api: Api, redis: Redis, settings: Settings
) -> None:
    token, cookie = await api.signed_up()
    minted = await api.token(with_cookie(cookie))
    assert minted.status_code == 200
    access_token = minted.json()["token"]
    verifier = api.verifier
    denylist = Denylist(redis, ttl_seconds=settings.denylist_ttl_seconds)
    claims = await authenticate(f"Bearer {access_token}", verifier=verifier, denylist=denylist)
    session_id = (await api.get_session(with_cookie(cookie))).json()["session"]["id"]
    assert claims.sid == session_id

    response = await api.sign_out({**with_cookie(cookie), **ORIGIN})
    assert response.status_code == 200
    assert response.json() == {"success": True}
    assert set_cookies(response) == CLEARED

    for headers in (with_cookie(cookie), bearer(unquote(cookie)), bearer(token)):
        assert (await api.get_session(headers)).content == b"null"
    with pytest.raises(Unauthorized) as revoked:
        await authenticate(f"Bearer {access_token}", verifier=verifier, denylist=denylist)
    assert revoked.value.code == "token_revoked"
    assert (await api.request("GET", "/me", headers=bearer(access_token))).status_code == 401


async def test_sign_out_without_a_session_or_with_a_stale_one_still_succeeds(api: Api) -> None:
    nothing = await api.request("POST", "/sign-out")
    assert (nothing.status_code, nothing.json()) == (200, {"success": True})
    assert set_cookies(nothing) == CLEARED
    _, cookie = await api.signed_up()
    assert (await api.sign_out({**with_cookie(cookie), **ORIGIN})).status_code == 200
    stale = await api.sign_out({**with_cookie(cookie), **ORIGIN})
    assert (stale.status_code, stale.json()) == (200, {"success": True})
    assert set_cookies(stale) == CLEARED


async def test_sign_out_while_redis_is_down_is_503_but_recorded(
    open_client: ClientFactory, make_settings: SettingsFactory, own_redis: Any
) -> None:
    async with open_client(make_settings(redis_url=own_redis.url)) as client:
        api = Api(client, make_settings())
        _, cookie = await api.signed_up()
        own_redis.stop()
        response = await api.sign_out({**with_cookie(cookie), **ORIGIN})
        assert response.status_code == 503, response.text
        assert response.json()["code"] == "service_unavailable"
        assert "set-cookie" not in response.headers
        # PostgreSQL holds the revocation: the session is over, and a retry says so.
        assert (await api.get_session(with_cookie(cookie))).json() is None
        retried = await api.sign_out({**with_cookie(cookie), **ORIGIN})
        assert (retried.status_code, retried.json()) == (200, {"success": True})


@pytest.mark.parametrize("route", ["sign_up", "sign_in"])
async def test_sign_up_and_sign_in_are_503_while_the_rate_limit_cannot_be_checked(
    open_client: ClientFactory, make_settings: SettingsFactory, dead_redis_url: str, route: str
) -> None:
    async with open_client(make_settings(redis_url=dead_redis_url)) as client:
        api = Api(client, make_settings())
        response = await (api.sign_up() if route == "sign_up" else api.sign_in(unique_email()))
    assert response.status_code == 503
    assert response.json()["code"] == "service_unavailable"
    assert "set-cookie" not in response.headers


async def test_logout_all_ends_better_auth_sessions_too(api: Api) -> None:
    _, cookie = await api.signed_up()
    access_token = (await api.token(with_cookie(cookie))).json()["token"]
    assert (await api.request("POST", "/logout-all", headers=bearer(access_token))).status_code == 200
    assert (await api.get_session(with_cookie(cookie))).content == b"null"


async def test_token_mints_our_access_token_for_the_session(api: Api) -> None:
    token, cookie = await api.signed_up()
    session = (await api.get_session(with_cookie(cookie))).json()
    verifier = api.verifier
    for headers in (with_cookie(cookie), bearer(unquote(cookie)), bearer(token)):
        response = await api.token(headers)
        assert response.status_code == 200
        assert response.headers["cache-control"] == "no-store"
        claims = verifier.verify(response.json()["token"])
        assert (claims.sub, claims.sid, claims.email) == (
            session["user"]["id"],
            session["session"]["id"],
            session["user"]["email"],
        )
        assert (await api.request("GET", "/me", headers=bearer(response.json()["token"]))).status_code == 200


async def test_token_without_a_session_is_401_unauthorized(api: Api) -> None:
    assert error(await api.token()) == (401, "UNAUTHORIZED", "Unauthorized")
    assert error(await api.token(bearer("x" * 32))) == (401, "UNAUTHORIZED", "Unauthorized")


async def test_jwks_publishes_no_keys(api: Api) -> None:
    response = await api.request("GET", "/jwks")
    assert (response.status_code, response.json()) == (200, {"keys": []})


async def test_openapi_documents_the_better_auth_routes(api: Api) -> None:
    spec = (await api.client.get("/openapi.json")).json()
    sign_in = spec["paths"]["/api/auth/sign-in/email"]["post"]
    assert set(sign_in["responses"]) >= {"200", "400", "401", "403", "429"}
    assert "callbackURL" in sign_in["requestBody"]["content"]["application/json"]["schema"]["properties"]
    for path in ("/api/auth/sign-up/email", "/api/auth/get-session", "/api/auth/sign-out", "/api/auth/token"):
        assert path in spec["paths"]


def test_trusted_origins_come_from_the_settings(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings(
        frontend_origins="https://App.example, http://localhost:3001/",
        public_base_url="https://api.example",
        public_app_url="https://www.example/app/",
    )
    assert settings.trusted_origins == {
        "https://app.example",
        "http://localhost:3001",
        "https://api.example",
        "https://www.example",
    }
    assert settings.public_app_url == "https://www.example/app"
    assert settings.secure_cookies
    assert not make_settings().secure_cookies
    with pytest.raises(ValueError, match="not an http"):
        make_settings(frontend_origins="localhost:3000")
