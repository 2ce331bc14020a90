from __future__ import annotations

import subprocess
import sys

import pytest
from pydantic import ValidationError

from todo_shared.settings import BaseServiceSettings


def make(**env: str) -> BaseServiceSettings:
    return BaseServiceSettings(_env_file=None, **env)  # type: ignore[arg-type]


def test_strong_secret_is_accepted() -> None:
    assert make(jwt_secret="k" * 32).jwt_secret.get_secret_value() == "k" * 32


def test_short_secret_is_refused_outside_development() -> None:
    with pytest.raises(ValidationError, match="JWT_SECRET must be at least 32 bytes"):
        make(jwt_secret="short")


def test_known_example_secret_is_refused() -> None:
    with pytest.raises(ValidationError, match="well-known example"):
        make(jwt_secret="change-me-to-a-long-random-string-of-32-bytes-or-more")


def test_development_flag_allows_a_weak_secret() -> None:
    assert make(jwt_secret="dev", env="development").env == "development"


def test_previous_secrets_are_comma_separated_and_checked() -> None:
    settings = make(jwt_secret="k" * 32, jwt_previous_secrets=f"{'a' * 32}, {'b' * 32}")
    assert [s.get_secret_value() for s in settings.jwt_previous_secrets] == ["a" * 32, "b" * 32]
    with pytest.raises(ValidationError, match="JWT_PREVIOUS_SECRETS"):
        make(jwt_secret="k" * 32, jwt_previous_secrets="weak")


def test_weak_secret_stops_the_process_with_one_line_naming_it() -> None:
    code = "from todo_shared.settings import BaseServiceSettings, load_settings; load_settings(BaseServiceSettings)"
    env = {"JWT_SECRET": "short", "PATH": ""}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "JWT_SECRET" in lines[0]
