"""docker-compose.yml and .env.example, checked without a Docker engine: the compose schema plus our rules.

``compose-spec.schema.json`` beside this file is the Compose Specification's JSON schema (draft-07), as
shipped in the npm package ``dclint`` 3.1.0 (``schemas/compose.schema.json``); the spec is Apache-2.0.
"""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
SCHEMA = Path(__file__).with_name("compose-spec.schema.json")

APPS = {"auth": 8001, "tasks": 8002, "gateway": 8000}
# The services' Prometheus listeners (METRICS_PORT in their images): reachable on the network, never published.
METRICS = {"auth": 9101, "tasks": 9102}
MIGRATIONS = {"migrate-auth": "auth", "migrate-tasks": "tasks"}
LONG_RUNNING = {"postgres", "redis", "maildev", "frontend", *APPS}
# Host ports are for the gateway (the API), the front end, and MailDev's inbox (on the host's loopback only).
MAY_PUBLISH = {"gateway": "8000", "frontend": "3000", "maildev": "1080"}
FRONTEND_ORIGIN = "http://localhost:3000"
# ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error}, ${VAR:+alt}, ${VAR+alt}; $$ is a literal $.
INTERPOLATION = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data = yaml.safe_load(COMPOSE.read_text())
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    result: dict[str, dict[str, Any]] = compose["services"]
    return result


def test_matches_the_compose_schema(compose: dict[str, Any]) -> None:
    schema = json.loads(SCHEMA.read_text())
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(compose), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


def test_every_interpolation_is_well_formed() -> None:
    text = COMPOSE.read_text().replace("$$", "")
    dollars = text.count("$")
    assert dollars == len(INTERPOLATION.findall(text)), "a $ that compose would not interpolate as intended"


def test_has_every_part_of_the_system(services: dict[str, dict[str, Any]]) -> None:
    assert {"postgres", "redis", "maildev", "frontend", *MIGRATIONS, *APPS} <= set(services)


def test_long_running_services_have_health_checks(services: dict[str, dict[str, Any]]) -> None:
    for name in LONG_RUNNING:
        check = services[name].get("healthcheck")
        assert check and not check.get("disable") and check.get("test"), f"{name} has no health check"
        test = check["test"]
        assert "curl" not in json.dumps(test) and "wget" not in json.dumps(test), f"{name}: slim images lack curl"


def test_migrations_are_one_shot_alembic_jobs(services: dict[str, dict[str, Any]]) -> None:
    for job, app in MIGRATIONS.items():
        service = services[job]
        assert service["command"] == ["alembic", "upgrade", "head"]
        assert service.get("restart", "no") == "no"
        assert service["build"] == services[app]["build"], f"{job} must run the {app} image"
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert service["environment"]["DATABASE_URL"].endswith(f"@postgres:5432/{app}")


