"""Gateway settings: where it listens, where the upstreams are, what it bounds, and whom it believes."""

from __future__ import annotations

import ipaddress
from typing import Annotated

from pydantic import AnyHttpUrl, Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from todo_shared.settings import CommaSeparated

__all__ = ["IPNetwork", "Settings"]

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class Settings(BaseSettings):
    """Everything the gateway reads from the environment (or ``.env``).

    The gateway holds no secret and checks no token, so unlike the services it does not extend
    ``todo_shared.settings.BaseServiceSettings`` (which requires ``JWT_SECRET``).
    """

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    log_level: str = "INFO"
    # The public listener (the API) and the admin one (/metrics and the probes), loopback unless told otherwise.
    gateway_host: str = "127.0.0.1"
    gateway_port: int = Field(default=8000, ge=1, le=65535)
    gateway_admin_host: str = "127.0.0.1"
    gateway_admin_port: int = Field(default=9000, ge=1, le=65535)
    # One base URL per replica, comma-separated: the gateway spreads each service's requests over them.
    auth_url: CommaSeparated[AnyHttpUrl] = Field(
        default_factory=lambda: [AnyHttpUrl("http://127.0.0.1:8001")], min_length=1
    )
    tasks_url: CommaSeparated[AnyHttpUrl] = Field(
        default_factory=lambda: [AnyHttpUrl("http://127.0.0.1:8002")], min_length=1
    )
    upstream_connect_timeout_seconds: float = Field(default=2.0, gt=0)
    upstream_read_timeout_seconds: float = Field(default=30.0, gt=0)
    upstream_pool_timeout_seconds: float = Field(default=5.0, gt=0)
    upstream_pool_size: int = Field(default=256, ge=1)
    # Below the services' keep-alive (their 10 s header-read timeout) so the gateway drops an idle connection
    # before the upstream does; a POST on a connection the upstream just closed would be a 502 (never retried).
    upstream_keepalive_seconds: float = Field(default=4.0, gt=0)
    max_body_bytes: int = Field(default=1024 * 1024, ge=0)
    # Request line + headers; more is 431 from the server before the rest is read (its floor is 8 KiB).
    max_header_bytes: int = Field(default=16 * 1024, ge=8 * 1024)
    # A client must finish its headers within this, and an idle keep-alive connection closes after it.
    header_read_timeout_seconds: float = Field(default=10.0, gt=0, le=60)
    # Open client connections; more wait in the listen backlog until one closes.
    max_connections: int = Field(default=1024, ge=1)
    # Proxies in front of the gateway whose X-Forwarded-For/-Proto/-Host it believes; empty: none. Not auth's
    # TRUSTED_PROXIES (which names the gateway), though make dev's processes read the same .env.
    gateway_trusted_proxies: Annotated[list[IPNetwork], NoDecode] = Field(default_factory=list)
    frontend_origins: Annotated[list[str], NoDecode] = Field(default_factory=lambda: ["http://localhost:3000"])
    ready_timeout_seconds: float = Field(default=2.0, gt=0)

    @field_validator("frontend_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [s.strip().rstrip("/") for s in value.split(",") if s.strip()]
        return value

    @field_validator("gateway_trusted_proxies", mode="before")
    @classmethod
    def _split_proxies(cls, value: object) -> object:
        if isinstance(value, str):
            return [s.strip() for s in value.split(",") if s.strip()]
        return value

    def upstreams(self) -> dict[str, list[str]]:
        """Name each upstream's replica base URLs, without a trailing slash."""
        return {
            "auth": [str(url).rstrip("/") for url in self.auth_url],
            "tasks": [str(url).rstrip("/") for url in self.tasks_url],
        }
