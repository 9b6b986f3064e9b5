"""The ``zappa_core.testing`` pytest plugin, as a plugin author's test suite sees it (found through the
``pytest11`` entry point in a separate pytest run, with no conftest)."""

from __future__ import annotations

import subprocess
import sys

AUTHOR_TESTS = '''
import pytest
from zappa_core.settings import SettingsError


def test_stage(zappa_stage):
    settings = zappa_stage({"memory_size": 1024})
    assert settings.memory_size == 1024 and settings.s3_bucket == "test-bucket"
    with pytest.raises(SettingsError, match="did you mean 'timeout_seconds'"):
        zappa_stage({"timout_seconds": 3})


def test_project_and_cli(zappa_project, zappa_cli):
    folder = zappa_project({"dev": {"s3_bucket": "code-bucket"}}, files={"app.py": "app = None"})
    assert (folder / "app.py").read_text() == "app = None"
    result = zappa_cli(["settings", "show", "dev"])
    assert result.returncode == 0 and '"s3_bucket": "code-bucket"' in result.stdout


def test_pm(zappa_pm):
    assert zappa_pm.get_plugin("core.settings") is not None


def test_moto(moto_aws):
    moto_aws.client("sqs").create_queue(QueueName="q")
    assert len(moto_aws.client("sqs").list_queues()["QueueUrls"]) == 1
'''


def test_fixtures_are_available_to_any_test_suite(tmp_path):
    (tmp_path / "test_author.py").write_text(AUTHOR_TESTS)
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
                             str(tmp_path / "test_author.py")], cwd=tmp_path, capture_output=True, text=True,
                            timeout=300, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 passed" in result.stdout
