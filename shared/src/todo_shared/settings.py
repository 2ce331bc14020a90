"""Settings every service shares, read from the environment, with the secret rules enforced."""

from __future__ import annotations

import sys
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BeforeValidator, Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from todo_shared.redis import parse_cluster_url
from todo_shared.tokens import TokenVerifier

__all__ = [
    "BaseServiceSettings",
    "CommaSeparated",
    "DatabaseSettings",
    "DenylistSettings",
    "ServerSettings",
    "load_settings",
]

# Secrets that appear in examples and templates; a deployment using one is as good as unsigned.
KNOWN_EXAMPLE_SECRETS = frozenset(
    {
        "changethis",
        "change-me",
        "changeme",
        "secret",
        "your-secret-key",
        "your-secret-key-here",
        "your-super-secret-jwt-key-change-in-production",
        "dev-secret-change-me-dev-secret-change-me",
        "change-me-to-a-long-random-string-of-32-bytes-or-more",
    }
)
MIN_SECRET_BYTES = 32

S = TypeVar("S", bound=BaseSettings)
T = TypeVar("T")


def _split_commas(value: object) -> object:
    if isinstance(value, str):
        return [s.strip() for s in value.split(",") if s.strip()]
    return value


# A list setting written as one comma-separated variable: ``JWT_PREVIOUS_SECRETS=a,b``.
CommaSeparated = Annotated[list[T], NoDecode, BeforeValidator(_split_commas)]


def _unnamed() -> str:
    return ""  # PostgreSQL's unnamed statement: replaced by the next one, never left behind


class DatabaseSettings(BaseSettings):
    """Only what a migration needs, so ``alembic upgrade`` runs without the JWT secret; services set the default."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str
    # Off behind PgBouncer in transaction mode (1.18 has no protocol-level prepared statements): consecutive
    # transactions may land on different server connections, so no statement may outlive its own.
    db_statement_cache: bool = True

    @property
    def asyncpg_statement_options(self) -> dict[str, Any]:
        """asyncpg connection options: without the cache, asyncpg sends every statement unnamed and re-parses it
        in the same round trip that runs it."""
        return {} if self.db_statement_cache else {"statement_cache_size": 0}

    @property
    def sqlalchemy_statement_options(self) -> dict[str, Any]:
        """``connect_args`` for SQLAlchemy's asyncpg dialect: without the cache, its own cache off too and its
        statements unnamed (the PgBouncer recipe's unique names would pile up in every server connection)."""
        if self.db_statement_cache:
            return {}
        return {
            **self.asyncpg_statement_options,
            "prepared_statement_cache_size": 0,
            "prepared_statement_name_func": str,
        }

    @field_validator("database_url")
    @classmethod
    def _asyncpg_driver(cls, value: str) -> str:
        # Compose files and PaaS add-ons hand out plain postgres:// URLs; the services need the asyncpg driver.
        for prefix in ("postgres://", "postgresql://"):
            if value.startswith(prefix):
                return "postgresql+asyncpg://" + value.removeprefix(prefix)
        return value


class DenylistSettings(BaseSettings):
    """What writing or reading the Redis denylist needs (no secret: an admin command runs with only these)."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    jwt_leeway_seconds: int = Field(default=30, ge=0, le=300)
    access_token_ttl_seconds: int = Field(default=900, ge=30, le=86_400)
    redis_url: str = "redis://127.0.0.1:6379/0"
    redis_timeout_seconds: float = Field(default=1.0, gt=0)

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: str) -> str:
        parse_cluster_url(value)  # a malformed cluster URL stops the service at start, naming the variable
        return value

    @property
    def denylist_ttl_seconds(self) -> int:
        """How long a denylist entry must live: as long as the tokens it voids could."""
        return self.access_token_ttl_seconds + self.jwt_leeway_seconds


class ServerSettings(BaseSettings):
    """The HTTP server's limits, the same for every process that listens (see ``todo_shared.server``)."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    # Request line + headers; more is 431 from the server before the rest is read (Granian's floor is 8 KiB).
    max_header_bytes: int = Field(default=16 * 1024, ge=8 * 1024)
    # A client must finish its headers within this, and an idle keep-alive connection closes after it.
    header_read_timeout_seconds: float = Field(default=10.0, gt=0, le=60)
    # Open client connections; more wait in the listen backlog until one closes.
    max_connections: int = Field(default=1024, ge=1)


class BaseServiceSettings(DenylistSettings, ServerSettings):
    """Environment, logging, JWT, Redis and event-stream settings common to the auth and tasks services."""

    env: Literal["development", "test", "production"] = "production"
    log_level: str = "INFO"
    jwt_secret: SecretStr
    jwt_previous_secrets: CommaSeparated[SecretStr] = Field(default_factory=list)
    jwt_issuer: str = "todo-auth"
    jwt_audience: str = "todo-api"
    # The Redis Stream auth publishes account events to (user.deleted) and tasks consumes.
    user_events_stream: str = Field(default="todo:user-events", min_length=1)
    # Prometheus /metrics on a listener of its own, never the API's port; unset or 0 serves none.
    metrics_port: int | None = Field(default=None, ge=0, le=65_535)
    metrics_host: str = "127.0.0.1"
    # OTLP/HTTP collector base URL (the OpenTelemetry variable); tracing is on only when it is set.
    otel_exporter_otlp_endpoint: str | None = None

    @field_validator("metrics_port", "otel_exporter_otlp_endpoint", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        # Compose passes an unset variable on as "" (``${VAR:-}``): that means "off", not a bad value.
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def _enforce_strong_secrets(self) -> BaseServiceSettings:
        if self.env == "development":
            return self
        for name, secret in [
            ("JWT_SECRET", self.jwt_secret),
            *(("JWT_PREVIOUS_SECRETS", s) for s in self.jwt_previous_secrets),
        ]:
            value = secret.get_secret_value()
            if len(value.encode()) < MIN_SECRET_BYTES:
                raise ValueError(f"{name} must be at least {MIN_SECRET_BYTES} bytes (set ENV=development to allow it)")
            if value.lower() in KNOWN_EXAMPLE_SECRETS:
                raise ValueError(f"{name} is a well-known example value (set ENV=development to allow it)")
        return self

    def token_verifier(self) -> TokenVerifier:
        """Build the access-token verifier these settings describe (current secret plus previous ones)."""
        return TokenVerifier(
            secret=self.jwt_secret.get_secret_value(),
            previous_secrets=[s.get_secret_value() for s in self.jwt_previous_secrets],
            issuer=self.jwt_issuer,
            audience=self.jwt_audience,
            leeway_seconds=self.jwt_leeway_seconds,
        )


def _one_line(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        name = "_".join(str(p) for p in err["loc"]).upper() or "settings"
        msg = str(err["msg"]).removeprefix("Value error, ")
        parts.append(msg if msg.startswith(name) else f"{name}: {msg}")
    return "invalid settings: " + "; ".join(parts)


def load_settings(cls: type[S]) -> S:
    """Read settings from the environment, or stop the process with one line naming the bad variable."""
    try:
        return cls()
    except ValidationError as exc:
        print(_one_line(exc), file=sys.stderr)  # noqa: T201 - the operator's only clue, before logging exists
        raise SystemExit(2) from None
