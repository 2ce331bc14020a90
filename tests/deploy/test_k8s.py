"""The Kubernetes manifests (deploy/k8s/), checked offline: schemas, our own rules, and a policy scan.

Every document is validated against the Kubernetes OpenAPI schemas that ``kubernetes-validate`` ships (strict:
an unknown field is an error) for the oldest and newest versions we claim. Our rules catch what a schema cannot:
a setting the service does not read (a typo deploys silently), a secret inlined, a component without its probes,
Service, PodDisruptionBudget, autoscaler or network policy, a port that is not the image's. checkov scans the
directory in a pinned, isolated tool environment (its pinned dependencies would downgrade the workspace's lock);
every check it skips carries its reason in an inline ``checkov.io/skip`` annotation.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from auth.config import Settings as AuthSettings
from gateway.config import Settings as GatewaySettings
from tasks.config import Settings as TasksSettings

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy/k8s"
MANIFESTS = sorted(K8S.glob("*.yaml"))
ON_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
# The oldest Kubernetes we claim (native preStop sleep, stable since 1.30, and autoscaling/v2) and the newest.
KUBERNETES_VERSIONS = ["1.33.0", "1.37.0"]
CHECKOV = "checkov==3.3.30"
NAMESPACE = "todo"
SECRET_SETTINGS = {"DATABASE_URL", "REDIS_URL", "JWT_SECRET", "JWT_PREVIOUS_SECRETS", "SMTP_URL"}


def _documents(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


DOCUMENTS = [(path, doc) for path in MANIFESTS for doc in _documents(path)]


def _of_kind(kind: str) -> list[dict[str, Any]]:
    return [doc for _, doc in DOCUMENTS if doc["kind"] == kind]


def _name(doc: dict[str, Any]) -> str:
    return str(doc["metadata"]["name"])


def _containers(workload: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield from workload["spec"]["template"]["spec"]["containers"]


def _settings(model: type[Any]) -> set[str]:
    return {name.upper() for name in model.model_fields}


# What each image's process reads from its environment: its settings, and the runtime's own variables.
READS = {
    "auth": _settings(AuthSettings) | {"PYTHONDONTWRITEBYTECODE"},
    "tasks": _settings(TasksSettings) | {"PYTHONDONTWRITEBYTECODE"},
    "gateway": _settings(GatewaySettings),
    "frontend": {"NODE_ENV", "NEXT_TELEMETRY_DISABLED", "HOSTNAME", "PORT"},
}
# The ports each image listens on (its Dockerfile's EXPOSE), by port name.
PORTS = {
    "auth": {"http": 8001, "metrics": 9101},
    "tasks": {"http": 8002, "metrics": 9102},
    "gateway": {"http": 8000, "admin": 9000},
    "frontend": {"http": 3000},
}
DEPLOYMENTS = sorted(PORTS)


def test_there_is_a_manifest_per_component() -> None:
    expected = {f"{name}.yaml" for name in DEPLOYMENTS} | {"migrate-auth.yaml", "migrate-tasks.yaml"}
    expected |= {"namespace.yaml", "networkpolicies.yaml", "ingress.yaml"}
    assert {path.name for path in MANIFESTS} == expected


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize(
    "doc", [d for _, d in DOCUMENTS], ids=[f"{p.name}:{d['kind']}/{_name(d)}" for p, d in DOCUMENTS]
)
def test_every_manifest_is_valid_against_the_kubernetes_schemas(doc: dict[str, Any], version: str) -> None:
    kubernetes_validate.validate(doc, version, strict=True)


def test_every_object_names_its_namespace() -> None:
    for path, doc in DOCUMENTS:
        if doc["kind"] != "Namespace":
            assert doc["metadata"].get("namespace") in {NAMESPACE, "todo-data"}, f"{path.name}: {_name(doc)}"


def test_the_deployments_are_the_four_components() -> None:
    assert sorted(_name(d) for d in _of_kind("Deployment")) == DEPLOYMENTS


@pytest.mark.parametrize("name", DEPLOYMENTS)
def test_a_deployment_has_its_probes_service_budget_autoscaler_and_policy(name: str) -> None:
    (deployment,) = [d for d in _of_kind("Deployment") if _name(d) == name]
    labels = deployment["spec"]["selector"]["matchLabels"]
    (container,) = _containers(deployment)
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        assert "httpGet" in container[probe], f"{name}: {probe}"
    if name != "frontend":  # the front end has no health routes; its probes load /login
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert [s for s in _of_kind("Service") if s["spec"]["selector"] == labels]
    assert [p for p in _of_kind("PodDisruptionBudget") if p["spec"]["selector"]["matchLabels"] == labels]
    (hpa,) = [h for h in _of_kind("HorizontalPodAutoscaler") if h["spec"]["scaleTargetRef"]["name"] == name]
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["minReplicas"] >= 2  # the budget's minAvailable: 1 needs a second pod to evict one
    policies = [p for p in _of_kind("NetworkPolicy") if p["spec"]["podSelector"].get("matchLabels") == labels]
    assert policies, f"{name} has no network policy of its own"


@pytest.mark.parametrize("name", DEPLOYMENTS)
def test_the_container_ports_are_the_images(name: str) -> None:
    (deployment,) = [d for d in _of_kind("Deployment") if _name(d) == name]
    (container,) = _containers(deployment)
    assert {p["name"]: p["containerPort"] for p in container["ports"]} == PORTS[name]
    (service,) = [s for s in _of_kind("Service") if _name(s) == name]
    assert {p["targetPort"] for p in service["spec"]["ports"]} <= set(PORTS[name])


def _workloads() -> list[tuple[str, dict[str, Any]]]:
    """Every pod template, with the image it runs (auth, tasks, gateway, frontend)."""
    found = []
    for doc in _of_kind("Deployment") + _of_kind("Job"):
        for container in _containers(doc):
            image = container["image"].rsplit("/", 1)[1].split(":")[0].split("@")[0]
            found.append((image, container))
    return found


@pytest.mark.parametrize(("image", "container"), _workloads(), ids=[f"{i}:{c['name']}" for i, c in _workloads()])
def test_every_variable_set_is_one_the_image_reads(image: str, container: dict[str, Any]) -> None:
    names = {var["name"] for var in container.get("env", [])}
    assert names <= READS[image], f"{image} reads no {sorted(names - READS[image])}"


@pytest.mark.parametrize(("image", "container"), _workloads(), ids=[f"{i}:{c['name']}" for i, c in _workloads()])
def test_secrets_are_referenced_never_inlined(image: str, container: dict[str, Any]) -> None:
    for var in container.get("env", []):
        if var["name"] in SECRET_SETTINGS:
            assert "value" not in var, f"{image}: {var['name']} is inlined"
            assert "secretKeyRef" in var["valueFrom"], f"{image}: {var['name']} is not from a Secret"
    assert not _of_kind("Secret"), "no Secret object ships here: each deployment creates its own"


def test_the_ingress_sends_the_api_to_the_gateway_and_the_rest_to_the_front_end() -> None:
    (ingress,) = _of_kind("Ingress")
    (rule,) = ingress["spec"]["rules"]
    paths = {p["path"]: p["backend"]["service"]["name"] for p in rule["http"]["paths"]}
    assert paths == {"/api": "gateway", "/": "frontend"}
    assert ingress["spec"]["tls"][0]["hosts"] == [rule["host"]]


def test_only_the_gateway_and_the_front_end_admit_the_ingress_controller() -> None:
    admitting = set()
    for policy in _of_kind("NetworkPolicy"):
        for rule in policy["spec"].get("ingress", []):
            for peer in rule.get("from", []):
                selector = peer.get("namespaceSelector", {}).get("matchLabels", {})
                if selector.get("kubernetes.io/metadata.name") == "ingress-nginx":
                    admitting.add(policy["spec"]["podSelector"]["matchLabels"]["app.kubernetes.io/name"])
    assert admitting == {"gateway", "frontend"}
    (deny,) = [p for p in _of_kind("NetworkPolicy") if _name(p) == "default-deny"]
    assert deny["spec"] == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}


def test_auth_and_tasks_admit_only_the_gateway_on_their_api_ports() -> None:
    for name, port in (("auth", 8001), ("tasks", 8002)):
        (policy,) = [p for p in _of_kind("NetworkPolicy") if _name(p) == name]
        api_rules = [r for r in policy["spec"]["ingress"] if {"protocol": "TCP", "port": port} in r["ports"]]
        assert [r["from"] for r in api_rules] == [
            [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": "gateway"}}}]
        ]


# -- the policy scan --------------------------------------------------------------------------------------


def _checkov() -> dict[str, Any]:
    uv = shutil.which("uv")
    if uv is None:
        reason = "uv is not on PATH: checkov runs in a uv tool environment"
        if ON_CI:
            pytest.fail(reason)
        pytest.skip(reason)
    argv = [uv, "tool", "run", "--from", CHECKOV, "checkov", "-d", str(K8S), "--framework", "kubernetes"]
    # --skip-download: nothing fetched from the vendor's platform (guidelines, severities); the checks are local.
    argv += ["--skip-download", "--output", "json"]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=600, check=False)
    assert done.stdout, f"checkov printed nothing:\n{done.stderr[-3000:]}"
    report: dict[str, Any] = json.loads(done.stdout)
    return report


def test_the_policy_scan_fails_nothing_and_every_skip_says_why() -> None:
    report = _checkov()
    failed = [(c["check_id"], c["resource"], c["check_name"]) for c in report["results"].get("failed_checks", [])]
    assert failed == []
    assert report["summary"]["parsing_errors"] == 0
    results = report["results"]
    checked = {Path(c["file_path"]).name for kind in results.values() for c in kind}
    # It read every file with a workload or an Ingress (it has no checks for Namespaces or NetworkPolicies).
    scanned = {p.name for p, d in DOCUMENTS if d["kind"] in {"Deployment", "Job", "Service", "Ingress"}}
    assert scanned <= checked
    for check in results.get("skipped_checks", []):
        assert len(check["check_result"].get("suppress_comment", "")) > 20, check["check_id"]


def test_every_skip_annotation_names_a_check_and_a_reason() -> None:
    skip = re.compile(r"CKV2?_K8S_\d+=\S.{20,}")
    for path, doc in DOCUMENTS:
        for key, value in doc["metadata"].get("annotations", {}).items():
            if key.startswith("checkov.io/skip"):
                assert skip.fullmatch(value), f"{path.name}: {key}: {value}"
