"""The routing table, exactly as the contract states it."""

from __future__ import annotations

import pytest

from gateway.config import Settings
from gateway.routing import route_template, upstream_for


@pytest.mark.parametrize(
    ("path", "upstream"),
    [
        ("/api/auth", "auth"),
        ("/api/auth/", "auth"),
        ("/api/auth/login", "auth"),
        ("/api/auth/sign-in/email", "auth"),
        ("/api/auth/tasks", "auth"),  # "auth" as the first segment always means the auth service
        ("/api/u1/tasks", "tasks"),
        ("/api/u1/tasks/", "tasks"),
        ("/api/3f2a-uuid/tasks/17", "tasks"),
        ("/api/u1/tasks/17/complete", "tasks"),
        ("/api/authx/tasks", "tasks"),
        ("/api/test-user/tasks", "tasks"),
        ("/api/u1%2Fx/tasks", "tasks"),  # one encoded segment stays one segment, forwarded as is
        ("/api/authx", None),
        ("/api/tasks", None),
        ("/api//tasks", None),
        ("/api/u1/taskss", None),
        ("/api/u1/x/tasks", None),
        ("/api/u1/tasks\n", None),
        ("/api/u1/tasks/../../auth/me", None),  # dot segments: the client library would resolve them
        ("/api/u1/tasks/%2e%2e/%2E%2E/u2/tasks", None),
        ("/api/auth/./me", None),
        ("/api/u1/tasks/..", None),
        ("/api/u1/tasks/..x", "tasks"),
        ("/api/u1/tasks/x.y", "tasks"),
        ("/api", None),
        ("/", None),
        ("/healthz", None),
        ("/auth/login", None),
        ("/apix/auth", None),
    ],
)
def test_routes(path: str, upstream: str | None) -> None:
    assert upstream_for(path.encode()) == upstream


def test_settings_read_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FRONTEND_ORIGINS", "http://localhost:3000, https://todo.example.com/")
    monkeypatch.setenv("TASKS_URL", "http://tasks:8002/")
    monkeypatch.setenv("MAX_BODY_BYTES", "2048")
    settings = Settings(_env_file=None)
    assert settings.frontend_origins == ["http://localhost:3000", "https://todo.example.com"]
    assert settings.upstreams() == {"auth": ["http://127.0.0.1:8001"], "tasks": ["http://tasks:8002"]}
    assert settings.max_body_bytes == 2048


def test_settings_defaults() -> None:
    settings = Settings(_env_file=None)
    assert settings.max_body_bytes == 1024 * 1024
    assert settings.frontend_origins == ["http://localhost:3000"]


@pytest.mark.parametrize(
    ("upstream", "path", "template"),
    [
        ("auth", "/api/auth/login", "/api/auth/**"),
        ("auth", "/api/auth", "/api/auth/**"),
        ("tasks", "/api/u1/tasks", "/api/{user_id}/tasks"),
        ("tasks", "/api/u1/tasks/17", "/api/{user_id}/tasks/{id}"),
        ("tasks", "/api/u1/tasks/17/complete", "/api/{user_id}/tasks/{id}/complete"),
        ("tasks", "/api/u1/tasks/", "/api/{user_id}/tasks/**"),
        ("tasks", "/api/u1/tasks/17/x/y", "/api/{user_id}/tasks/**"),
    ],
)
def test_route_templates_are_a_bounded_set(upstream: str, path: str, template: str) -> None:
    assert route_template(upstream, path.encode()) == template
