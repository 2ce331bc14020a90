"""Request and response bodies of the tasks API."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, field_validator

from todo_shared.text import storable

__all__ = [
    "MAX_TASK_ID",
    "ListParams",
    "Priority",
    "SortField",
    "TaskCreate",
    "TaskDeleted",
    "TaskOut",
    "TaskUpdate",
]

MAX_TASK_ID = 2**63 - 1  # ids are PostgreSQL bigints; a larger path id is a 422, not a driver overflow

Priority = Literal["low", "medium", "high"]
SortField = Literal["created_at", "due_date", "priority", "title"]


def _iso_8601(value: object) -> datetime | None:
    """Accept an ISO 8601 date or date-time; a bare date or a naive time is taken as UTC."""
    if value is None:
        return None
    if not isinstance(value, str):
        # Pydantic would also take numbers as Unix times; the contract says ISO 8601 only.
        raise ValueError("must be an ISO 8601 date or date-time string")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError("must be an ISO 8601 date or date-time, e.g. 2026-12-01 or 2026-12-01T09:00:00Z") from None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:
        raise ValueError("is out of range") from None


Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), AfterValidator(storable)]
Description = Annotated[str, StringConstraints(max_length=10_000), AfterValidator(storable)]
DueDate = Annotated[
    datetime | None,
    BeforeValidator(_iso_8601),
    Field(
        description="ISO 8601 date or date-time. A bare date means midnight UTC of that day; "
        "a date-time without an offset is taken as UTC. Returned in UTC.",
        examples=["2026-12-01T00:00:00Z"],
    ),
]


class TaskCreate(BaseModel):
    """A new task."""

    model_config = ConfigDict(extra="forbid")

    title: Title
    description: Description | None = None
    priority: Priority = "medium"
    due_date: DueDate = None


class TaskUpdate(BaseModel):
    """A partial update: only the fields sent change (``null`` clears ``description`` and ``due_date``)."""

    model_config = ConfigDict(extra="forbid")

    title: Title | None = None
    description: Description | None = None
    completed: bool | None = None
    priority: Priority | None = None
    due_date: DueDate = None

    @field_validator("title", "completed", "priority", mode="before")
    @classmethod
    def _not_null(cls, value: object) -> object:
        # Left out means "unchanged"; an explicit null for a required column is a mistake worth a 422.
        if value is None:
            raise ValueError("may be left out but not null")
        return value


class TaskOut(BaseModel):
    """A task as the API returns it."""

    id: int
    user_id: str
    title: str
    description: str | None
    completed: bool
    priority: Priority
    due_date: datetime | None
    created_at: datetime
    updated_at: datetime


class TaskDeleted(BaseModel):
    """The answer to a delete."""

    id: int
    deleted: Literal[True] = True


class ListParams(BaseModel):
    """Filters, order and page of a task listing."""

    completed: bool | None = None
    priority: Priority | None = None
    q: Annotated[
        str | None,
        Field(max_length=200, description="Case-insensitive search in title and description"),
        AfterValidator(lambda v: None if v is None else storable(v)),
    ] = None
    sort: SortField = "created_at"
    order: Literal["asc", "desc"] = "desc"
    limit: int = Field(default=50, ge=1, le=100)
    offset: int = Field(default=0, ge=0, le=2**31 - 1)
