"""What goes into the package and what stays out: project files, dependency rules, options."""

# ruff: noqa: F401, F811  (pytest fixtures imported from pkgtest, a module of their own: see its docstring)

from __future__ import annotations

import json
import tarfile
import zipfile

from pkgtest import api_gateway_event, isolated_cache, make_project, package, unzip

ZAPPA_SIDE = {"zappa_core", "typer", "rich", "ruamel", "boto3", "botocore", "s3transfer", "jmespath",
              "pip", "setuptools", "wheel", "pkg_resources", "_distutils_hack", "moto"}


def test_excludes_caches_vcs_venvs_archives_and_tests(make_project, package):
    project = make_project("flask_app", exclude=["*.log", "static/"], exclude_glob=["docs/**/*.md", "data/*.csv"])
    files = {
        ".git/config": "x", "__pycache__/app.cpython-311.pyc": "x", "pkg/__pycache__/m.cpython-311.pyc": "x",
        "pkg/__init__.py": "", "pkg/m.py": "", "pkg/m.pyc": "x", "venv/pyvenv.cfg": "home = /usr",
        "venv/lib/site.py": "", "old.zip": "x", "bundle.tar.gz": "x", "debug.log": "x", "static/site.css": "x",
        "docs/a/b.md": "x", "docs/keep.txt": "x", "data/rows.csv": "x", "data/rows.json": "{}",
        "tests/test_app.py": "", "pkg/tests/test_inner.py": "", ".zappa/local.json": "{}",
        "templates/index.html": "<p>",
    }
    for name, text in files.items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(text)
    build = package(project)
    assert build.code == 0, build.err
    names = set(build.names())
    for kept in ("app.py", "pkg/__init__.py", "pkg/m.py", "docs/keep.txt", "data/rows.json",
                 "pkg/tests/test_inner.py", "templates/index.html"):
        assert kept in names, kept
    for left_out in (".git/config", "pkg/m.pyc", "venv/lib/site.py", "old.zip", "bundle.tar.gz", "debug.log",
                     "static/site.css", "docs/a/b.md", "data/rows.csv", "tests/test_app.py", ".zappa/local.json",
                     "zappa_settings.json"):
        assert left_out not in names, left_out
    assert not build.bytecode_beyond_the_runtime()  # the project's stale caches stay out


def test_package_tests_ships_the_tests_folder(make_project, package):
    project = make_project("flask_app", package_tests=True)
    (project / "tests").mkdir()
    (project / "tests" / "test_app.py").write_text("")
    build = package(project)
    assert "tests/test_app.py" in build.names()


def test_without_declared_dependencies_the_environment_rule_applies(make_project, package):
    project = make_project("flask_app")
    (project / "requirements.txt").unlink()
    build = package(project)
    assert build.code == 0, build.err
    assert "no requirements.txt or [project] dependencies: shipping the environment's distributions" in build.out
    tops = build.top_level()
    # Flask ships (the app imports it) with what it needs, even where zappa needs the same (jinja2, click).
    assert {"flask", "werkzeug", "jinja2", "markupsafe", "click", "itsdangerous", "blinker"} <= tops
    assert not tops & ZAPPA_SIDE, tops & ZAPPA_SIDE
    assert not [t for t in tops if t.startswith(("zappa_core", "zappa-", "boto3-", "botocore-", "pip-", "setuptools-", "wheel-"))]


def test_a_requirement_that_is_not_installed_and_not_downloadable_fails(make_project, package):
    project = make_project("flask_app")
    (project / "requirements.txt").write_text("flask\nsurely-not-installed-dist==1.0\n")
    build = package(project)
    assert build.code == 1
    assert "surely-not-installed-dist==1.0 (not installed here)" in build.err
    assert not build.zip.exists()


def test_a_settings_error_exits_2_before_anything_is_built(make_project, package):
    project = make_project("flask_app", prebuild_script="prebuild.run", memory_size="lots")
    (project / "prebuild.py").write_text("import pathlib\ndef run():\n    pathlib.Path('ran').write_text('yes')\n")
    build = package(project)
    assert build.code == 2
    assert "memory_size" in build.err
    assert not build.zip.exists() and not (project / "ran").exists()

    conflicting = make_project("flask_app", folder="second", slim_handler=True, dependencies_layer=True)
    build = package(conflicting)
    assert build.code == 2
    assert "'slim_handler' and 'dependencies_layer'" in build.err
    assert not build.zip.exists()


