"""Query strings are logged with the values of token-like parameters replaced."""

from __future__ import annotations

import pytest

from todo_shared.redaction import redact_query


@pytest.mark.parametrize(
    ("query", "logged"),
    [
        ("access_token=abc.def.ghi&x=1", "access_token=[redacted]&x=1"),
        ("x=1&token=zz&refresh_token=q", "x=1&token=[redacted]&refresh_token=[redacted]"),
        ("callbackURL=%2Ftasks&code=9", "callbackURL=%2Ftasks&code=[redacted]"),
        ("Password=hunter2", "Password=[redacted]"),
        ("q=token&limit=5", "q=token&limit=5"),
        ("", ""),
    ],
)
def test_token_like_parameters_are_redacted(query: str, logged: str) -> None:
    assert redact_query(query) == logged
