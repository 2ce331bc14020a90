"""Which new passwords are refused: those on a well-known list of common ones (NIST SP 800-63B, 3.1.1.2).

The list is the 30,000 most frequent passwords of a leaked-password corpus, as shipped offline by the
maintained ``zxcvbn`` package (the list its strength estimator ranks); the browser's strength meter
(``@zxcvbn-ts``) reads the same corpus, so the two agree. Sign-up calls this today; password change and
reset will too. Length limits stay in the schemas, since both APIs word them differently.
"""

from __future__ import annotations

from zxcvbn.frequency_lists import FREQUENCY_LISTS

__all__ = ["is_common_password"]

# Lower-case entries; about 11,600 of them are 8 characters or longer, the shortest we accept.
_COMMON = frozenset(FREQUENCY_LISTS["passwords"])


def is_common_password(password: str) -> bool:
    """Tell whether ``password`` is on the common-password list, ignoring case and surrounding spaces."""
    return password.strip().casefold() in _COMMON
