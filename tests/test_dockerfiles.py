"""The three Dockerfiles, checked without a Docker engine: parsed against our rules, and their uv steps run.

The parse checks the shape (multi-stage, pinned uv, two-step ``uv sync --frozen``, non-root, slim, python
health check, no secret). The build test replays each file's two ``uv sync`` commands in an empty directory
holding only what that step's COPY/bind mounts give it, which is what proves the layering works.
"""

from __future__ import annotations

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


IMAGES = [
    Image("services/auth/Dockerfile", "todo-auth", "auth", 8001),
    Image("services/tasks/Dockerfile", "todo-tasks", "tasks", 8002),
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


def test_serves_the_app_factory_on_its_port(image: Image) -> None:
    final = parse(ROOT / image.dockerfile)[-1]
    cmd = [i.args for i in final if i.keyword == "CMD"][-1]
    assert cmd.startswith("[")
    assert f"{image.module}.main:create_app" in cmd and "--factory" in cmd
    env = " ".join(i.args for i in final if i.keyword == "ENV")
    assert f"UVICORN_PORT={image.port}" in env and "UVICORN_HOST=0.0.0.0" in env
    assert [i.args for i in final if i.keyword == "EXPOSE"] == [str(image.port)]


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
