"""Settings of the auth service, read from the environment (and ``.env``)."""

from __future__ import annotations

import ipaddress
import os

from limits import parse
from pydantic import Field, field_validator

from auth.origin_check import origin_of
from todo_shared.settings import BaseServiceSettings, CommaSeparated, DenylistSettings
from todo_shared.settings import DatabaseSettings as BaseDatabaseSettings

__all__ = ["AdminSettings", "DatabaseSettings", "Settings"]

SMTP_SCHEMES = ("smtp", "smtp+starttls", "smtps")

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def _cores() -> int:
    # The CPUs this process may run on, which can be fewer than the machine has (containers, taskset).
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _origin(url: str) -> str:
    origin = origin_of(url)
    if origin is None:
        raise ValueError(f"{url!r} is not an http(s) URL")
    return origin


class DatabaseSettings(BaseDatabaseSettings):
    """The auth database, all a migration needs."""

    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/auth"


class AdminSettings(DenylistSettings, DatabaseSettings):
    """What the ``todo-auth`` admin command needs: the database and the denylist, no signing secret."""


class Settings(BaseServiceSettings, DatabaseSettings):
    """Everything the auth service reads from its environment."""

    # Where ``python -m auth`` listens; the images listen on every interface.
    auth_host: str = "127.0.0.1"
    auth_port: int = Field(default=8001, ge=1, le=65_535)
    # Writes and account routes go through SQLAlchemy's pool; get-session and /token read through a plain asyncpg
    # pool of their own (one statement, one round trip). Fixed sizes: overflow connections opened and closed
    # under a burst cost a TLS attempt and a backend start each, and were the 64-connection tail.
    db_pool_size: int = Field(default=10, ge=1)
    db_max_overflow: int = Field(default=0, ge=0)
    db_read_pool_size: int = Field(default=10, ge=1)
    # How long a request waits for a pooled connection before it answers 503.
    db_pool_timeout_seconds: float = Field(default=5.0, gt=0)
    # Bounds on every database wait: a hung or unreachable PostgreSQL becomes a 503, never a hang.
    db_connect_timeout_seconds: float = Field(default=5.0, gt=0)
    db_command_timeout_seconds: float = Field(default=10.0, gt=0)
    # How often the denylist is checked for loss and re-synced from PostgreSQL (see denylist_sync).
    denylist_sync_interval_seconds: float = Field(default=1.0, gt=0)
    refresh_token_ttl_seconds: int = Field(default=30 * 86_400, ge=60)
    # `limits` notation. Failures count per email + client IP; the per-IP limit counts every sign-in and sign-up.
    login_failure_limit: str = "10 per 15 minutes"
    login_ip_limit: str = "600 per minute"
    # Peers whose X-Forwarded-For is believed (the gateway); addresses or CIDR blocks, comma-separated.
    trusted_proxies: CommaSeparated[IPNetwork] = Field(
        default_factory=lambda: [ipaddress.ip_network("127.0.0.1/32"), ipaddress.ip_network("::1/128")]
    )
    # Argon2id cost: OWASP's first choice, m=46 MiB, t=1, p=1 (why, and the figures, in passwords.py).
    argon2_time_cost: int = Field(default=1, ge=1)
    argon2_memory_cost: int = Field(default=46 * 1024, ge=8, description="KiB")
    argon2_parallelism: int = Field(default=1, ge=1)
    # Hashes running at once; more than the cores only makes every other request wait for a CPU.
    password_hash_workers: int = Field(default_factory=_cores, ge=1)
    # Better Auth-compatible routes. Browser origins trusted on sign-in and cookie-carrying writes: the same
    # FRONTEND_ORIGINS the gateway's CORS allows.
    frontend_origins: CommaSeparated[str] = Field(default_factory=lambda: ["http://localhost:3000"])
    # Where clients reach the API (the gateway): its origin is trusted too, and https makes cookies __Secure-.
    public_base_url: str = "http://localhost:8000"
    session_ttl_seconds: int = Field(default=7 * 86_400, ge=60)
    # get-session extends a session last extended longer ago than this to a full ttl (Better Auth's updateAge).
    session_update_age_seconds: int = Field(default=86_400, ge=0)
    # delete-user without a password needs a session signed in more recently than this (Better Auth's freshAge).
    session_fresh_age_seconds: int = Field(default=86_400, ge=0)
    # The front end: relative callbackURL/redirectTo values resolve against it, and its origin is trusted.
    public_app_url: str = "http://localhost:3000"
    # Emailed tokens: single-use, stored as a digest, valid this long.
    verification_token_ttl_seconds: int = Field(default=86_400, ge=60)
    reset_token_ttl_seconds: int = Field(default=3_600, ge=60)
    # Per client IP and per address (`limits` notation): routes that send email, and routes that check a password.
    email_send_limit: str = "3 per 60 seconds"
    change_password_limit: str = "3 per 10 seconds"  # noqa: S105 - a rate, not a password
    # Mail: smtp://[user:password@]host:port (STARTTLS when offered), smtp+starttls:// (required), smtps:// (TLS).
    smtp_url: str = "smtp://127.0.0.1:1025"
    mail_from: str = "Todo <no-reply@localhost>"
    smtp_timeout_seconds: float = Field(default=10.0, gt=0)
    # The in-process mail queue: its bound (a full queue drops the email, never the request), attempts per email
    # (waiting retry_base * 2^n between them) and concurrent senders.
    mail_queue_size: int = Field(default=1_000, ge=1)
    mail_max_attempts: int = Field(default=5, ge=1)
    mail_retry_base_seconds: float = Field(default=2.0, gt=0)
    mail_workers: int = Field(default=2, ge=1)
    # The outbox relay's polling interval (it is also woken at once after each event), and the stream's
    # approximate length cap: tasks must not fall further behind than this many events.
    outbox_relay_interval_seconds: float = Field(default=1.0, gt=0)
    user_events_stream_maxlen: int = Field(default=100_000, ge=1_000)
    # The purge of dead rows: how often, and how long expired, revoked, spent, used and published rows are kept.
    housekeeping_interval_seconds: float = Field(default=3_600.0, gt=0)
    housekeeping_retention_seconds: int = Field(default=7 * 86_400, ge=0)

    @field_validator("frontend_origins")
    @classmethod
    def _origins(cls, value: list[str]) -> list[str]:
        return [_origin(v) for v in value]

    @field_validator("public_base_url", "public_app_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        _origin(value)
        return value.rstrip("/")

    @field_validator("smtp_url")
    @classmethod
    def _smtp_url(cls, value: str) -> str:
        scheme = value.partition("://")[0].lower()
        if scheme not in SMTP_SCHEMES:
            raise ValueError(f"must start with one of {', '.join(s + '://' for s in SMTP_SCHEMES)}")
        return value

    @property
    def trusted_origins(self) -> frozenset[str]:
        """Origins a Better Auth write may come from: the front ends', the app's and the public base URL's."""
        return frozenset([*self.frontend_origins, _origin(self.public_app_url), _origin(self.public_base_url)])

    @property
    def secure_cookies(self) -> bool:
        """Whether clients reach us over https, so cookies get ``Secure`` and the ``__Secure-`` prefix."""
        return self.public_base_url.lower().startswith("https://")

    @field_validator("login_failure_limit", "login_ip_limit", "email_send_limit", "change_password_limit")
    @classmethod
    def _valid_limit(cls, value: str) -> str:
        parse(value)
        return value
