"""Settings of the tasks service, read from the environment."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from todo_shared.settings import BaseServiceSettings

__all__ = ["DatabaseSettings", "Settings"]

DEFAULT_DATABASE_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/tasks"


class DatabaseSettings(BaseSettings):
    """Just the database: what migrations need, without the JWT secret the service also needs."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL


class Settings(BaseServiceSettings, DatabaseSettings):
    """Everything the tasks service reads: the shared JWT/Redis settings plus its own database pool."""

    db_pool_min_size: int = Field(default=0, ge=0)
    db_pool_max_size: int = Field(default=10, ge=1)
    db_command_timeout_seconds: float = Field(default=10.0, gt=0)
