"""Compiled dependencies that cannot run on Lambda as installed.

Simulated here, because the tests have no network: a tiny C extension (``fastthing``) is compiled with gcc
by ``pip wheel``. The build installed in the environment is tagged ``linux_x86_64`` (a local build, as
from an sdist: not a manylinux wheel, so not known to run on Lambda). What PyPI would offer is simulated by
a local wheelhouse (``pip --no-index --find-links``) holding a second build of the same sources, compiled
with a different ``VARIANT`` string and retagged ``manylinux2014_x86_64`` with ``wheel tags``. The served
response tells which of the two builds the package shipped.
"""

# ruff: noqa: F401, F811  (pytest fixtures imported from pkgtest, a module of their own: see its docstring)

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from pkgtest import (
    api_gateway_event,
    isolated_cache,
    make_project,
    package,
    serve,
    unzip,
)

SETUP = """
import os
from setuptools import Extension, setup

variant = os.environ["FASTTHING_VARIANT"]
setup(name="fastthing", version="1.0", packages=["fastthing"],
      ext_modules=[Extension("fastthing._speed", ["fastthing/_speed.c"],
                             define_macros=[("VARIANT", '"' + variant + '"')])])
"""
C_SOURCE = """
#include <Python.h>
static PyObject *variant(PyObject *self, PyObject *args) { return PyUnicode_FromString(VARIANT); }
static PyMethodDef methods[] = {{"variant", variant, METH_NOARGS, ""}, {NULL, NULL, 0, NULL}};
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_speed", NULL, -1, methods};
PyMODINIT_FUNC PyInit__speed(void) { return PyModule_Create(&module); }
"""
APP = """
from flask import Flask
from fastthing._speed import variant

app = Flask(__name__)


@app.route("/")
def index():
    return {"variant": variant()}
"""
PY_TAG = f"cp{sys.version_info.major}{sys.version_info.minor}"


def _pip(*args: str, cwd: Path | None = None, env: dict | None = None) -> None:
    import os

    full_env = {**os.environ, "PIP_NO_INDEX": "1", **(env or {})}
    proc = subprocess.run([sys.executable, "-m", "pip", *args], check=False, cwd=cwd, env=full_env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]


@pytest.fixture(scope="module")
def fastthing(tmp_path_factory):
    """``site``: a folder where the local (linux_x86_64) build is installed; ``wheelhouse``: the simulated
    index with the manylinux build; ``arm_wheelhouse``: the same retagged for aarch64."""
    root = tmp_path_factory.mktemp("fastthing")
    built = {}
    for variant in ("local", "lambda"):
        source = root / f"source-{variant}"  # one tree per variant: no object files are shared
        (source / "fastthing").mkdir(parents=True)
        (source / "setup.py").write_text(SETUP)
        (source / "fastthing" / "__init__.py").write_text("")
        (source / "fastthing" / "_speed.c").write_text(C_SOURCE)
        out = root / f"built-{variant}"
        _pip("wheel", "--no-build-isolation", "--no-deps", "-w", str(out), str(source),
             env={"FASTTHING_VARIANT": variant})
        (wheel,) = out.glob("*.whl")
        assert wheel.name.endswith("-linux_x86_64.whl"), wheel.name
        built[variant] = wheel
    site = root / "site"
    _pip("install", "--no-deps", "--target", str(site), str(built["local"]))
    houses = {}
    for name, platform in (("wheelhouse", "manylinux2014_x86_64"), ("arm_wheelhouse", "manylinux2014_aarch64")):
        house = root / name
        house.mkdir()
        subprocess.run([sys.executable, "-m", "wheel", "tags", "--platform-tag", platform, str(built["lambda"])],
                       cwd=house, check=True, capture_output=True)
        retagged = built["lambda"].parent / built["lambda"].name.replace("linux_x86_64", platform)
        retagged.rename(house / retagged.name)
        houses[name] = house
    return {"site": site, **houses}


