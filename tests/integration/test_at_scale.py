"""The cross-service suite's core on the scaled-out topology: two auth and two tasks replicas behind the gateway,
a 6-node Redis Cluster (3 primaries, 3 replicas) and PgBouncer in transaction mode in front of both databases.

The tests imported below are the suite's own, collected again here: this module's ``system`` fixture replaces
the session's for them, so each runs unchanged against this topology.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import httpx
import pytest
import redis

from tests.conftest import SignUp, System
from tests.integration.conftest import scale_launcher, scaled_out
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
    from conftest import RedisClusterProcess

pytestmark = pytest.mark.integration


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
        gateway = launcher.gateway(auths, tasks)
        yield System(auth=auths[0], tasks=tasks[0], gateway=gateway, launcher=launcher, maildev=None)
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
