"""Account events between services on a Redis Stream: auth publishes them (from its outbox), tasks consumes them.

Delivery is at least once: a consumer must apply an event any number of times with the same result.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["USER_DELETED", "UserEvent"]

USER_DELETED = "user.deleted"
_EVENTS = frozenset({USER_DELETED})


@dataclass(frozen=True, slots=True)
class UserEvent:
    """Something that happened to an account; ``id`` is the publisher's outbox id (for logs and duplicates)."""

    event: str
    user_id: str
    id: str

    def fields(self) -> dict[str, str]:
        """The stream entry's fields."""
        return {"event": self.event, "user_id": self.user_id, "id": self.id}

    @classmethod
    def from_fields(cls, fields: dict[str, str]) -> UserEvent:
        """Read a stream entry; raise ``ValueError`` for one this version does not understand."""
        event, user_id = fields.get("event", ""), fields.get("user_id", "")
        if event not in _EVENTS or not user_id:
            raise ValueError(f"not a known user event: {fields!r}")
        return cls(event=event, user_id=user_id, id=fields.get("id", ""))
