"""The system as a client sees it: every call goes through the gateway, the way the front end makes it."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import httpx
import pytest

if TYPE_CHECKING:
    from tests.conftest import SignUp, System

pytestmark = pytest.mark.integration

ENVELOPE_KEYS = {"detail", "message", "code", "request_id"}
PASSWORD = "correct horse battery staple"


def assert_envelope(response: httpx.Response, status: int) -> dict[str, str]:
    assert response.status_code == status, response.text
    body: dict[str, str] = response.json()
    assert ENVELOPE_KEYS <= set(body)
    assert isinstance(body["detail"], str) and body["detail"] == body["message"]
    return body


# -- the original design's three backend tests, now through the gateway -----------------------------------


def test_signup_is_201_with_an_access_token(gateway: httpx.Client) -> None:
    response = gateway.post(
        "/api/auth/signup", json={"email": "Test@Example.com", "password": "correct horse battery", "name": "Test User"}
    )
    assert response.status_code == 201, response.text
    data = response.json()
    assert "access_token" in data
    assert data["user"]["email"] == "test@example.com"
    assert data["token_type"] == "bearer"


def test_login_is_200(gateway: httpx.Client, sign_up: SignUp) -> None:
    account = sign_up()
    response = gateway.post("/api/auth/login", json={"email": account.email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    assert "access_token" in response.json()


def test_tasks_without_a_token_is_401(gateway: httpx.Client) -> None:
    response = gateway.get("/api/test-user/tasks")
    assert_envelope(response, 401)
    assert response.headers["www-authenticate"] == "Bearer"


# -- the front end's task flow -------------------------------------------------------------------------------


def test_the_front_ends_task_flow(gateway: httpx.Client, sign_up: SignUp) -> None:
    account = sign_up()
    base, auth = f"/api/{account.user_id}/tasks", account.headers

    empty = gateway.get(base, headers=auth)
    assert (empty.status_code, empty.json(), empty.headers["x-total-count"]) == (200, [], "0")

    created = gateway.post(base, headers=auth, json={"title": "  Buy milk  ", "priority": "high"})
    assert created.status_code == 201, created.text
    task = created.json()
    assert (task["title"], task["priority"], task["completed"], task["user_id"]) == (
        "Buy milk",
        "high",
        False,
        account.user_id,
    )
    gateway.post(base, headers=auth, json={"title": "Walk the dog"})

    listed = gateway.get(base, headers=auth, params={"sort": "title", "order": "asc"})
    assert listed.headers["x-total-count"] == "2"
    assert [t["title"] for t in listed.json()] == ["Buy milk", "Walk the dog"]

    one = f"{base}/{task['id']}"
    assert gateway.get(one, headers=auth).json()["id"] == task["id"]

    updated = gateway.put(one, headers=auth, json={"title": "Buy oat milk", "description": "2 litres"})
    assert updated.status_code == 200, updated.text
    assert (updated.json()["title"], updated.json()["priority"]) == ("Buy oat milk", "high")
    assert updated.json()["updated_at"] >= task["updated_at"]

    patched = gateway.patch(one, headers=auth, json={"priority": "low"})
    assert (patched.json()["priority"], patched.json()["description"]) == ("low", "2 litres")

    toggled = gateway.patch(f"{one}/complete", headers=auth)
    assert toggled.status_code == 200 and toggled.json()["completed"] is True
    assert gateway.patch(f"{one}/complete", headers=auth).json()["completed"] is False

    done = gateway.get(base, headers=auth, params={"completed": "false", "q": "oat"})
    assert [t["id"] for t in done.json()] == [task["id"]]

    deleted = gateway.delete(one, headers=auth)
    assert (deleted.status_code, deleted.json()) == (200, {"id": task["id"], "deleted": True})
    assert_envelope(gateway.get(one, headers=auth), 404)
    assert gateway.get(base, headers=auth).headers["x-total-count"] == "1"


# -- sessions and revocation -------------------------------------------------------------------------------


def test_logout_makes_the_same_token_401_at_tasks(gateway: httpx.Client, sign_up: SignUp) -> None:
    account = sign_up()
    tasks = f"/api/{account.user_id}/tasks"
    assert gateway.get(tasks, headers=account.headers).status_code == 200

    response = gateway.post("/api/auth/logout", headers=account.headers)
    assert (response.status_code, response.json()) == (200, {"message": "Successfully logged out"})

    assert_envelope(gateway.get(tasks, headers=account.headers), 401)
    assert_envelope(gateway.get("/api/auth/me", headers=account.headers), 401)


def test_refresh_rotates_and_a_reused_token_revokes_the_session(gateway: httpx.Client, sign_up: SignUp) -> None:
    account = sign_up()
    rotated = gateway.post("/api/auth/refresh", json={"refresh_token": account.refresh_token})
    assert rotated.status_code == 200, rotated.text
    fresh = rotated.json()
    assert fresh["refresh_token"] != account.refresh_token
    tasks = f"/api/{account.user_id}/tasks"
    fresh_headers = {"Authorization": f"Bearer {fresh['access_token']}"}
    assert gateway.get(tasks, headers=fresh_headers).status_code == 200

    # The spent token again: refused, and the whole session with it.
    assert_envelope(gateway.post("/api/auth/refresh", json={"refresh_token": account.refresh_token}), 401)
    assert_envelope(gateway.post("/api/auth/refresh", json={"refresh_token": fresh["refresh_token"]}), 401)
    assert_envelope(gateway.get(tasks, headers=fresh_headers), 401)


def test_another_users_path_is_403(gateway: httpx.Client, sign_up: SignUp) -> None:
    alice, bob = sign_up(), sign_up()
    response = gateway.get(f"/api/{bob.user_id}/tasks", headers=alice.headers)
    assert assert_envelope(response, 403)["detail"] == "Access denied to this resource"


def test_better_auths_cookie_session_works_through_the_gateway(gateway: httpx.Client) -> None:
    origin = {"Origin": "http://localhost:3000"}
    email = f"ba-{uuid.uuid4().hex[:12]}@example.com"
    signed_up = gateway.post(
        "/api/auth/sign-up/email", headers=origin, json={"name": "", "email": email, "password": PASSWORD}
    )
    assert signed_up.status_code == 200, signed_up.text
    assert signed_up.headers["set-auth-token"]
    assert "set-auth-token" in signed_up.headers["access-control-expose-headers"].lower()
    assert "better-auth.session_token" in gateway.cookies  # Set-Cookie passed through untouched

    token = gateway.get("/api/auth/token", headers=origin)  # the cookie goes back up through the gateway
    assert token.status_code == 200, token.text
    bearer = {"Authorization": f"Bearer {token.json()['token']}"}
    user_id = signed_up.json()["user"]["id"]
    assert gateway.get(f"/api/{user_id}/tasks", headers=bearer).status_code == 200

    assert gateway.post("/api/auth/sign-out", headers=origin, json={}).json() == {"success": True}
    assert_envelope(gateway.get(f"/api/{user_id}/tasks", headers=bearer), 401)


# -- what the gateway itself adds ----------------------------------------------------------------------------


def test_a_2_mib_body_is_413(gateway: httpx.Client, sign_up: SignUp) -> None:
    account = sign_up()
    body = b'{"title": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    response = gateway.post(
        f"/api/{account.user_id}/tasks", headers={**account.headers, "Content-Type": "application/json"}, content=body
    )
    assert assert_envelope(response, 413)["code"] == "payload_too_large"


def test_the_request_id_travels_to_the_service_and_back(gateway: httpx.Client, sign_up: SignUp) -> None:
    account = sign_up()
    response = gateway.get(f"/api/{account.user_id}/tasks", headers={**account.headers, "X-Request-ID": "trace-42"})
    assert response.headers.get_list("x-request-id") == ["trace-42"]
    failed = gateway.get("/api/test-user/tasks", headers={"X-Request-ID": "trace-43"})
    assert failed.json()["request_id"] == "trace-43"


def test_the_front_end_origin_may_call_with_credentials(gateway: httpx.Client) -> None:
    origin = "http://localhost:3000"
    asks = {"Origin": origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
    preflight = gateway.options("/api/auth/sign-in/email", headers=asks)
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == origin
    assert preflight.headers["access-control-allow-credentials"] == "true"
    response = gateway.get("/api/test-user/tasks", headers={"Origin": origin})
    assert response.headers["access-control-allow-origin"] == origin
    assert "x-total-count" in response.headers["access-control-expose-headers"].lower()


def test_unknown_paths_are_404_at_the_gateway(gateway: httpx.Client) -> None:
    assert assert_envelope(gateway.get("/api/nothing"), 404)["code"] == "not_found"


def test_readyz_sees_both_services(system: System, gateway: httpx.Client) -> None:
    response = gateway.get("/readyz")
    assert (response.status_code, response.json()["checks"]) == (200, {"auth": "ok", "tasks": "ok"})
    assert httpx.get(f"{system.tasks.url}/readyz").status_code == 200
