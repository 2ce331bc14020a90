"""The four Dockerfiles, checked without a Docker engine: parsed against our rules, and their uv steps run.

The parse checks the shape (multi-stage, pinned uv, two-step ``uv sync --frozen``, non-root, slim, python
health check, no secret). The build test replays each file's two ``uv sync`` commands in an empty directory
holding only what that step's COPY/bind mounts give it, which is what proves the layering works. The front
end's (``frontend/Dockerfile``, context ``frontend/``) is checked by its own rules at the end: ``npm ci`` from
the lock file alone, a production ``next build``, only the standalone server in a slim non-root final stage.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Image:
    dockerfile: str
    package: str
    module: str
    port: int
    metrics_port: int | None = None


IMAGES = [
    Image("services/auth/Dockerfile", "todo-auth", "auth", 8001, 9101),
    Image("services/tasks/Dockerfile", "todo-tasks", "tasks", 8002, 9102),
    Image("gateway/Dockerfile", "todo-gateway", "gateway", 8000),
]
IDS = [image.module for image in IMAGES]


@dataclass(frozen=True)
class Instruction:
    keyword: str
    args: str


def parse(path: Path) -> list[list[Instruction]]:
    """Split a Dockerfile into stages of instructions (continuations joined, comments dropped)."""
    joined = re.sub(r"\\\n", " ", path.read_text())
    stages: list[list[Instruction]] = []
    for line in joined.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        keyword, _, args = line.partition(" ")
        instruction = Instruction(keyword.upper(), args.strip())
        if instruction.keyword == "ARG" and not stages:
            continue  # a global ARG (e.g. the base image), before the first FROM
        if instruction.keyword == "FROM":
            stages.append([])
        assert stages, f"{path}: instruction before FROM"
        stages[-1].append(instruction)
    return stages


def runs(stage: list[Instruction]) -> list[str]:
    return [i.args for i in stage if i.keyword == "RUN"]


def uv_syncs(stage: list[Instruction]) -> list[list[str]]:
    """The ``uv sync`` command lines of a stage, as argv lists."""
    result = []
    for run in runs(stage):
        words = shlex.split(run)
        if "uv" in words and words[words.index("uv") + 1] == "sync":
            result.append(words[words.index("uv") :])
    return result


@pytest.fixture(params=IMAGES, ids=IDS)
def image(request: pytest.FixtureRequest) -> Image:
    result: Image = request.param
    return result


def test_is_multi_stage_with_a_pinned_uv(image: Image) -> None:
    stages = parse(ROOT / image.dockerfile)
    assert len(stages) >= 2
    build, final = stages[0], stages[-1]
    assert re.search(r"\bAS build$", build[0].args)
    copies = [i.args for i in build if i.keyword == "COPY" and "astral-sh/uv" in i.args]
    assert copies and re.search(r"--from=ghcr\.io/astral-sh/uv:\d+\.\d+\.\d+ ", copies[0]), "pin uv's version"
    assert not any("astral-sh/uv" in i.args for i in final), "uv stays in the build stage"
    assert "-slim" in final[0].args.split()[0], "a slim final image"


def test_syncs_dependencies_then_project_frozen(image: Image) -> None:
    build = parse(ROOT / image.dockerfile)[0]
    syncs = uv_syncs(build)
    assert len(syncs) == 2, "one layer for dependencies, one for the project"
    deps, project = syncs
    for argv in syncs:
        assert {"--frozen", "--no-dev"} <= set(argv)
        assert argv[argv.index("--package") + 1] == image.package
    assert "--no-install-workspace" in deps and "--no-install-workspace" not in project
    # Nothing of ours may be copied in before the dependency layer, or every code change rebuilds it.
    before_deps = build[: next(i for i, x in enumerate(build) if x.keyword == "RUN" and "uv sync" in x.args)]
    assert not [i for i in before_deps if i.keyword in {"COPY", "ADD"} and "--from=" not in i.args]


def test_runs_as_a_non_root_user_with_a_python_health_check(image: Image) -> None:
    final = parse(ROOT / image.dockerfile)[-1]
    users = [i.args for i in final if i.keyword == "USER"]
    assert users and users[-1] not in {"root", "0", "0:0"}
    checks = [i.args for i in final if i.keyword == "HEALTHCHECK"]
    assert checks and "python" in checks[0] and "/healthz" in checks[0]
    assert "curl" not in checks[0] and "wget" not in checks[0]
    assert not any("apt-get install" in run for run in runs(final)), "keep the final image slim"


def _cmd(image: Image) -> list[str]:
    final = parse(ROOT / image.dockerfile)[-1]
    cmd = [i.args for i in final if i.keyword == "CMD"][-1]
    assert cmd.startswith("["), "exec form, so the server is PID 1 and gets the signals"
    result: list[str] = json.loads(cmd)
    return result


def test_serves_the_app_factory_on_its_port(image: Image) -> None:
    final = parse(ROOT / image.dockerfile)[-1]
    cmd = _cmd(image)
    env = " ".join(i.args for i in final if i.keyword == "ENV")
    # Every server and its edge limits come from settings (todo_shared.server): no flag for a launcher to forget.
    assert cmd == ["python", "-m", image.module]
    prefix = image.module.upper()
    assert f"{prefix}_PORT={image.port}" in env and f"{prefix}_HOST=0.0.0.0" in env
    if image.module == "gateway":
        assert "GATEWAY_ADMIN_PORT=9000" in env
        assert [i.args for i in final if i.keyword == "EXPOSE"] == [f"{image.port} 9000"]
        return
    ports = [str(image.port)] if image.metrics_port is None else [f"{image.port} {image.metrics_port}"]
    assert [i.args for i in final if i.keyword == "EXPOSE"] == ports


@pytest.mark.parametrize("image", [i for i in IMAGES if i.metrics_port], ids=lambda i: i.module)
def test_serves_metrics_on_a_port_of_its_own(image: Image) -> None:
    env = " ".join(i.args for i in parse(ROOT / image.dockerfile)[-1] if i.keyword == "ENV")
    # On every interface, so a scraper on the compose network reaches it; compose publishes no port for it.
    assert f"METRICS_PORT={image.metrics_port}" in env and "METRICS_HOST=0.0.0.0" in env
    assert image.metrics_port != image.port


def test_no_server_believes_forwarding_headers(image: Image) -> None:
    """The bug of issue 10 was a default: uvicorn trusts X-Forwarded-For from 127.0.0.1 unless told not to."""
    cmd = _cmd(image)
    assert "--proxy-headers" not in cmd and "--forwarded-allow-ips" not in " ".join(cmd)
    text = (ROOT / image.dockerfile).read_text()
    assert "FORWARDED_ALLOW_IPS" not in text


def test_the_procfile_runs_each_service_as_its_image_does(image: Image) -> None:
    procfile = dict(
        line.split(":", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line and not line.startswith("#")
    )
    command = procfile[image.module].split("exec ", 1)[1]
    assert shlex.split(command) == _cmd(image), "the same command as the image"
    # make dev listens on loopback only: the default host (or said again), which the images override to 0.0.0.0.
    host = f"{image.module.upper()}_HOST="
    assert host not in procfile[image.module] or f"{host}127.0.0.1 " in procfile[image.module]
    if image.module == "gateway":
        assert "GATEWAY_ADMIN_HOST=127.0.0.1" in procfile["gateway"], "the admin listener stays on loopback"


def test_bakes_no_secret(image: Image) -> None:
    text = (ROOT / image.dockerfile).read_text()
    for instruction in (i for stage in parse(ROOT / image.dockerfile) for i in stage):
        if instruction.keyword in {"ENV", "ARG"}:
            assert not re.search(r"SECRET|PASSWORD|TOKEN", instruction.args, re.IGNORECASE), instruction
    assert "JWT_SECRET=" not in text


def test_copies_only_what_exists(image: Image) -> None:
    for stage in parse(ROOT / image.dockerfile):
        for instruction in stage:
            if instruction.keyword == "COPY" and "--from=" not in instruction.args:
                *sources, _ = instruction.args.split()
                for source in sources:
                    assert (ROOT / source).exists(), f"{image.dockerfile}: COPY {source}"


def test_dockerignore_keeps_local_state_out() -> None:
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {"**/.venv", ".git", ".env"} <= ignored


def _bind_sources(run: str) -> list[str]:
    return re.findall(r"--mount=type=bind,source=([^,\s]+)", run)


@pytest.mark.skipif(shutil.which("uv") is None, reason="uv is not on PATH")
def test_uv_steps_build_a_working_environment(image: Image, tmp_path: Path) -> None:
    """Replay the build stage's uv steps with exactly the files each step would see."""
    build = parse(ROOT / image.dockerfile)[0]
    context = tmp_path / "src"
    context.mkdir()
    env = {**os.environ, "UV_PROJECT_ENVIRONMENT": str(tmp_path / "venv"), "UV_PYTHON_DOWNLOADS": "0"}
    env.pop("VIRTUAL_ENV", None)
    for instruction in build:
        if instruction.keyword == "COPY" and "--from=" not in instruction.args:
            source, target = instruction.args.split()
            shutil.copytree(ROOT / source, context / target, ignore=shutil.ignore_patterns(".venv", "__pycache__"))
        elif instruction.keyword == "RUN" and "uv sync" in instruction.args:
            bound = _bind_sources(instruction.args)
            for name in bound:
                shutil.copy(ROOT / name, context / name)
            argv = shlex.split(instruction.args[instruction.args.index("uv sync") :])
            subprocess.run(argv, cwd=context, env=env, check=True, capture_output=True)
            for name in bound:  # bind mounts leave nothing behind
                (context / name).unlink()
    python = tmp_path / "venv" / "bin" / "python"
    probe = f"import {image.module}.main as m; print(m.create_app.__module__)"
    out = subprocess.run([python, "-c", probe], capture_output=True, text=True, check=True, cwd=tmp_path).stdout
    assert out.strip() == f"{image.module}.main"
    installed = subprocess.run([python, "-c", "import pytest"], capture_output=True, cwd=tmp_path)
    assert installed.returncode != 0, "--no-dev: test tools must not reach the image"


