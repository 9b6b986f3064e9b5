"""Fixtures for the packaging tests: copy a sample app, build it with ``zappa package``, unzip it and serve
an API Gateway event through it in a separate, isolated interpreter."""

from __future__ import annotations

import json
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from zappa_core.cli import run

APPS = Path(__file__).parent / "apps"


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


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory, monkeypatch):
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
