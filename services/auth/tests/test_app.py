"""Start-up rules (weak secrets, settings), the migrations, and the published OpenAPI document."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import asyncpg
import httpx
import pytest
from alembic import command
from alembic.config import Config

from auth.config import Settings

AUTH_DIR = Path(__file__).resolve().parents[1]


async def _drop(server_url: str, name: str) -> None:
    conn = await asyncpg.connect(server_url)
    try:
        await conn.execute(f'DROP DATABASE "{name}"')
    finally:
        await conn.close()


def _start(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Build the app from the environment alone in a fresh interpreter, as the server (`python -m auth`) does."""
    code = "from auth.main import create_app; create_app()"
    # An empty directory and a minimal environment, so no developer .env or exported variable leaks in.
    clean = {"HOME": str(tmp_path), **env}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=clean, capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize(
    "secret",
    ["short", "change-me-to-a-long-random-string-of-32-bytes-or-more", "x" * 31],
    ids=["short", "known-example", "31-bytes"],
)
def test_a_weak_jwt_secret_stops_start_up_with_one_line_naming_it(tmp_path: Path, secret: str) -> None:
    result = _start(tmp_path, JWT_SECRET=secret)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "JWT_SECRET" in lines[0]


def test_a_missing_jwt_secret_stops_start_up_with_one_line_naming_it(tmp_path: Path) -> None:
    result = _start(tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == ["invalid settings: JWT_SECRET: Field required"]


def test_development_mode_accepts_a_weak_secret(tmp_path: Path) -> None:
    assert _start(tmp_path, JWT_SECRET="dev", ENV="development").returncode == 0


def test_a_bad_rate_limit_setting_is_refused_naming_it(tmp_path: Path) -> None:
    result = _start(tmp_path, JWT_SECRET="k" * 40, LOGIN_FAILURE_LIMIT="lots")
    assert result.returncode == 2
    assert "LOGIN_FAILURE_LIMIT" in result.stderr


def test_settings_defaults_follow_the_contract() -> None:
    settings = Settings(_env_file=None, jwt_secret="k" * 40)
    assert settings.database_url == "postgresql+asyncpg://postgres@127.0.0.1:5432/auth"
    assert settings.refresh_token_ttl_seconds == 30 * 86_400
    assert settings.access_token_ttl_seconds == 900
    assert (settings.argon2_time_cost, settings.argon2_memory_cost, settings.argon2_parallelism) == (1, 46 * 1024, 1)
    assert settings.login_failure_limit == "10 per 15 minutes"
    assert settings.login_ip_limit == "600 per minute"
    assert settings.trusted_origins == {"http://localhost:3000", "http://localhost:8000"}
    assert (settings.session_ttl_seconds, settings.session_update_age_seconds) == (7 * 86_400, 86_400)
    assert not settings.secure_cookies
    plain = Settings(_env_file=None, jwt_secret="k" * 40, database_url="postgres://u@db:5432/auth")
    assert plain.database_url == "postgresql+asyncpg://u@db:5432/auth"


def test_migrations_go_down_and_up_and_match_the_models(create_database: Callable[[str], str]) -> None:
    cfg = Config(str(AUTH_DIR / "alembic.ini"))
    cfg.set_main_option("sqlalchemy.url", create_database("auth_migrations"))
    cfg.attributes["configure_logger"] = False
    command.upgrade(cfg, "head")
    command.downgrade(cfg, "base")
    command.upgrade(cfg, "head")
    command.check(cfg)  # autogenerate finds nothing the models have that the migrations lack


def test_alembic_cli_creates_and_migrates_the_database_url_names(
    create_database: Callable[[str], str], postgres_server_url: str, tmp_path: Path
) -> None:
    url = create_database("auth_cli")
    # Drop it again (the fixture still cleans up at the end): a fresh server has no "auth" database either.
    asyncio.run(_drop(postgres_server_url, url.rsplit("/", 1)[1]))
    env = {**os.environ, "DATABASE_URL": url.replace("postgresql+asyncpg://", "postgresql://")}
    env.pop("JWT_SECRET", None)  # migrating needs no token secret
    result = subprocess.run(
        [sys.executable, "-m", "alembic", "-c", str(AUTH_DIR / "alembic.ini"), "upgrade", "head"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Running upgrade" in result.stderr


@pytest.mark.anyio
async def test_openapi_documents_the_routes_with_real_models_and_errors(client: httpx.AsyncClient) -> None:
    assert (await client.get("/docs")).status_code == 200
    spec = (await client.get("/openapi.json")).json()
    signup = spec["paths"]["/api/auth/signup"]["post"]
    assert set(signup["responses"]) >= {"201", "400", "422", "429", "503"}
    ok_schema = signup["responses"]["201"]["content"]["application/json"]["schema"]
    assert ok_schema == {"$ref": "#/components/schemas/TokenOut"}
    assert signup["responses"]["422"]["content"]["application/json"]["schema"]["$ref"].endswith("/ValidationErrorOut")
    login = spec["paths"]["/api/auth/login"]["post"]["responses"]
    assert set(login) >= {"200", "401", "403", "422", "429"}
    me = spec["paths"]["/api/auth/me"]["get"]
    assert me["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/MeOut")
    assert me["security"] == [{"HTTPBearer": []}]
    for path in ("/api/auth/logout", "/api/auth/refresh", "/api/auth/logout-all", "/healthz", "/readyz"):
        assert path in spec["paths"]
