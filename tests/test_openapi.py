"""The committed OpenAPI documents and the front end's types made from them match the services' code."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GENERATED = [
    "docs/openapi/auth.json",
    "docs/openapi/tasks.json",
    "frontend/src/lib/api-schema/auth.ts",
    "frontend/src/lib/api-schema/tasks.ts",
]


def test_the_committed_openapi_documents_and_types_are_up_to_date(tmp_path: Path) -> None:
    cli = ROOT / "frontend/node_modules/openapi-typescript"
    if shutil.which("node") is None or not cli.is_dir():
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail("node or frontend/node_modules is missing (make frontend-deps)")
        pytest.skip("node or frontend/node_modules is missing (make frontend-deps)")
    subprocess.run([sys.executable, "scripts/openapi.py", "--out", str(tmp_path)], cwd=ROOT, check=True)
    stale = [name for name in GENERATED if (tmp_path / name).read_text() != (ROOT / name).read_text()]
    assert not stale, f"stale generated files, run `make openapi` and commit: {', '.join(stale)}"
