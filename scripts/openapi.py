"""Write the services' OpenAPI documents and the front end's TypeScript types made from them (``make openapi``).

Each app is built with ``create_app(settings)`` and asked for ``app.openapi()``: no server, database or Redis.
The documents go to ``docs/openapi/{auth,tasks}.json``; openapi-typescript (the front end's dev dependency)
turns each into ``frontend/src/lib/api-schema/{auth,tasks}.ts``. ``tests/test_openapi.py`` runs this into a
temporary directory and fails when a committed file differs, so after changing a service's API run
``make openapi`` and commit what it wrote.

Usage: ``python scripts/openapi.py [--out DIR]`` (``DIR`` defaults to the repository root).
"""

from __future__ import annotations

import argparse
import json
import subprocess
from pathlib import Path
from typing import Any

from auth.config import Settings as AuthSettings
from auth.main import create_app as create_auth_app
from tasks.config import Settings as TasksSettings
from tasks.main import create_app as create_tasks_app

ROOT = Path(__file__).resolve().parent.parent
CLI = ROOT / "frontend/node_modules/openapi-typescript/bin/cli.js"
# Stands in for the real secret: building the app and its schema never signs anything.
_SECRET = "openapi-export-only-" + "x" * 32


def documents() -> dict[str, dict[str, Any]]:
    """Build each service's app and return its OpenAPI document, by service name."""
    common: dict[str, Any] = {"env": "test", "jwt_secret": _SECRET, "log_level": "WARNING"}
    return {
        "auth": create_auth_app(AuthSettings(**common)).openapi(),
        "tasks": create_tasks_app(TasksSettings(**common)).openapi(),
    }


def write(out: Path) -> list[Path]:
    """Write the documents and their TypeScript types under ``out``; return the paths written."""
    written = []
    for name, document in documents().items():
        spec = out / "docs/openapi" / f"{name}.json"
        types = out / "frontend/src/lib/api-schema" / f"{name}.ts"
        spec.parent.mkdir(parents=True, exist_ok=True)
        types.parent.mkdir(parents=True, exist_ok=True)
        spec.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        # Our own file names and the installed CLI, no outside input.
        subprocess.run(["node", str(CLI), str(spec), "--output", str(types)], check=True, capture_output=True)  # noqa: S603, S607
        written += [spec, types]
    return written


def main() -> None:
    """Parse the arguments and write the files."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT, help="root to write under (default: the repository)")
    for path in write(parser.parse_args().out):
        print(path)  # noqa: T201 - the command's output


if __name__ == "__main__":
    main()
