"""``zappa save-python-settings-file``: the settings module of a container image, and the image it serves.

The image's task root is laid out as the Dockerfile of docs/packaging.md builds it (``pip install`` of the app's
requirements and of the distributions the module names, into ``${LAMBDA_TASK_ROOT}``, then ``COPY`` of the
project): the installed files of those distributions are copied from this environment, as pip would lay them
out (Docker cannot run here). Then ``zappa_runtime.handler.lambda_handler`` serves an API Gateway event in an
isolated interpreter that sees nothing but the task root."""

from __future__ import annotations

import json
import re
import shutil
from importlib import metadata
from pathlib import Path

import pytest
from pkgtest import APPS, api_gateway_event, base_settings, isolated_cache, serve_with_path  # noqa: F401

pytestmark = pytest.mark.needs_plugins

def install(dist_name: str, task_root: Path) -> None:
    """What ``pip install --target`` leaves of a distribution: its files (an editable install: its packages)."""
    dist = metadata.distribution(dist_name)
    tops = (dist.read_text("top_level.txt") or "").split()
    files = [f for f in dist.files or [] if not str(f).startswith(("..", "/")) and "__pycache__" not in str(f)]
    if any(str(f).startswith("__editable__") or str(f).endswith(".pth") for f in files) or not files:
        import importlib.util

        for top in tops or [dist_name.replace("-", "_")]:
            spec = importlib.util.find_spec(top)
            source = Path(next(iter(spec.submodule_search_locations)))
            shutil.copytree(source, task_root / top, ignore=shutil.ignore_patterns("__pycache__"), dirs_exist_ok=True)
        return
    for file in files:
        source = Path(dist.locate_file(file))
        if source.is_file() and not str(file).endswith(".pyc"):
            (task_root / file).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, task_root / file)


def test_the_settings_module_lets_an_image_serve_the_app(tmp_path, monkeypatch, capsys):
    from zappa_core.cli import run

    project = tmp_path / "project"
    shutil.copytree(APPS / "flask_app", project)
    (project / "zappa_settings.json").write_text(json.dumps({"dev": base_settings()}))
    monkeypatch.chdir(project)
    assert run(["save-python-settings-file", "dev"]) == 0
    said = capsys.readouterr().out
    module = (project / "zappa_settings.py").read_text()
    assert "API_STAGE = 'dev'" in module and "APP_MODULE = 'app'" in module and "MANIFEST = {" in module
    needs = re.findall(r"^    pip install (?:--no-deps )?(.+)$", module, re.M)
    wanted = [spec.split("==")[0] for line in needs for spec in line.split()]
    assert wanted[0] == "zappa-ng-runtime" and "zappa-ng-aws-apigw" in wanted and "zappa-ng-runtime==" in said

    # RUN pip install -r requirements.txt <the distributions the module names> --target ${LAMBDA_TASK_ROOT}
    task_root = tmp_path / "var" / "task"
    task_root.mkdir(parents=True)
    for name in ["flask", "werkzeug", "jinja2", "markupsafe", "itsdangerous", "click", "blinker", "pluggy", *wanted]:
        install(name, task_root)
    # COPY . ${LAMBDA_TASK_ROOT}
    shutil.copytree(project, task_root, dirs_exist_ok=True)

    # CMD ["zappa_runtime.handler.lambda_handler"]; nothing outside the task root is importable
    result = serve_with_path(task_root, api_gateway_event(), [], handler="zappa_runtime.handler")
    assert result["statusCode"] == 200, result
    assert json.loads(result["body"]) == {"app": "flask", "query": "value"}  # the sample's parameter2


def test_the_module_must_keep_its_name(tmp_path, monkeypatch, capsys):
    from zappa_core.cli import run

    (tmp_path / "zappa_settings.json").write_text(json.dumps({"dev": base_settings()}))
    monkeypatch.chdir(tmp_path)
    assert run(["save-python-settings-file", "dev", "-o", "build/settings.py"]) == 2
    assert "must be named zappa_settings.py, not 'settings.py'" in capsys.readouterr().err
    assert run(["save-python-settings-file", "dev", "-o", "build/zappa_settings.py"]) == 0
    assert (tmp_path / "build" / "zappa_settings.py").is_file()


def test_a_broken_settings_module_is_a_clear_cold_start_error(tmp_path):
    from zappa_runtime.manifest import ManifestError, read_manifest

    (tmp_path / "zappa_settings.py").write_text("API_STAGE = 'dev'\n")
    with pytest.raises(ManifestError, match="has no MANIFEST: write it again with `zappa save-python-settings-file"):
        read_manifest(str(tmp_path))
    (tmp_path / "zappa_settings.py").write_text("MANIFEST = {'format': 1, 'settings': open('/etc/passwd').read()}\n")
    with pytest.raises(ManifestError, match="not a settings module written by"):
        read_manifest(str(tmp_path))  # parsed as a literal, never executed
