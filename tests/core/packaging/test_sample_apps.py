"""Real sample apps, packaged by ``zappa package``, unzipped and served a real API Gateway event in a
separate ``python -I -S`` process that sees nothing but the package."""

# ruff: noqa: F401, F811  (pytest fixtures imported from pkgtest, a module of their own: see its docstring)

from __future__ import annotations

import json
import sys
from importlib.metadata import version

from pkgtest import (
    api_gateway_event,
    isolated_cache,
    make_project,
    package,
    serve,
    unzip,
)

NEVER_SHIPPED = {"boto3", "botocore", "s3transfer", "jmespath", "pip", "setuptools", "wheel", "pkg_resources",
                 "_distutils_hack", "zappa_core", "typer", "rich", "ruamel", "moto", "pytest"}


def check_common(build):
    names = build.names()
    assert build.code == 0, build.err
    assert names == sorted(names), "entries are not sorted"
    tops = build.top_level()
    assert not tops & NEVER_SHIPPED, tops & NEVER_SHIPPED
    assert not build.bytecode_beyond_the_runtime()
    assert not [n for n in names if n.startswith("zappa_settings.")]
    assert {"handler.py", "zappa_manifest.json", "package_info.json", "zappa_runtime"} <= tops
    assert b"from zappa_runtime.handler import lambda_handler" in build.read("handler.py")
    manifest = json.loads(build.read("zappa_manifest.json"))
    assert manifest["format"] == 1
    assert manifest["settings"]["function_name"] == "demo-dev"
    assert manifest["settings"]["stage"] == "dev"
    for module in manifest["runtime_modules"]:
        assert module.replace(".", "/") + ".py" in names or module.replace(".", "/") + "/__init__.py" in names
    info = json.loads(build.read("package_info.json"))
    assert set(info) >= {"build_platform", "build_user", "build_time", "uuid", "content_hash"}
    return names


def body(result: dict) -> dict:
    assert result["statusCode"] == 200, result
    return json.loads(result["body"])


def test_flask_app(make_project, package, tmp_path):
    build = package(make_project("flask_app"))
    names = check_common(build)
    assert "declared in requirements.txt" in build.out
    assert {"flask", "werkzeug", "jinja2", "markupsafe", "itsdangerous", "click", "blinker", "pluggy"} <= build.top_level()
    assert "app.py" in names and "requirements.txt" in names
    result = serve(unzip(build.zip, tmp_path / "unzipped"), api_gateway_event())
    assert body(result) == {"app": "flask", "query": "value"}


def test_django_app(make_project, package, tmp_path):
    project = make_project("django_app", app_function=None, django_settings="mysite.settings")
    build = package(project)
    check_common(build)
    assert {"django", "asgiref", "sqlparse", "mysite", "hello", "manage.py"} <= build.top_level()
    result = serve(unzip(build.zip, tmp_path / "unzipped"), api_gateway_event())
    assert body(result) == {"app": "django", "query": "value"}


def test_fastapi_app(make_project, package, tmp_path):
    build = package(make_project("fastapi_app", app_function="main.app"))
    check_common(build)
    assert {"fastapi", "starlette", "pydantic", "pydantic_core", "anyio", "main.py"} <= build.top_level()
    result = serve(unzip(build.zip, tmp_path / "unzipped"), api_gateway_event())
    assert body(result) == {"app": "fastapi", "query": "value"}


def test_compiled_dependencies_ship_the_installed_lambda_compatible_builds(make_project, package, tmp_path):
    build = package(make_project("compiled_app"))
    names = check_common(build)
    # The installed wheels are manylinux wheels for this Python: shipped as installed, nothing fetched.
    assert "downloaded" not in build.out
    assert any(n.startswith("markupsafe/_speedups.") and n.endswith(".so") for n in names)
    assert any(n.startswith("pydantic_core/_pydantic_core.") and n.endswith(".so") for n in names)
    result = serve(unzip(build.zip, tmp_path / "unzipped"), api_gateway_event())
    data = body(result)
    assert data["escape"] == "markupsafe._speedups", "the C speedups did not load from the package"
    assert data["escaped"] == "&lt;b&gt;"
    assert data["pydantic_core"].endswith(".so")


def test_src_layout_ships_the_contents_of_src(make_project, package, tmp_path):
    project = make_project("src_layout", app_function="srcapp.web.app")
    build = package(project)
    names = check_common(build)
    assert "declared in pyproject.toml" in build.out
    assert "srcapp/web.py" in names and "srcapp/greeting.py" in names
    assert not [n for n in names if n.startswith("src/") or n in ("README.md", "pyproject.toml")]
    assert "flask" in build.top_level()
    result = serve(unzip(build.zip, tmp_path / "unzipped"), api_gateway_event())
    assert body(result) == {"app": "src-layout", "greeting": "hello from src/"}


def test_arm64_needs_aarch64_wheels_and_fails_clearly_without_them(make_project, package):
    # markupsafe is installed as an x86_64 manylinux wheel; pip can reach no index in the tests.
    build = package(make_project("flask_app", architecture="arm64"))
    assert build.code == 1
    python = f"python{sys.version_info.major}.{sys.version_info.minor}"
    assert f"MarkupSafe {version('markupsafe')} has compiled code built for cp" in build.err
    assert f"no wheel for {python} arm64 (manylinux, glibc <= 2." in build.err
    assert "use_precompiled_packages: false" in build.err
    assert not build.zip.exists()


def test_the_manifest_carries_the_resolved_settings(make_project, package):
    architecture = "x86_64"
    project = make_project("flask_app", architecture=architecture, memory_size=1024,
                           environment_variables={"GREETING": "hi"})
    build = package(project)
    assert build.code == 0, build.err
    settings = json.loads(build.read("zappa_manifest.json"))["settings"]
    assert settings["memory_size"] == 1024
    assert settings["architecture"] == architecture
    assert settings["environment_variables"] == {}  # the function's configuration carries the values
    assert settings["function_environment"] == ["GREETING"]
    assert settings["project_name"] == "demo"
    assert "slim_archive" not in settings
