"""Missing AWS credentials are found before anything is packaged, and the error says how to provide them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ZAPPA = str(Path(sys.executable).parent / "zappa")
FIXES = ("hint: run 'aws configure', set AWS_PROFILE or the stage's profile_name to a profile that has credentials "
         "(or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), or add --local to work on the local AWS "
         "('zappa local start')")


def run(project: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ZAPPA_LOCAL"))}
    env.update(HOME=str(project / "home"), AWS_EC2_METADATA_DISABLED="true", ZAPPA_CACHE_DIR=str(project / "cache"))
    return subprocess.run([ZAPPA, *args], cwd=project, env=env, capture_output=True, text=True, check=False,
                          timeout=120)


@pytest.fixture
def project(tmp_path):
    (tmp_path / "home").mkdir()
    (tmp_path / "app.py").write_text("def app(environ, start_response):\n    return [b'ok']\n")
    (tmp_path / "requirements.txt").write_text("")
    stage = {"project_name": "shop", "app_function": "app.app", "s3_bucket": "shop-code", "aws_region": "us-east-1"}
    (tmp_path / "zappa_settings.json").write_text(json.dumps({"dev": stage, "prod": dict(stage, profile_name="nope")}))
    return tmp_path


@pytest.mark.parametrize("command", ["deploy", "update", "plan"])
def test_no_credentials_is_an_error_with_the_fixes_before_packaging(project, command):
    result = run(project, command, "dev")
    assert result.returncode == 1, result
    assert result.stderr.splitlines() == [
        "Error: no AWS credentials found (looked in the environment, ~/.aws or an instance role)", f"  {FIXES}"]
    assert "Dependencies" not in result.stdout and not (project / ".zappa" / "build").exists()  # nothing packaged


def test_a_profile_that_does_not_exist_is_named(project):
    result = run(project, "deploy", "prod")
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == "Error: the AWS profile 'nope' is not configured on this machine"
    assert FIXES in result.stderr and not (project / ".zappa" / "build").exists()
