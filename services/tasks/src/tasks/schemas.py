"""Request and response bodies of the tasks API."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    WithJsonSchema,
    field_validator,
)
from pydantic_core import PydanticCustomError

from todo_shared.text import NO_NUL, storable

__all__ = [
    "MAX_TASK_ID",
    "ByPriority",
    "DayCount",
    "ListParams",
    "Priority",
    "PriorityCounts",
    "SortField",
    "StatsParams",
    "TaskCreate",
    "TaskDeleted",
    "TaskOut",
    "TaskStats",
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


# The schema states what the validators enforce: no NUL (``storable``), and a title of 1-200 characters once
# trimmed. Trimmed is Unicode White_Space (pydantic's strip), spelled out
# because JSON Schema's \s is another set; padding does not count towards the 200.
_SPACE = r"\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_TITLE_PATTERN = rf"^[{_SPACE}]*[^{_SPACE}\x00]([^\x00]{{0,198}}[^{_SPACE}\x00])?[{_SPACE}]*$"
Title = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(storable),
    WithJsonSchema({"type": "string", "minLength": 1, "pattern": _TITLE_PATTERN}),
]
Description = Annotated[str, StringConstraints(max_length=10_000), AfterValidator(storable), NO_NUL]
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


def _drop_null(schema: dict[str, Any]) -> None:
    schema.pop("default", None)  # left out means "unchanged", not null
    schema.update(next(branch for branch in schema.pop("anyOf") if branch != {"type": "null"}))


# An update field that may be left out (unchanged) but not sent as null (``_not_null``): documented so.
_NEVER_NULL = Field(json_schema_extra=_drop_null)


class TaskUpdate(BaseModel):
    """A partial update: only the fields sent change (``null`` clears ``description`` and ``due_date``)."""

    model_config = ConfigDict(extra="forbid")

    title: Annotated[Title | None, _NEVER_NULL] = None
    description: Description | None = None
    # Strict: JSON has booleans, and 0 or "yes" for one is a client's mistake, not a value to guess at.
    completed: Annotated[StrictBool | None, _NEVER_NULL] = None
    priority: Annotated[Priority | None, _NEVER_NULL] = None
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
    completed_at: datetime | None = Field(description="When the task was last marked done; null while open")
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
        Annotated[str, Field(max_length=200), NO_NUL] | None,
        Field(description="Case-insensitive search in title and description"),
        AfterValidator(lambda v: None if v is None else storable(v)),
    ] = None
    due_from: Annotated[
        datetime | None,
        BeforeValidator(_iso_8601),
        Field(description="Only tasks due at or after this instant (ISO 8601; a bare date is midnight UTC)"),
    ] = None
    due_before: Annotated[
        datetime | None,
        BeforeValidator(_iso_8601),
        Field(description="Only tasks due strictly before this instant (ISO 8601; a bare date is midnight UTC)"),
    ] = None
    sort: SortField = "created_at"
    order: Literal["asc", "desc"] = "desc"
    limit: int = Field(default=50, ge=1, le=100)
    offset: int = Field(default=0, ge=0, le=2**31 - 1)


def _time_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):  # ValueError: not a key at all, e.g. "../x" or ""
        raise PydanticCustomError("time_zone", "is not an IANA time zone name, e.g. Europe/Paris or UTC") from None
    return value


class StatsParams(BaseModel):
    """Which calendar the stats count days in."""

    tz: Annotated[
        str,
        Field(
            min_length=1,
            max_length=64,
            # The shape of a tz database name; which names exist is the database's to say (a 422 otherwise).
            pattern=r"^[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+)*$",
            description="The user's IANA time zone: it decides when their day starts, for `today`, `due_today`, "
            "`overdue` and `completed_by_day`",
            examples=["Europe/Paris"],
        ),
        AfterValidator(_time_zone),
    ] = "UTC"


class PriorityCounts(BaseModel):
    """Tasks of one priority."""

    total: int
    open: int
    completed: int


class ByPriority(BaseModel):
    """The counts per priority."""

    low: PriorityCounts
    medium: PriorityCounts
    high: PriorityCounts


class DayCount(BaseModel):
    """Tasks completed on one day of the user's calendar."""

    date: date
    completed: int


class TaskStats(BaseModel):
    """The user's numbers, counted by the database in one statement."""

    time_zone: str = Field(description="The time zone the days below are counted in")
    today: date = Field(description="Today's date in that time zone")
    total: int
    open: int
    completed: int
    overdue: int = Field(description="Open tasks whose due day is before today")
    due_today: int = Field(description="Open tasks whose due day is today")
    by_priority: ByPriority
    completed_by_day: list[DayCount] = Field(
        description="Tasks completed on each of the last 30 days, oldest first, today last (by `completed_at`)"
    )