@pytest.fixture
def fast_project(make_project, monkeypatch, fastthing):
    monkeypatch.syspath_prepend(str(fastthing["site"]))  # fastthing is "installed" in the active environment

    def make(**settings) -> Path:
        project = make_project(None, **settings)
        (project / "app.py").write_text(APP)
        (project / "requirements.txt").write_text("flask\nfastthing\n")
        return project

    return make


def _served_variant(build, tmp_path) -> str:
    result = serve(unzip(build.zip, tmp_path / "unzipped"), api_gateway_event())
    assert result["statusCode"] == 200, result
    return json.loads(result["body"])["variant"]


def test_a_local_build_is_replaced_by_the_lambda_wheel(fast_project, package, fastthing, monkeypatch, tmp_path):
    monkeypatch.setenv("PIP_FIND_LINKS", str(fastthing["wheelhouse"]))
    build = package(fast_project())
    assert build.code == 0, build.err
    assert f"downloaded fastthing-1.0-{PY_TAG}-{PY_TAG}-manylinux2014_x86_64.whl" in build.out
    assert _served_variant(build, tmp_path) == "lambda"

    # The second build is served from the checked cache: no pip, no index needed.
    monkeypatch.delenv("PIP_FIND_LINKS")
    again = package(build.project, build.zip)
    assert again.code == 0, again.err
    assert "downloaded" not in again.out and "unchanged" in again.out


def test_a_damaged_cached_wheel_is_fetched_again(fast_project, package, fastthing, monkeypatch, tmp_path):
    import os

    monkeypatch.setenv("PIP_FIND_LINKS", str(fastthing["wheelhouse"]))
    first = package(fast_project())
    assert first.code == 0, first.err
    cache = Path(os.environ["ZAPPA_CACHE_DIR"]) / "wheels" / "files"
    (cached,) = cache.glob("*/fastthing-*.whl")
    cached.write_bytes(b"")  # an interrupted download, or a full disk
    second = package(first.project, tmp_path / "second.zip")
    assert second.code == 0, second.err
    assert "downloaded fastthing-1.0-" in second.out
    assert second.zip.read_bytes() == first.zip.read_bytes()


def test_no_lambda_wheel_fails_with_the_name_and_the_fix(fast_project, package, monkeypatch, tmp_path):
    empty = tmp_path / "empty-wheelhouse"
    empty.mkdir()
    monkeypatch.setenv("PIP_FIND_LINKS", str(empty))
    build = package(fast_project())
    assert build.code == 1
    assert "fastthing 1.0 has compiled code built for " + f"{PY_TAG}-{PY_TAG}-linux_x86_64" in build.err
    assert "no wheel for python" in build.err
    assert "use_precompiled_packages: false" in build.err
    assert not build.zip.exists()


def test_use_precompiled_packages_false_ships_the_local_build(fast_project, package, tmp_path):
    build = package(fast_project(use_precompiled_packages=False))
    assert build.code == 0, build.err
    assert "ships its local build" in build.out
    assert _served_variant(build, tmp_path) == "local"


def test_arm64_gets_the_aarch64_wheel(fast_project, package, fastthing, monkeypatch):
    # markupsafe (a Flask dependency) is installed for x86_64 only: serve its aarch64 wheel too by
    # retagging the installed files is not possible, so this app drops Flask and needs fastthing alone.
    monkeypatch.setenv("PIP_FIND_LINKS", str(fastthing["arm_wheelhouse"]))
    project = fast_project(architecture="arm64", app_function="handler_app.run")
    (project / "requirements.txt").write_text("fastthing\n")
    (project / "app.py").unlink()
    (project / "handler_app.py").write_text("def run(event, context):\n    return 'ok'\n")
    build = package(project)
    assert build.code == 0, build.err
    assert f"downloaded fastthing-1.0-{PY_TAG}-{PY_TAG}-manylinux2014_aarch64.whl" in build.out
    wheel_meta = build.read("fastthing-1.0.dist-info/METADATA")
    assert b"Name: fastthing" in wheel_meta
