"""Who may touch what: tokens checked locally, revocation read from Redis, fail closed."""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import OctKey

from todo_shared.denylist import Denylist
from todo_shared.tokens import TokenSigner, key_id

pytestmark = pytest.mark.anyio

SECRET = "tasks-test-secret-0123456789abcdef-0123456789"
OLD_SECRET = "tasks-old-secret-fedcba9876543210-fedcba98765"


def unauthorized(response: httpx.Response, envelope: Callable[..., Any]) -> dict[str, Any]:
    body: dict[str, Any] = envelope(response, 401)
    assert response.headers["WWW-Authenticate"] == "Bearer"
    return body


def b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def claims_for(user_id: str, **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    return {
        "iss": "todo-auth",
        "aud": "todo-api",
        "sub": user_id,
        "email": "x@example.com",
        "sid": uuid.uuid4().hex,
        "jti": uuid.uuid4().hex,
        "iat": now,
        "exp": now + 900,
        **overrides,
    }


async def test_no_token_is_401(client: httpx.AsyncClient, user: Any, envelope: Callable[..., Any]) -> None:
    assert unauthorized(await client.get(user.tasks), envelope)["code"] == "not_authenticated"


@pytest.mark.parametrize("header", ["Basic dXNlcjpwYXNz", "Bearer", "Bearer not-a-jwt", "Bearer a.b.c"])
async def test_malformed_authorization_is_401(
    client: httpx.AsyncClient, user: Any, envelope: Callable[..., Any], header: str
) -> None:
    unauthorized(await client.get(user.tasks, headers={"Authorization": header}), envelope)


async def test_expired_token_is_401(
    client: httpx.AsyncClient, user: Any, signer: TokenSigner, envelope: Callable[..., Any]
) -> None:
    token, _ = signer.mint(user_id=user.id, email="x@example.com", session_id="s", now=int(time.time()) - 3600)
    unauthorized(await client.get(user.tasks, headers={"Authorization": f"Bearer {token}"}), envelope)


@pytest.mark.parametrize(
    "signer_args",
    [
        {"secret": SECRET, "issuer": "todo-auth", "audience": "another-api"},
        {"secret": SECRET, "issuer": "someone-else", "audience": "todo-api"},
        {"secret": "a-different-secret-that-is-long-enough-000000", "issuer": "todo-auth", "audience": "todo-api"},
    ],
    ids=["wrong-audience", "wrong-issuer", "wrong-secret"],
)
async def test_token_from_the_wrong_place_is_401(
    client: httpx.AsyncClient, user: Any, envelope: Callable[..., Any], signer_args: dict[str, str]
) -> None:
    token, _ = TokenSigner(**signer_args, lifetime_seconds=900).mint(user_id=user.id, email="x@e.com", session_id="s")
    unauthorized(await client.get(user.tasks, headers={"Authorization": f"Bearer {token}"}), envelope)


async def test_alg_none_is_401(client: httpx.AsyncClient, user: Any, envelope: Callable[..., Any]) -> None:
    token = f"{b64({'alg': 'none', 'typ': 'at+jwt'})}.{b64(claims_for(user.id))}."
    unauthorized(await client.get(user.tasks, headers={"Authorization": f"Bearer {token}"}), envelope)


async def test_token_type_other_than_at_jwt_is_401(
    client: httpx.AsyncClient, user: Any, envelope: Callable[..., Any]
) -> None:
    key = OctKey.import_key(SECRET.encode())
    token = jwt.encode({"alg": "HS256", "typ": "JWT", "kid": key_id(SECRET)}, claims_for(user.id), key)
    unauthorized(await client.get(user.tasks, headers={"Authorization": f"Bearer {token}"}), envelope)


async def test_valid_token_for_another_user_is_403(
    client: httpx.AsyncClient, new_user: Callable[[], Any], envelope: Callable[..., Any]
) -> None:
    alice, bob = new_user(), new_user()
    for method in ("GET", "POST"):
        response = await client.request(method, bob.tasks, json={"title": "x"}, headers=alice.headers)
        assert envelope(response, 403, "forbidden")["detail"] == "Access denied to this resource"


async def test_another_users_task_under_your_own_path_is_404(
    client: httpx.AsyncClient,
    new_user: Callable[[], Any],
    make_task: Callable[..., Any],
    envelope: Callable[..., Any],
) -> None:
    alice, bob = new_user(), new_user()
    theirs = await make_task(bob, title="bob's")
    path = f"{alice.tasks}/{theirs['id']}"
    calls = [("GET", path), ("PUT", path), ("PATCH", path), ("PATCH", f"{path}/complete"), ("DELETE", path)]
    for method, url in calls:
        body = {"title": "mine now"} if method in ("PUT", "PATCH") and not url.endswith("complete") else None
        envelope(await client.request(method, url, json=body, headers=alice.headers), 404, "task_not_found")
    assert (await client.get(f"{bob.tasks}/{theirs['id']}", headers=bob.headers)).json() == theirs


async def test_revoked_by_jti_is_refused_on_the_next_request(
    client: httpx.AsyncClient, user: Any, denylist: Denylist, envelope: Callable[..., Any]
) -> None:
    assert (await client.get(user.tasks, headers=user.headers)).status_code == 200
    await denylist.revoke(user_id=user.id, jtis=[user.claims.jti])
    assert unauthorized(await client.get(user.tasks, headers=user.headers), envelope)["code"] == "token_revoked"


async def test_revoked_by_session_is_401(
    client: httpx.AsyncClient, user: Any, denylist: Denylist, envelope: Callable[..., Any]
) -> None:
    await denylist.revoke(user_id=user.id, sids=[user.claims.sid])
    unauthorized(await client.get(user.tasks, headers=user.headers), envelope)


async def test_revoked_by_the_users_before_marker_is_401_and_later_tokens_pass(
    client: httpx.AsyncClient, user: Any, signer: TokenSigner, denylist: Denylist, envelope: Callable[..., Any]
) -> None:
    before = user.claims.iat + 1
    await denylist.revoke(user_id=user.id, before=before)
    unauthorized(await client.get(user.tasks, headers=user.headers), envelope)
    fresh, _ = signer.mint(user_id=user.id, email="x@example.com", session_id="s2", now=before)
    assert (await client.get(user.tasks, headers={"Authorization": f"Bearer {fresh}"})).status_code == 200


async def test_another_users_revocation_does_not_touch_you(
    client: httpx.AsyncClient, new_user: Callable[[], Any], denylist: Denylist
) -> None:
    alice, bob = new_user(), new_user()
    await denylist.revoke(user_id=bob.id, before=alice.claims.iat + 10, sids=[alice.claims.sid])
    assert (await client.get(alice.tasks, headers=alice.headers)).status_code == 200


async def test_previous_secret_accepted_while_listed_and_refused_once_removed(
    serve_with: Callable[..., Any], new_user: Callable[[], Any], envelope: Callable[..., Any]
) -> None:
    user = new_user()
    old_signer = TokenSigner(secret=OLD_SECRET, issuer="todo-auth", audience="todo-api", lifetime_seconds=900)
    token, _ = old_signer.mint(user_id=user.id, email="x@example.com", session_id="s")
    headers = {"Authorization": f"Bearer {token}"}
    async with serve_with(jwt_previous_secrets=[OLD_SECRET]) as client:
        assert (await client.get(user.tasks, headers=headers)).status_code == 200
    async with serve_with(jwt_previous_secrets=[]) as client:
        unauthorized(await client.get(user.tasks, headers=headers), envelope)


async def test_redis_unreachable_is_503_never_a_pass(
    serve_with: Callable[..., Any], own_redis: Any, user: Any, envelope: Callable[..., Any]
) -> None:
    own_redis.mark_indexed()
    async with serve_with(redis_url=own_redis.url) as client:
        assert (await client.get(user.tasks, headers=user.headers)).status_code == 200
        own_redis.stop()
        for method, body in (("GET", None), ("POST", {"title": "must not be stored"})):
            response = await client.request(method, user.tasks, json=body, headers=user.headers)
            envelope(response, 503, "service_unavailable")


async def test_redis_down_from_the_start_is_503(
    serve_with: Callable[..., Any], dead_redis_url: str, user: Any, envelope: Callable[..., Any]
) -> None:
    async with serve_with(redis_url=dead_redis_url) as client:
        envelope(await client.get(user.tasks, headers=user.headers), 503, "service_unavailable")


async def test_no_token_is_401_even_when_redis_is_down(
    serve_with: Callable[..., Any], dead_redis_url: str, user: Any, envelope: Callable[..., Any]
) -> None:
    async with serve_with(redis_url=dead_redis_url) as client:
        unauthorized(await client.get(user.tasks), envelope)


async def test_token_is_checked_before_the_body(
    client: httpx.AsyncClient, user: Any, envelope: Callable[..., Any]
) -> None:
    for content in (b'{"title": ""}', b"{not json"):
        response = await client.post(user.tasks, content=content, headers={"Content-Type": "application/json"})
        unauthorized(response, envelope)


async def test_a_lost_denylist_fails_closed_until_it_is_rebuilt(
    serve_with: Callable[..., Any], own_redis: Any, user: Any, envelope: Callable[..., Any]
) -> None:
    async with serve_with(redis_url=own_redis.url) as client:
        envelope(await client.get(user.tasks, headers=user.headers), 503, "service_unavailable")
        own_redis.mark_indexed()
        assert (await client.get(user.tasks, headers=user.headers)).status_code == 200