# --- the front end ----------------------------------------------------------------------------------------
FRONTEND = ROOT / "frontend"
FRONTEND_DOCKERFILE = FRONTEND / "Dockerfile"


def _frontend_stages() -> list[list[Instruction]]:
    return parse(FRONTEND_DOCKERFILE)


def _base_image(stage: list[Instruction]) -> str:
    """The image a stage starts from, with a global ``ARG NAME=default`` substituted."""
    image = stage[0].args.split()[0]
    if match := re.fullmatch(r"\$\{?(\w+)\}?", image):
        text = re.sub(r"\\\n", " ", FRONTEND_DOCKERFILE.read_text())
        default = re.search(rf"^ARG {match[1]}=(\S+)", text, re.MULTILINE)
        assert default, f"no default for {image}"
        image = default[1]
    return image


def test_frontend_installs_from_the_lock_file_before_copying_the_source() -> None:
    stages = _frontend_stages()
    assert len(stages) >= 2, "multi-stage"
    installs = [(n, run) for n, stage in enumerate(stages) for run in runs(stage) if "npm ci" in run]
    assert installs, "npm ci, from package-lock.json, never npm install"
    stage_index, _ = installs[0]
    stage = stages[stage_index]
    first_ci = next(i for i, x in enumerate(stage) if x.keyword == "RUN" and "npm ci" in x.args)
    copied = [i.args for i in stage[:first_ci] if i.keyword in {"COPY", "ADD"} and "--from=" not in i.args]
    assert copied == ["package.json package-lock.json ./"], "only the manifests before npm ci (layer caching)"
    assert not any("npm install" in run for stage in stages for run in runs(stage))
    envs = " ".join(i.args for stage in stages for i in stage if i.keyword == "ENV")
    assert "PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1" in envs, "never download a browser into the image"


