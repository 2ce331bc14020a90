"""Settings of the tasks service, read from the environment."""

from __future__ import annotations

import socket

from pydantic import Field

from todo_shared.settings import BaseServiceSettings
from todo_shared.settings import DatabaseSettings as BaseDatabaseSettings

__all__ = ["DatabaseSettings", "Settings"]


class DatabaseSettings(BaseDatabaseSettings):
    """The tasks database, all a migration needs."""

    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/tasks"


class Settings(BaseServiceSettings, DatabaseSettings):
    """Everything the tasks service reads: the shared JWT/Redis settings plus its own database pool."""

    # Where ``python -m tasks`` listens; the images listen on every interface.
    tasks_host: str = "127.0.0.1"
    tasks_port: int = Field(default=8002, ge=1, le=65_535)

    db_pool_min_size: int = Field(default=0, ge=0)
    db_pool_max_size: int = Field(default=10, ge=1)
    # Bounds on every database wait: a hung or unreachable PostgreSQL becomes a 503, never a hang.
    db_connect_timeout_seconds: float = Field(default=5.0, gt=0)
    db_command_timeout_seconds: float = Field(default=10.0, gt=0)
    # Account events (user.deleted) from auth: this service's consumer group on USER_EVENTS_STREAM, this
    # process's name in it (unique per replica, stable across its restarts), how often it looks for new entries
    # when idle, and how long another consumer's unacknowledged entry stays idle before this one takes it over.
    user_events_group: str = Field(default="tasks", min_length=1)
    user_events_consumer: str = Field(default_factory=socket.gethostname, min_length=1)
    user_events_poll_seconds: float = Field(default=0.5, gt=0)
    user_events_claim_idle_seconds: float = Field(default=30.0, gt=0)
