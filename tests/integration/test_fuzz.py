"""schemathesis against the OpenAPI of auth and of tasks, on real service processes, PostgreSQL and Redis.

Every check runs (``--checks all``): no server error, every status documented, every body and header valid
against the schema, content types right, bad input refused and good input accepted. The settings (seed,
examples per operation, the statuses a valid request may still get) are in ``schemathesis.toml`` beside
this file. Each service gets a Redis of the test's own, so the fuzzer's sign-ins cannot rate-limit the
rest of the session, which shares 127.0.0.1 as its client address.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from todo_shared.http_metrics import UNMATCHED

if TYPE_CHECKING:
    from conftest import RedisProcess
    from tests.conftest import Launcher, Server

pytestmark = pytest.mark.integration

CONFIG = Path(__file__).with_name("schemathesis.toml")
SCHEMATHESIS = Path(sys.executable).with_name("st")


def _sign_up(auth: Server) -> dict[str, str]:
    """Sign a user up; return what ``schemathesis.toml`` reads from the environment."""
    credentials = {"email": f"fuzz-{uuid.uuid4().hex[:12]}@example.com", "password": "correct horse battery staple"}
    response = httpx.post(f"{auth.url}/api/auth/signup", json=credentials, timeout=10)
    assert response.status_code == 201, response.text
    body = response.json()
    return {
        "FUZZ_EMAIL": credentials["email"],
        "FUZZ_PASSWORD": credentials["password"],
        "FUZZ_ACCESS_TOKEN": body["access_token"],
        "FUZZ_USER_ID": body["user"]["id"],
    }


def _wait_until_ready(service: Server) -> None:
    """Fuzz a service that says it is ready: a 503 before that would be the test's doing, not the service's."""
    deadline = time.monotonic() + 30
    while httpx.get(f"{service.url}/readyz", timeout=5).status_code != 200:
        assert time.monotonic() < deadline, f"{service.name} never became ready"
        time.sleep(0.2)


def _fuzz(service: Server, auth: Server, workdir: Path) -> None:
    _wait_until_ready(service)
    env = {**os.environ, **_sign_up(auth)}
    argv = [str(SCHEMATHESIS), "--config-file", str(CONFIG), "run", f"{service.url}/openapi.json", "--checks", "all"]
    done = subprocess.run(argv, env=env, cwd=workdir, capture_output=True, text=True, timeout=300)
    output = done.stdout + done.stderr
    assert done.returncode == 0, f"schemathesis found failures in {service.name}:\n{output[-12_000:]}"
    _assert_counted_by_template(service)


# Operations schemathesis.toml turns off (see the reasons there): the fuzzer never calls them.
NOT_FUZZED = {"/api/auth/delete-user"}


def _assert_counted_by_template(service: Server) -> None:
    """Every operation the fuzzer called is counted under its OpenAPI path, and nothing under a raw path.

    The route label is the matched route's own path, so a router included under a prefix would lose the prefix
    here; this catches that as well as a raw path leaking into the label.
    """
    assert service.metrics_url is not None
    documented = set(httpx.get(f"{service.url}/openapi.json", timeout=10).json()["paths"])
    counted = {
        sample.labels["route"]
        for family in text_string_to_metric_families(httpx.get(service.metrics_url, timeout=10).text)
        for sample in family.samples
        if sample.name == "todo_http_requests_total"
    }
    assert documented - NOT_FUZZED <= counted, documented - NOT_FUZZED - counted
    assert counted <= documented | {UNMATCHED, "/openapi.json"}, counted - documented


@pytest.fixture
def auth(launcher: Launcher, own_redis: RedisProcess) -> Server:
    return launcher.auth(REDIS_URL=own_redis.url)


def test_auth_answers_as_its_openapi_says_under_fuzzing(auth: Server, tmp_path: Path) -> None:
    _fuzz(auth, auth, tmp_path)


def test_tasks_answers_as_its_openapi_says_under_fuzzing(
    auth: Server, launcher: Launcher, own_redis: RedisProcess, tmp_path: Path
) -> None:
    _fuzz(launcher.tasks(REDIS_URL=own_redis.url), auth, tmp_path)
