"""Projects for the ``slim_handler`` and ``dependencies_layer`` tests on the local AWS: a Flask app and a Django
project whose answer names the code version, the process and the file it was imported from, and a runner of
the real CLI (``--local``) in the project's folder.

A module of its own, not a ``conftest``: test folders each have one, and ``from conftest import`` could
resolve to another folder's when the whole suite runs in one process."""

from __future__ import annotations

import json
import shutil
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from cli_result import Result, run_cli

PACKAGING_APPS = Path(__file__).resolve().parents[1] / "packaging" / "apps"
BUCKET = "big-projects-code"
OTHERS_OBJECT = "someone-else/notes.txt"

FLASK_APP = '''import os

from flask import Flask

VERSION = "{version}"
app = Flask(__name__)


@app.route("/")
def index():
    with open("data.txt") as data:  # relative to the project folder, as when run from it
        return {{"version": VERSION, "pid": os.getpid(), "file": __file__, "data": data.read().strip()}}
'''

DJANGO_VIEW = '''import os

from django.http import JsonResponse

VERSION = "{version}"


def index(request):
    return JsonResponse({{"version": VERSION, "pid": os.getpid(), "file": __file__}})
'''


class Project:
    """A project folder with stage ``dev``; ``write(version)`` changes the app's code only."""

    def __init__(self, root: Path, framework: str, stage: dict[str, Any]) -> None:
        self.root, self.framework = root, framework
        self.settings = {"dev": stage}
        self.save()

    @property
    def function_name(self) -> str:
        return f"{self.settings['dev']['project_name']}-dev"

    @property
    def app_file(self) -> str:
        return "app.py" if self.framework == "flask" else "hello/views.py"

    def save(self) -> None:
        (self.root / "zappa_settings.json").write_text(json.dumps(self.settings, indent=1))

    def write(self, version: str) -> None:
        template = FLASK_APP if self.framework == "flask" else DJANGO_VIEW
        (self.root / self.app_file).write_text(template.format(version=version))


def make_project(folder: Path, framework: str, **settings: Any) -> Project:
    """A Flask app (``requirements.txt: flask``) or a Django project (``django``), at version 1."""
    if framework == "flask":
        folder.mkdir(parents=True)
        (folder / "requirements.txt").write_text("flask\n")
        stage = {"app_function": "app.app"}
    else:
        shutil.copytree(PACKAGING_APPS / "django_app", folder)
        stage = {"django_settings": "mysite.settings"}
    stage.update({"project_name": f"big-{framework}", "s3_bucket": BUCKET, "aws_region": "us-east-1",
                  "runtime": "python3.11", "log_level": "INFO", "keep_warm": False, "touch": False},
                 **settings)
    project = Project(folder, framework, stage)
    (folder / "data.txt").write_text("from the project\n")
    project.write("1")
    return project


def zappa(capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch, project: Project, *args: str,
          code: int = 0) -> Result:
    """``zappa *args --local`` in the project's folder; fails the test unless it exits with ``code``."""
    monkeypatch.chdir(project.root)
    result = run_cli(capsys, [*args, "--local"])
    if result.code != code:
        print(run_cli(capsys, ["tail", "dev", "--local", "--disable-keep-open"]).out[-3000:])
    assert result.code == code, result
    return result


def get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=300) as response:  # a cold start on a busy machine
        assert response.status == 200
        return json.loads(response.read())


def stage_objects(aws: Any) -> list[str]:
    """Every key of the code bucket."""
    s3 = aws.state.aws.client("s3")
    return sorted(o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET).get("Contents", []))
