"""The cross-service suite's core on the scaled-out topology: two auth and two tasks replicas behind the gateway,
a 6-node Redis Cluster (3 primaries, 3 replicas) and PgBouncer in transaction mode in front of both databases.

The tests imported below are the suite's own, collected again here: this module's ``system`` fixture replaces
the session's for them, so each runs unchanged against this topology.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest
import redis

from tests.conftest import SERVICES, Launcher, SignUp, System, migrate, services_exist
from tests.integration.test_account_lifecycle import (  # noqa: F401 - collected again, on this topology
    devices,
    test_delete_user_deletes_the_users_tasks_in_the_tasks_database,
    test_sessions_are_listed_and_revoked_through_the_gateway,
)
from tests.integration.test_edge import (  # noqa: F401
    test_forged_forwarding_headers_do_not_escape_the_failed_login_limit,
)
from tests.integration.test_through_the_gateway import (  # noqa: F401
    test_better_auths_cookie_session_works_through_the_gateway,
    test_login_is_200,
    test_logout_makes_the_same_token_401_at_tasks,
    test_readyz_sees_both_services,
    test_refresh_rotates_and_a_reused_token_revokes_the_session,
    test_signup_is_201_with_an_access_token,
    test_the_front_ends_task_flow,
)

if TYPE_CHECKING:
    from conftest import PgBouncerProcess, RedisClusterProcess

pytestmark = pytest.mark.integration

REPLICAS = 2


def scaled_out(
    launcher: Launcher, bounced: dict[str, str], *, replicas: int = REPLICAS, **env: str
) -> tuple[list[str], list[str]]:
    """Start ``replicas`` auth and tasks processes on the databases behind PgBouncer; return their URLs."""
    auths = [launcher.auth(DATABASE_URL=bounced["auth"], **env).url for _ in range(replicas)]
    tasks = [launcher.tasks(DATABASE_URL=bounced["tasks"], **env).url for _ in range(replicas)]
    return auths, tasks


@pytest.fixture(scope="module")
def scale_databases(
    create_database: Callable[[str], str], pgbouncer: PgBouncerProcess
) -> tuple[dict[str, str], dict[str, str]]:
    """Each service's database, directly and through PgBouncer, migrated through PgBouncer."""
    if not services_exist():
        pytest.skip("the auth and tasks services are not built yet")
    direct = {name: create_database(name) for name in SERVICES}
    bounced = {name: pgbouncer.database_url(url) for name, url in direct.items()}
    for name, url in bounced.items():
        migrate(name, url, DB_STATEMENT_CACHE="false")
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


@pytest.fixture(scope="module")
def system(
    scale_databases: tuple[dict[str, str], dict[str, str]],
    redis_cluster: RedisClusterProcess,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[System]:
    """The scaled-out system, in place of the session's one-of-each for the tests of this module."""
    direct, bounced = scale_databases
    launcher = scale_launcher(tmp_path_factory.mktemp("scale"), redis_cluster.url, direct)
    try:
        auths, tasks = scaled_out(launcher, bounced)
        gateway = launcher.gateway(auths[0], tasks[0])
        servers = {s.url: s for s in launcher.started}
        yield System(auth=servers[auths[0]], tasks=servers[tasks[0]], gateway=gateway, launcher=launcher, maildev=None)
    finally:
        launcher.stop_all()


def test_logout_all_ends_every_session_of_the_user(gateway: httpx.Client, sign_up: SignUp) -> None:
    account = sign_up()
    other = gateway.post("/api/auth/login", json={"email": account.email, "password": "correct horse battery staple"})
    other_headers = {"Authorization": f"Bearer {other.json()['access_token']}"}
    tasks = f"/api/{account.user_id}/tasks"
    assert gateway.get(tasks, headers=other_headers).status_code == 200

    assert gateway.post("/api/auth/logout-all", headers=account.headers).status_code == 200
    assert gateway.get(tasks, headers=account.headers).status_code == 401
    assert gateway.get(tasks, headers=other_headers).status_code == 401


@pytest.mark.usefixtures("system")
def test_the_system_state_is_spread_over_every_shard(redis_cluster: RedisClusterProcess) -> None:
    # Users hash to every primary: their revocations, the ready marks and the rate limits live on all three.
    for primary in redis_cluster.shards():
        with redis.Redis(port=primary, decode_responses=True) as node:
            assert node.dbsize() > 0
            assert any(key.endswith(":ready") for key in node.scan_iter("denylist:*", count=1000))
