"""The scaled-out topology's parts, for the tests that run on it: databases behind PgBouncer, services on a
Redis Cluster, several replicas of each."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.conftest import SERVICES, Launcher, Server, migrate, services_exist

if TYPE_CHECKING:
    from conftest import PgBouncerProcess

__all__ = ["REPLICAS", "scale_databases", "scale_launcher", "scaled_out"]

REPLICAS = 2


def scaled_out(
    launcher: Launcher, bounced: dict[str, str], *, replicas: int = REPLICAS, **env: str
) -> tuple[list[Server], list[Server]]:
    """Start ``replicas`` auth and tasks processes on the databases behind PgBouncer."""
    # Started side by side: each takes seconds to import and answer, most of it waiting.
    with ThreadPoolExecutor(max_workers=2 * replicas) as pool:
        auths = [pool.submit(launcher.auth, DATABASE_URL=bounced["auth"], **env) for _ in range(replicas)]
        tasks = [pool.submit(launcher.tasks, DATABASE_URL=bounced["tasks"], **env) for _ in range(replicas)]
        return [f.result() for f in auths], [f.result() for f in tasks]


@pytest.fixture(scope="session")
def scale_databases(
    create_database: Callable[[str], str], pgbouncer: PgBouncerProcess
) -> tuple[dict[str, str], dict[str, str]]:
    """Each service's database, directly and through PgBouncer, migrated through PgBouncer."""
    if not services_exist():
        pytest.skip("the auth and tasks services are not built yet")
    direct = {name: create_database(name) for name in SERVICES}
    bounced = {name: pgbouncer.database_url(url) for name, url in direct.items()}
    with ThreadPoolExecutor(max_workers=len(bounced)) as pool:
        for done in [pool.submit(migrate, name, url, DB_STATEMENT_CACHE="false") for name, url in bounced.items()]:
            done.result()
    return direct, bounced


def scale_launcher(workdir: Path, cluster_url: str, direct: dict[str, str]) -> Launcher:
    """A launcher whose services all run on the cluster, with their statement caches off for PgBouncer."""
    launcher = Launcher(workdir, cluster_url, direct)
    launcher.service_env.update(
        DB_STATEMENT_CACHE="false",
        USER_EVENTS_STREAM=f"test:{uuid.uuid4().hex}:user-events",
        USER_EVENTS_POLL_SECONDS="0.1",
        EMAIL_SEND_LIMIT="1000 per minute",
        CHANGE_PASSWORD_LIMIT="1000 per minute",
        SMTP_URL="smtp://127.0.0.1:1",  # no mail server: sending fails in the background only
    )
    return launcher
