"""``zappa init``: app detection, interactive and --yes runs, formats, global stages, no silent overwrite."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from zappa_core.commands.init import detect_apps, global_regions, random_bucket
from zappa_core.settings import load_stages
from zappa_core.settings.files import load_file

ZAPPA = str(Path(sys.executable).parent / "zappa")


def zappa_process(args, cwd, stdin=None):
    """The installed ``zappa`` command in a subprocess."""
    env = {**os.environ, "ZAPPA_CACHE_DIR": str(Path(cwd) / ".cache")}
    env.pop("AWS_REGION", None)
    env.pop("AWS_DEFAULT_REGION", None)
    return subprocess.run([ZAPPA, *args], cwd=cwd, env=env, input=stdin, capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture
def zappa(monkeypatch, capsys):
    """The same entry point as the ``zappa`` script, in this process (faster), with ``stdin`` as input."""
    from zappa_core.__main__ import main

    def run(args, cwd, stdin=None):
        monkeypatch.chdir(cwd)
        monkeypatch.delenv("AWS_REGION", raising=False)
        monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin or ""))
        code = main(args)
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(args, code, out, err)

    return run


def write(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return folder


@pytest.mark.parametrize("files, kind, target", [
    ({"app.py": "from flask import Flask\n\napplication = Flask(__name__)\n"}, "flask", "app.application"),
    ({"api/main.py": "import fastapi\napp = fastapi.FastAPI()\n"}, "fastapi", "api.main.app"),
    ({"web.py": "from starlette.applications import Starlette\nasgi = Starlette(routes=[])\n"}, "starlette", "web.asgi"),
    ({"wsgi.py": "def app(environ, start_response):\n    return [b'ok']\n"}, "wsgi", "wsgi.app"),
])
def test_detects_the_app(tmp_path, files, kind, target):
    (found, *_) = detect_apps(write(tmp_path, files))
    assert found.kind == kind and found.app_function == target


def test_detects_django_from_manage_py(tmp_path):
    write(tmp_path, {
        "manage.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings')\n",
        "mysite/settings.py": "DEBUG = True\n",
        "mysite/wsgi.py": "application = None\n",
    })
    (found,) = detect_apps(tmp_path)
    assert found.kind == "django" and found.django_settings == "mysite.settings"


def test_ignores_virtualenvs_and_hidden_folders(tmp_path):
    write(tmp_path, {"venv/pyvenv.cfg": "", "venv/lib/x.py": "app = Flask(__name__)\n",
                     ".hidden/y.py": "app = Flask(__name__)\n"})
    assert detect_apps(tmp_path) == []


def test_random_bucket_names():
    names = {random_bucket() for _ in range(20)}
    assert len(names) == 20
    assert all(re.fullmatch(r"zappa-[a-z0-9]{9}", n) for n in names)


def test_global_regions_primary_are_the_dash_one_regions():
    primary = global_regions("primary")
    assert "us-east-1" in primary and "eu-west-1" in primary and "us-east-2" not in primary
    assert set(primary) < set(global_regions("all"))


@pytest.mark.parametrize("fmt, name", [("json", "zappa_settings.json"), ("yaml", "zappa_settings.yml"),
                                       ("toml", "zappa_settings.toml")])
def test_yes_writes_a_file_that_loads(zappa, tmp_path, fmt, name):
    write(tmp_path, {"app.py": "from flask import Flask\napp = Flask(__name__)\n"})
    result = zappa(["init", "--yes", "--format", fmt, "--region", "eu-west-1", "--profile", "work"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"Wrote {name}" in result.stdout
    settings = load_stages(["dev"], project_dir=tmp_path)["dev"]
    assert settings.app_function == "app.app"
    assert settings.aws_region == "eu-west-1" and settings.profile_name == "work"
    assert re.fullmatch(r"zappa-[a-z0-9]{9}", settings.s3_bucket)
    assert settings.runtime == f"python{sys.version_info.major}.{sys.version_info.minor}"


def test_interactive_answers_through_stdin(tmp_path):
    write(tmp_path, {"app.py": "from flask import Flask\napp = Flask(__name__)\n"})
    answers = "prod\n\nap-south-1\nmy-code-bucket\n\nn\ny\n"
    result = zappa_process(["init"], tmp_path, stdin=answers)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Found: flask app app.app" in result.stdout
    data = json.loads((tmp_path / "zappa_settings.json").read_text())
    assert data["prod"]["s3_bucket"] == "my-code-bucket"
    assert data["prod"]["aws_region"] == "ap-south-1"
    assert data["prod"]["app_function"] == "app.app"
    assert "profile_name" not in data["prod"]


def test_never_overwrites_without_asking(zappa, tmp_path):
    write(tmp_path, {"app.py": "from flask import Flask\napp = Flask(__name__)\n"})
    path = tmp_path / "zappa_settings.yml"
    path.write_text("dev:\n  s3_bucket: mine\n")
    result = zappa(["init", "--yes"], tmp_path)
    assert result.returncode == 2 and "already exists; use --force" in result.stderr
    result = zappa(["init"], tmp_path, stdin="n\n")
    assert result.returncode == 1 and "Nothing written." in result.stdout
    assert path.read_text() == "dev:\n  s3_bucket: mine\n"
    result = zappa(["init", "--yes", "--force", "--format", "yaml", "--s3-bucket", "new-bucket"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert load_stages(["dev"], project_dir=tmp_path)["dev"].s3_bucket == "new-bucket"


def test_global_writes_one_stage_per_region_extending_a_common_stage(zappa, tmp_path):
    result = zappa(["init", "--yes", "--global", "primary", "--app-function", "main.app", "--format", "toml",
                    "--s3-bucket", "code"], tmp_path)
    assert result.returncode == 0, result.stderr
    stages = load_stages(None, project_dir=tmp_path)
    regional = {name: s for name, s in stages.items() if name != "dev"}
    assert "dev_us_east_1" in regional and "dev_eu_west_1" in regional
    assert set(regional) == {f"dev_{r.replace('-', '_')}" for r in global_regions("primary")}
    east = regional["dev_us_east_1"]
    assert east.aws_region == "us-east-1" and east.s3_bucket == "code-us-east-1"
    assert east.app_function == "main.app"
    raw = load_file(tmp_path / "zappa_settings.toml").data
    assert all(raw[name]["extends"] == "dev" for name in regional)
    assert len({s.s3_bucket for s in regional.values()}) == len(regional)


def test_bad_format_is_a_usage_error(zappa, tmp_path):
    result = zappa(["init", "--yes", "--format", "ini"], tmp_path)
    assert result.returncode == 2 and "--format takes json, yaml or toml" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_yes_without_an_app_refuses_and_writes_nothing(zappa, tmp_path):
    write(tmp_path, {"notes.py": "print('no app here')\n"})
    result = zappa(["init", "--yes"], tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "Error: no app found in this folder (no Flask, FastAPI, Django or other WSGI/ASGI app in its .py files), "
        "so --yes has nothing to write a stage for",
        "  hint: name it: zappa init --yes --app-function module.app (or --django-settings project.settings); "
        "run this in the app's folder; or run zappa init without --yes"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.py"]
    named = zappa(["init", "--yes", "--app-function", "notes.handler"], tmp_path)
    assert named.returncode == 0, named.stderr
