"""pytest fixtures for plugin authors (registered as the ``zappa`` pytest plugin).

- ``zappa_pm``: a fresh deploy-side plugin manager with the installed plugins.
- ``zappa_project``: a temporary project folder with a settings file; call it with the stage dict.
- ``aws_credentials``: fake credentials and region in the environment, so nothing can reach real AWS.
- ``moto_aws``: in-process moto (``mock_aws``) with fake credentials; yields an
  :class:`~zappa_core.aws.AwsClients` factory for ``us-east-1``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

import pytest


@pytest.fixture
def zappa_pm():
    from zappa_core.plugins import get_plugin_manager

    return get_plugin_manager()


@pytest.fixture
def zappa_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Path]:
    """Write ``zappa_settings.json`` with ``stages`` into a temporary folder and chdir into it."""

    def make(stages: dict[str, Any] | None = None, files: dict[str, str] | None = None) -> Path:
        stages = stages or {"dev": {"app_function": "app.app", "s3_bucket": "test-bucket", "aws_region": "us-east-1"}}
        (tmp_path / "zappa_settings.json").write_text(json.dumps(stages, indent=2))
        for name, text in (files or {}).items():
            target = tmp_path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
        monkeypatch.chdir(tmp_path)
        return tmp_path

    return make


@pytest.fixture
def aws_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SECURITY_TOKEN": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


@pytest.fixture
def moto_aws(aws_credentials):
    from moto import mock_aws

    from zappa_core.aws import AwsClients

    with mock_aws(config={"lambda": {"use_docker": False}}):
        yield AwsClients(region="us-east-1")
