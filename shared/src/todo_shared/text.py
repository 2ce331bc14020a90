"""Text that PostgreSQL and UTF-8 can hold: what every service checks user input against."""

from __future__ import annotations

import re

from pydantic import Field

__all__ = ["NO_NUL", "UNSTORABLE", "storable"]

# NUL and lone surrogates: JSON can carry "\u0000" and "\ud800", PostgreSQL text and UTF-8 cannot.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


# Documents in a field's JSON Schema what ``storable`` enforces (lone surrogates cannot be written as a pattern).
NO_NUL = Field(json_schema_extra={"pattern": "^[^\\x00]*$"})


def storable(value: str) -> str:
    """Return ``value`` unchanged, or raise ``ValueError`` if PostgreSQL could not store it (a pydantic validator)."""
    if UNSTORABLE.search(value):
        raise ValueError("must not contain NUL or unpaired surrogate characters")
    return value
