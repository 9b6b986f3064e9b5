"""Bytecode in the package: hash-based ``.pyc`` files beside the sources, which a cold start on a read-only task
folder imports instead of compiling; checked ones for the runtime's own files by default, unchecked ones for
every module with ``compile_bytecode``."""

# ruff: noqa: F401, F811  (pytest fixtures imported from pkgtest, a module of their own: see its docstring)

from __future__ import annotations

import subprocess
import sys
import zipfile

from pkgtest import (
    BASE_PYTHON,
    RUNTIME_TOP_LEVEL,
    api_gateway_event,
    isolated_cache,
    make_project,
    package,
    serve,
    unzip,
)

RUNTIME = f"python{sys.version_info[0]}.{sys.version_info[1]}"
TAG = f"cpython-{sys.version_info[0]}{sys.version_info[1]}"


def test_every_module_ships_with_unchecked_hash_bytecode(make_project, package, tmp_path):
    build = package(make_project("flask_app", runtime=RUNTIME, compile_bytecode=True))
    assert build.code == 0, build.err
    names = set(build.names())
    sources = [n for n in names if n.endswith(".py")]
    for source in ("app.py", "handler.py", "flask/app.py", "zappa_runtime/runtime.py"):
        folder, _, name = source.rpartition("/")
        assert f"{folder + '/' if folder else ''}__pycache__/{name[:-3]}.{TAG}.pyc" in names, source
    assert len([n for n in names if n.endswith(".pyc")]) >= len(sources) - 5  # a few files may not compile
    header = build.read(f"flask/__pycache__/app.{TAG}.pyc")[:16]
    assert int.from_bytes(header[4:8], "little") == 0b01, "not an unchecked-hash pyc (PEP 552 flags)"
    folder = unzip(build.zip, tmp_path / "task")
    assert serve(folder, api_gateway_event())["statusCode"] == 200


def test_the_bytecode_is_what_runs_and_the_build_is_deterministic(make_project, package, tmp_path):
    project = make_project("flask_app", runtime=RUNTIME, compile_bytecode=True)
    first = package(project, tmp_path / "a.zip")
    second = package(project, tmp_path / "b.zip")
    assert first.code == second.code == 0
    assert (tmp_path / "a.zip").read_bytes() == (tmp_path / "b.zip").read_bytes()
    folder = unzip(first.zip, tmp_path / "task")
    (folder / "app.py").write_text("raise SystemExit('the source was compiled again')\n")
    probe = "import sys; sys.path.insert(0, '.'); import app; print(app.__cached__)"
    done = subprocess.run([BASE_PYTHON, "-I", "-S", "-B", "-c", probe], cwd=folder, capture_output=True, text=True,
                          check=False, timeout=60)
    assert done.returncode == 0, done.stderr  # unchecked-hash bytecode: the (changed) source is not even read
    assert done.stdout.strip().endswith(f"__pycache__/app.{TAG}.pyc")


def compiled_sources(names: list[str]) -> set[str]:
    """The ``.py`` file of each ``.pyc`` among ``names``."""
    out = set()
    for name in names:
        if name.endswith(f".{TAG}.pyc"):
            folder, _, file = name.rpartition("__pycache__/")
            out.add(folder + file[: -len(f".{TAG}.pyc")] + ".py")
    return out


def test_by_default_only_the_runtime_ships_compiled_checked_against_its_source(make_project, package, tmp_path):
    build = package(make_project("flask_app", runtime=RUNTIME))
    assert build.code == 0, build.err
    names = build.names()
    compiled = compiled_sources(names)
    assert {"handler.py", "zappa_runtime/runtime.py", "zappa_runtime/wsgi.py", "pluggy/__init__.py"} <= compiled
    assert all(name == "handler.py" or name.startswith(RUNTIME_TOP_LEVEL) for name in compiled), sorted(compiled)
    assert "app.py" not in compiled and "flask/app.py" not in compiled
    runtime_sources = {n for n in names if n.endswith(".py") and n.startswith(("zappa_runtime/", "pluggy/"))}
    assert runtime_sources <= compiled  # every file of the runtime and of its dependency
    header = build.read(f"zappa_runtime/__pycache__/runtime.{TAG}.pyc")[:16]
    assert int.from_bytes(header[4:8], "little") == 0b11, "not a checked-hash pyc (PEP 552 flags)"
    folder = unzip(build.zip, tmp_path / "task")
    assert serve(folder, api_gateway_event())["statusCode"] == 200

    def imported(statement: str) -> subprocess.CompletedProcess:
        return subprocess.run([BASE_PYTHON, "-I", "-S", "-B", "-v", "-c", f"import sys; sys.path.insert(0, '.'); {statement}"],
                              cwd=folder, capture_output=True, text=True, check=False, timeout=60)

    loaded = imported("import zappa_runtime.wsgi")
    assert loaded.returncode == 0, loaded.stderr[-2000:]
    assert f"code object from '{folder}/zappa_runtime/__pycache__/wsgi.{TAG}.pyc'" in loaded.stderr  # not compiled
    (folder / "zappa_runtime" / "wsgi.py").write_text("raise SystemExit('the edited source ran')\n")
    edited = imported("import zappa_runtime.wsgi")  # a source edited after the build is what runs
    assert edited.returncode == 1 and "the edited source ran" in edited.stderr


def test_none_for_another_python_with_a_warning_when_asked_for(make_project, package, tmp_path):
    other = "python3.12" if sys.version_info[:2] != (3, 12) else "python3.11"
    for folder, asked in (("quiet", False), ("asked", True)):
        project = make_project(folder=folder, runtime=other, compile_bytecode=asked)  # no compiled dependency
        (project / "app.py").write_text("def app(environ, start_response):\n    return []\n")
        (project / "requirements.txt").write_text("")
        build = package(project)
        assert build.code == 0, build.err
        warned = f"compile_bytecode: this is Python {sys.version_info[0]}.{sys.version_info[1]}" in build.out + build.err
        assert warned is asked
        assert not [n for n in build.names() if "__pycache__" in n]
        with zipfile.ZipFile(build.zip) as archive:
            assert "app.py" in archive.namelist()
