"""The common-password list behind every new password (NIST SP 800-63B)."""

from __future__ import annotations

import pytest

from auth.password_policy import is_common_password


@pytest.mark.parametrize("password", ["password", "12345678", "iloveyou", "PassWord", "  qwertyuiop  "])
def test_common_passwords_are_refused_whatever_their_case_and_spaces(password: str) -> None:
    assert is_common_password(password)


@pytest.mark.parametrize("password", ["correct horse battery", "pässwörd-ünïcode", "Tr0ub4dor&3-but-longer"])
def test_uncommon_passwords_pass(password: str) -> None:
    assert not is_common_password(password)