def test_start_order_waits_on_health_and_migrations(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        for target, rule in service.get("depends_on", {}).items():
            assert isinstance(rule, dict), f"{name} -> {target}: use the long form with a condition"
            wanted = "service_completed_successfully" if target in MIGRATIONS else "service_healthy"
            assert rule["condition"] == wanted, f"{name} -> {target}"
    for job, app in MIGRATIONS.items():
        assert {job, "postgres", "redis"} <= set(services[app]["depends_on"]), app
    assert {"auth", "tasks"} <= set(services["gateway"]["depends_on"])
    assert set(services["frontend"]["depends_on"]) == {"gateway"}


def test_only_the_gateway_the_front_end_and_the_inbox_publish_ports(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        ports = service.get("ports", [])
        if name not in MAY_PUBLISH:
            assert not ports, f"{name} publishes {ports}"
            continue
        for port in ports:
            assert str(port).rsplit(":", 1)[-1] == MAY_PUBLISH[name], f"{name} publishes {port}"
    assert services["gateway"]["ports"]
    assert services["frontend"]["ports"] == ["3000:3000"]
    assert services["maildev"]["ports"] == ["127.0.0.1:1080:1080"]


def test_auth_and_tasks_share_the_event_stream_and_auth_mails_through_maildev(
    services: dict[str, dict[str, Any]],
) -> None:
    auth, tasks = services["auth"]["environment"], services["tasks"]["environment"]
    assert auth["USER_EVENTS_STREAM"] == tasks["USER_EVENTS_STREAM"]
    assert auth["SMTP_URL"] == "${SMTP_URL:-smtp://maildev:1025}"
    assert services["auth"]["depends_on"]["maildev"]["condition"] == "service_healthy"


def test_the_services_expose_their_metrics_port_to_the_network_only(services: dict[str, dict[str, Any]]) -> None:
    for name, port in METRICS.items():
        assert [str(p) for p in services[name]["expose"]] == [str(APPS[name]), str(port)], name
        assert not services[name].get("ports"), f"{name} must not publish /metrics"


def test_the_front_end_calls_the_gateway_under_its_own_host_name(services: dict[str, dict[str, Any]]) -> None:
    """The API URL is inlined at build time, on localhost like the page (or the session cookie is dropped)."""
    frontend = services["frontend"]
    assert frontend["build"]["context"] in {"frontend", "./frontend"}
    api_url = frontend["build"]["args"]["NEXT_PUBLIC_API_URL"]
    assert api_url == "http://localhost:${GATEWAY_PORT:-8000}", api_url
    assert "${GATEWAY_PORT:-8000}:8000" in services["gateway"]["ports"]
    for name in ("gateway", "auth"):
        origins = services[name]["environment"]["FRONTEND_ORIGINS"]
        match = INTERPOLATION.fullmatch(origins)
        default = match["arg"] if match else origins
        assert FRONTEND_ORIGIN in default.split(","), f"{name} must trust the front end's origin by default"
    check = json.dumps(frontend["healthcheck"]["test"])
    assert '"node"' in check and "127.0.0.1:3000" in check


def test_the_gateway_reaches_the_services_by_name(services: dict[str, dict[str, Any]]) -> None:
    env = services["gateway"]["environment"]
    assert env["AUTH_URL"] == f"http://auth:{APPS['auth']}"
    assert env["TASKS_URL"] == f"http://tasks:{APPS['tasks']}"
    for name in ("auth", "tasks"):
        assert str(APPS[name]) in json.dumps(services[name]["healthcheck"]["test"])
        assert services[name]["environment"]["REDIS_URL"] == "redis://redis:6379/0"


def test_the_gateway_keeps_its_edge_limits_and_admin_port_inside(services: dict[str, dict[str, Any]]) -> None:
    gateway = services["gateway"]
    env = gateway["environment"]
    for name, default in {
        "MAX_HEADER_BYTES": "16384",
        "HEADER_READ_TIMEOUT_SECONDS": "10",
        "MAX_CONNECTIONS": "1024",
    }.items():
        match = INTERPOLATION.fullmatch(env[name])
        assert match and match["arg"] == default, f"{name} must default to {default}"
    trusted = INTERPOLATION.fullmatch(env["GATEWAY_TRUSTED_PROXIES"])
    assert trusted and trusted["arg"] == "", "the gateway believes no proxy unless told to"
    assert gateway["expose"] == ["9000"]
    assert all("9000" not in str(port) for port in gateway["ports"]), "the admin listener is never published"
    assert "127.0.0.1:9000/healthz" in json.dumps(gateway["healthcheck"]["test"])


def test_the_secret_comes_from_the_environment_and_is_required(services: dict[str, dict[str, Any]]) -> None:
    for name in ("auth", "tasks"):
        secret = services[name]["environment"]["JWT_SECRET"]
        match = INTERPOLATION.fullmatch(secret)
        assert match and match["name"] == "JWT_SECRET" and match["op"] == ":?", f"{name}: compose must refuse to start"
    for name, service in services.items():
        build = service.get("build")
        if isinstance(build, dict):
            args = json.dumps(build.get("args", {}))
            assert not re.search(r"SECRET|PASSWORD|TOKEN", args, re.IGNORECASE), f"{name} bakes a secret into its image"


def test_postgres_creates_both_databases_on_first_start(services: dict[str, dict[str, Any]]) -> None:
    mounts = [str(v) for v in services["postgres"]["volumes"] if "docker-entrypoint-initdb.d" in str(v)]
    assert mounts
    script = ROOT / mounts[0].split(":", 1)[0]
    sql = script.read_text()
    assert "CREATE DATABASE auth;" in sql and "CREATE DATABASE tasks;" in sql


def test_every_build_points_at_an_existing_dockerfile(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        if build := service.get("build"):
            assert (ROOT / build["context"] / build["dockerfile"]).is_file(), name


def _documented() -> set[str]:
    names = set()
    for line in ENV_EXAMPLE.read_text().splitlines():
        if match := re.match(r"#?\s*([A-Z][A-Z0-9_]*)=", line):
            names.add(match[1])
    return names


def test_env_example_documents_every_variable_compose_reads() -> None:
    used = {m["name"] for m in INTERPOLATION.finditer(COMPOSE.read_text())}
    assert used - _documented() == set()


@pytest.mark.parametrize("module", ["gateway.config", "auth.config", "tasks.config"])
def test_env_example_documents_every_setting(module: str) -> None:
    settings = importlib.import_module(module).Settings
    assert {name.upper() for name in settings.model_fields} - _documented() == set()


def test_env_example_holds_no_secret() -> None:
    values = dict(line.split("=", 1) for line in ENV_EXAMPLE.read_text().splitlines() if re.match(r"[A-Z_]+=", line))
    assert values["JWT_SECRET"] == ""
    assert values["POSTGRES_PASSWORD"] == ""


def test_redis_persists_its_append_only_file_on_a_volume(compose: dict[str, Any]) -> None:
    redis = compose["services"]["redis"]
    command = redis["command"]
    assert command[command.index("--appendonly") + 1] == "yes"
    assert command[command.index("--appendfsync") + 1] == "everysec"
    data_dir = command[command.index("--dir") + 1]
    assert any(volume.endswith(f":{data_dir}") for volume in redis["volumes"])
    assert "redis-data" in compose["volumes"]