def test_frontend_builds_for_production_with_the_api_url_as_a_build_arg() -> None:
    stages = _frontend_stages()
    building = [stage for stage in stages if any("npm run build" in run for run in runs(stage))]
    assert len(building) == 1
    args = [i.args for i in building[0] if i.keyword == "ARG"]
    assert "NEXT_PUBLIC_API_URL=http://localhost:8000" in args, "Next inlines it at build time; default: the gateway"
    package = json.loads((FRONTEND / "package.json").read_text())
    assert package["scripts"]["build"] == "next build"
    assert ".next/standalone" in package["scripts"]["postbuild"], "the standalone server needs .next/static"
    assert re.search(r'output:\s*"standalone"', (FRONTEND / "next.config.ts").read_text())


def test_frontend_final_stage_is_slim_non_root_and_checks_its_health_with_node() -> None:
    stages = _frontend_stages()
    final = stages[-1]
    assert "-slim" in _base_image(final), "a slim final image"
    copies = [i.args for i in final if i.keyword in {"COPY", "ADD"}]
    assert copies and all(c.startswith("--from=build ") and ".next/standalone" in c for c in copies), copies
    users = [i.args for i in final if i.keyword == "USER"]
    assert users and users[-1] not in {"root", "0", "0:0"}
    env = " ".join(i.args for i in final if i.keyword == "ENV")
    assert "NODE_ENV=production" in env and "PORT=3000" in env and "HOSTNAME=0.0.0.0" in env
    assert [i.args for i in final if i.keyword == "EXPOSE"] == ["3000"]
    checks = [i.args for i in final if i.keyword == "HEALTHCHECK"]
    assert checks and '"node"' in checks[0] and "127.0.0.1:3000" in checks[0]
    assert "curl" not in checks[0] and "wget" not in checks[0]
    assert [i.args for i in final if i.keyword == "CMD"] == ['["node", "server.js"]']
    assert not runs(final), "nothing to install or build in the final stage"


def test_frontend_bakes_no_secret_and_copies_only_what_exists() -> None:
    for stage in _frontend_stages():
        for instruction in stage:
            if instruction.keyword in {"ENV", "ARG"}:
                assert not re.search(r"SECRET|PASSWORD|TOKEN", instruction.args, re.IGNORECASE), instruction
            if instruction.keyword == "COPY" and "--from=" not in instruction.args:
                *sources, _ = instruction.args.split()
                for source in sources:
                    assert (FRONTEND / source).exists(), f"frontend/Dockerfile: COPY {source}"


def test_frontend_dockerignore_keeps_local_state_out() -> None:
    ignored = set((FRONTEND / ".dockerignore").read_text().split())
    assert {"node_modules", ".next", ".env*", "e2e/screenshots"} <= ignored
