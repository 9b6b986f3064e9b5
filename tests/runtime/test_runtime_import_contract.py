"""The runtime's import contract: the handler of a built package pulls in no packaging-side library.

Checked in a fresh ``python -I`` process on the package of ``apps/raw``, by listing ``sys.modules``: once for
the bare import (outside Lambda the cold start waits for the first event) and once with the cold start that
runs at import on Lambda (manifest, every runtime plugin module of the manifest, the app) plus one request.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import events_factory as ev
import pytest

FORBIDDEN = ("boto3", "botocore", "pydantic", "typer", "zappa_core")

PROBE = """
import json, sys
sys.path.insert(0, sys.argv[1])
import handler
if len(sys.argv) > 2:
    handler.lambda_handler(json.loads(sys.argv[2]), None)
print(json.dumps({"modules": sorted(sys.modules), "runtime": sys.modules["zappa_runtime"].__file__}))
"""


def imported(folder, *, on_lambda: bool, event: dict | None = None) -> tuple[list[str], str]:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", "LAMBDA_TASK_ROOT": str(folder)}
    if on_lambda:
        env["AWS_LAMBDA_FUNCTION_NAME"] = "rt-raw-dev"
    args = [sys.executable, "-I", "-c", PROBE, str(folder)] + ([json.dumps(event)] if event else [])
    done = subprocess.run(args, capture_output=True, text=True, env=env, cwd=folder, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout.splitlines()[-1])
    return data["modules"], data["runtime"]


def heavy(modules: list[str]) -> list[str]:
    return [m for m in modules if m.split(".")[0] in FORBIDDEN]


@pytest.fixture(scope="module")
def package(lambda_app):
    return lambda_app("raw").folder


def test_importing_the_handler_imports_only_the_runtime_entry_point(package):
    modules, runtime_file = imported(package, on_lambda=False)
    assert runtime_file == str(package / "zappa_runtime" / "__init__.py")  # the packaged copy, not the dev one
    assert heavy(modules) == []
    assert [m for m in modules if m.startswith("zappa_runtime")] == ["zappa_runtime", "zappa_runtime.handler"]
    assert "pluggy" not in modules and "app" not in modules


def test_the_cold_start_and_a_request_import_no_packaging_library(package):
    manifest = json.loads((package / "zappa_manifest.json").read_text())
    modules, _ = imported(package, on_lambda=True, event=ev.v2("GET", "/"))
    assert heavy(modules) == []
    assert {"app", "zappa_runtime.runtime", "zappa_runtime.wsgi", *manifest["runtime_modules"]} <= set(modules)
