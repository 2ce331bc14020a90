"""Settings of the auth service, read from the environment (and ``.env``)."""

from __future__ import annotations

import ipaddress
import os
from typing import Annotated

import argon2
from limits import parse
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from todo_shared.settings import BaseServiceSettings

__all__ = ["DatabaseSettings", "Settings"]

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def _cores() -> int:
    # The CPUs this process may run on, which can be fewer than the machine has (containers, taskset).
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


class DatabaseSettings(BaseSettings):
    """Only what a migration needs, so ``alembic upgrade`` runs without the JWT secret."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/auth"

    @field_validator("database_url")
    @classmethod
    def _asyncpg_driver(cls, value: str) -> str:
        # Compose files and PaaS add-ons hand out plain postgres:// URLs; the service needs the asyncpg driver.
        for prefix in ("postgres://", "postgresql://"):
            if value.startswith(prefix):
                return "postgresql+asyncpg://" + value.removeprefix(prefix)
        return value


class Settings(BaseServiceSettings, DatabaseSettings):
    """Everything the auth service reads from its environment."""

    db_pool_size: int = Field(default=10, ge=1)
    db_max_overflow: int = Field(default=10, ge=0)
    refresh_token_ttl_seconds: int = Field(default=30 * 86_400, ge=60)
    # `limits` notation. Failures count per email + client IP; the per-IP limit counts every sign-in and sign-up.
    login_failure_limit: str = "10 per 15 minutes"
    login_ip_limit: str = "600 per minute"
    # Peers whose X-Forwarded-For is believed (the gateway); addresses or CIDR blocks, comma-separated.
    trusted_proxies: Annotated[list[IPNetwork], NoDecode] = Field(
        default_factory=lambda: [ipaddress.ip_network("127.0.0.1/32"), ipaddress.ip_network("::1/128")]
    )
    # Argon2id cost; the defaults are argon2-cffi's (RFC 9106 low-memory profile): t=3, 64 MiB, p=4.
    argon2_time_cost: int = Field(default=argon2.DEFAULT_TIME_COST, ge=1)
    argon2_memory_cost: int = Field(default=argon2.DEFAULT_MEMORY_COST, ge=8, description="KiB")
    argon2_parallelism: int = Field(default=argon2.DEFAULT_PARALLELISM, ge=1)
    # Hashes running at once; more than the cores only makes every other request wait for a CPU.
    password_hash_workers: int = Field(default_factory=_cores, ge=1)

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _split_proxies(cls, value: object) -> object:
        if isinstance(value, str):
            return [s.strip() for s in value.split(",") if s.strip()]
        return value

    @field_validator("login_failure_limit", "login_ip_limit")
    @classmethod
    def _valid_limit(cls, value: str) -> str:
        parse(value)
        return value
