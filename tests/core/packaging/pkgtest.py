"""Fixtures and helpers for the packaging tests: copy a sample app, build it with ``zappa package``, unzip
it and serve an API Gateway event through it in a separate, isolated interpreter.

A module of its own (not ``conftest.py``) so that other test folders that import their ``conftest`` by
name are not handed this one; each test module imports the fixtures it uses."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from zappa_core.cli import run

EVENTS = Path(__file__).resolve().parents[2] / "runtime" / "events"
# The interpreter under the virtualenv: with -I -S it sees neither the virtualenv's packages nor
# PYTHONPATH, so the unzipped package must carry everything the app imports.
BASE_PYTHON = getattr(sys, "_base_executable", sys.executable)
APPS = Path(__file__).parent / "apps"
# The runtime, its dependency and the runtime plugins' modules: what ``zappa_package_include`` adds to a package.
RUNTIME_TOP_LEVEL = ("zappa_runtime/", "pluggy/", "zappa_events/", "zappa_aws_apigw/", "zappa_aws_alb/", "zappa/")


@dataclass
class Build:
    project: Path
    zip: Path
    code: int
    out: str
    err: str

    def names(self) -> list[str]:
        with zipfile.ZipFile(self.zip) as archive:
            return archive.namelist()

    def read(self, name: str) -> bytes:
        with zipfile.ZipFile(self.zip) as archive:
            return archive.read(name)

    def top_level(self) -> set[str]:
        return {n.split("/", 1)[0] for n in self.names()}

    def bytecode_beyond_the_runtime(self) -> list[str]:
        """The compiled files of the package other than the runtime's (which every package ships compiled
        when this Python is the function's)."""
        return [n for n in self.names() if (n.endswith((".pyc", ".pyo")) or "__pycache__" in n)
                and not n.startswith(RUNTIME_TOP_LEVEL) and not n.startswith("__pycache__/handler.")]


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path_factory, monkeypatch):
    """Each test gets its own wheel cache, and pip can reach no index (the tests need no network)."""
    monkeypatch.setenv("ZAPPA_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.delenv("PIP_FIND_LINKS", raising=False)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)


def base_settings(**overrides) -> dict:
    stage = {"app_function": "app.app", "s3_bucket": "test-bucket", "aws_region": "us-east-1",
             "project_name": "demo", "touch": False}
    stage.update(overrides)
    return stage


@pytest.fixture
def make_project(tmp_path):
    """Copy sample app ``name`` into a fresh folder with a settings file for stage ``dev``."""

    def make(name: str | None = None, folder: str = "project", **settings) -> Path:
        project = tmp_path / folder
        if name:
            shutil.copytree(APPS / name, project)
        else:
            project.mkdir()
        (project / "zappa_settings.json").write_text(json.dumps({"dev": base_settings(**settings)}, indent=1))
        return project

    return make


@pytest.fixture
def package(monkeypatch, capsys):
    """Run ``zappa package dev -o OUT`` in ``project`` (in this process) and return a :class:`Build`."""

    def build(project: Path, out: Path | None = None, *args: str) -> Build:
        out = out or project.parent / "out" / "demo-dev.zip"
        monkeypatch.chdir(project)
        code = run(["package", "dev", "-o", str(out), *args])
        captured = capsys.readouterr()
        return Build(project, out, code, captured.out, captured.err)

    return build



SERVE = r"""
import json, os, sys
root = os.getcwd()
sys.path.insert(0, root)
event = json.load(sys.stdin)
import handler

class Context:
    function_name = "demo-dev"
    aws_request_id = "req-1"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:demo-dev"
    def get_remaining_time_in_millis(self):
        return 30000

result = handler.lambda_handler(event, Context())
outside = sorted({os.path.dirname(getattr(m, "__file__", None) or root) for m in list(sys.modules.values())
                  if getattr(m, "__file__", None) and "site-packages" in m.__file__})
print(json.dumps({"result": result, "site_packages_modules": outside}))
"""



def unzip(zip_path: Path, dest: Path) -> Path:
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(dest)
    return dest


def api_gateway_event(path: str = "/") -> dict:
    event = json.loads((EVENTS / "apiGatewayProxyEvent.json").read_text())
    event.update(path=path, resource="/{proxy+}", httpMethod="GET")
    return event


def serve(folder: Path, event: dict) -> dict:
    """Invoke ``handler.lambda_handler`` of an unzipped package in ``python -I -S`` and return its result."""
    return serve_with_path(folder, event, [])


def serve_with_path(folder: Path, event: dict, extra_path: list[Path], handler: str = "handler") -> dict:
    """:func:`serve`, with ``extra_path`` after the package on ``sys.path`` (a layer's ``/opt/python``);
    ``handler`` is the module of ``lambda_handler`` (a container image names ``zappa_runtime.handler``)."""
    prelude = f"import sys; sys.path.extend({[str(p) for p in extra_path]!r})\n"
    source = SERVE if handler == "handler" else SERVE.replace("import handler\n", f"import {handler} as handler\n")
    proc = subprocess.run([BASE_PYTHON, "-I", "-S", "-c", prelude + source], cwd=folder, input=json.dumps(event), check=False,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    assert data["site_packages_modules"] == [], "the package imported code from outside itself"
    return data["result"]