def test_prebuild_script_runs_first_and_the_zip_callback_gets_the_package(make_project, package):
    project = make_project("flask_app", prebuild_script="hooks.prebuild", callbacks={"zip": "hooks.after_zip"})
    (project / "hooks.py").write_text(
        "import json, pathlib\n"
        "def prebuild():\n    pathlib.Path('generated.txt').write_text('made before packaging')\n"
        "def after_zip(cli):\n"
        "    pathlib.Path('callback.json').write_text(json.dumps({'zip': cli.zip_path, 'stage': cli.api_stage,"
        " 'name': cli.lambda_name, 'sha': cli.package.sha256, 'quiet': cli.quiet}))\n"
    )
    build = package(project)
    assert build.code == 0, build.err
    assert build.read("generated.txt") == b"made before packaging"
    seen = json.loads((project / "callback.json").read_text())
    assert seen == {"zip": str(build.zip), "stage": "dev", "name": "demo-dev",
                    "sha": seen["sha"], "quiet": False}
    assert f"sha256 {seen['sha'][:12]}" in build.out


def test_a_failing_prebuild_script_exits_1(make_project, package):
    project = make_project("flask_app", prebuild_script="hooks.prebuild")
    (project / "hooks.py").write_text("def prebuild():\n    raise RuntimeError('no assets')\n")
    build = package(project)
    assert build.code == 1
    assert "prebuild_script 'hooks.prebuild' failed: RuntimeError: no assets" in build.err


def test_include_ships_listed_files_even_when_excluded(make_project, package):
    project = make_project("flask_app", include=["lib/libfoo.so"], exclude=["*.so"])
    (project / "lib").mkdir()
    (project / "lib" / "libfoo.so").write_bytes(b"\x7fELF")
    (project / "lib" / "libbar.so").write_bytes(b"\x7fELF")
    build = package(project)
    names = build.names()
    assert "lib/libfoo.so" in names and "lib/libbar.so" not in names
    assert json.loads(build.read("zappa_manifest.json"))["settings"]["include"] == ["lib/libfoo.so"]


def test_slim_handler_ships_a_small_handler_zip_and_a_deterministic_project_archive(make_project, package, tmp_path):
    from zappa_runtime.slim import extract_tar_stream

    project = make_project("flask_app", slim_handler=True)
    build = package(project)
    assert build.code == 0, build.err
    tops = build.top_level()
    assert {"handler.py", "zappa_runtime", "pluggy", "zappa_manifest.json", "package_info.json"} <= tops
    assert not tops & {"flask", "app.py", "werkzeug"}
    archive = build.zip.with_name("demo-dev_project.tar.gz")
    settings = json.loads(build.read("zappa_manifest.json"))["settings"]
    digest = __import__("hashlib").sha256(archive.read_bytes()).hexdigest()
    assert settings["slim_archive"] == f"s3://test-bucket/demo-dev/{digest}.tar.gz"  # content-addressed
    assert settings["slim_archive_sha256"] == digest
    with tarfile.open(archive) as tar:
        assert settings["slim_archive_unpacked"] == sum(m.size for m in tar.getmembers())
    assert "slim_handler project archive" in build.out
    with tarfile.open(archive) as tar:
        members = tar.getmembers()
    assert {m.mtime for m in members} == {315532800} and {m.uid for m in members} == {0}
    assert "app.py" in {m.name for m in members} and "flask/__init__.py" in {m.name for m in members}
    # The runtime's own safe extractor accepts it.
    with open(archive, "rb") as fh:
        extract_tar_stream(fh, str(tmp_path / "extracted"))
    assert (tmp_path / "extracted" / "flask" / "__init__.py").is_file()

    first = archive.read_bytes()
    again = package(project, build.zip)
    assert archive.read_bytes() == first and " unchanged in " in again.out


def test_dependencies_layer_keeps_app_changes_small(make_project, package, tmp_path):
    project = make_project("flask_app", dependencies_layer=True)
    build = package(project)
    assert build.code == 0, build.err
    layer = build.zip.with_name("demo-dev_layer.zip")
    with zipfile.ZipFile(layer) as archive:
        layer_names = archive.namelist()
    assert "python/flask/__init__.py" in layer_names and all(n.startswith("python/") for n in layer_names)
    assert not build.top_level() & {"flask", "werkzeug"}
    # The runtime's own dependency stays beside it, so the handler imports even without the layer.
    assert "pluggy" in build.top_level() and "python/pluggy/__init__.py" not in layer_names
    assert "app.py" in build.names() and "zappa_runtime" in build.top_level()
    assert "(dependencies layer)" in build.out
    assert build.zip.stat().st_size < 400_000  # the app, the runtime and its bytecode: about 0.3 MB

    layer_bytes, zip_bytes = layer.read_bytes(), build.zip.read_bytes()
    (project / "app.py").write_text((project / "app.py").read_text() + "\n# a comment\n")
    again = package(project, build.zip)
    assert again.code == 0, again.err
    assert layer.read_bytes() == layer_bytes and build.zip.read_bytes() != zip_bytes

    # As on Lambda: the layer's python/ folder and the function's folder both on the path.
    root = unzip(build.zip, tmp_path / "task")
    unzip(layer, tmp_path / "opt")
    event = api_gateway_event()
    import pkgtest

    result = pkgtest.serve_with_path(root, event, [tmp_path / "opt" / "python"])
    assert result["statusCode"] == 200
