"""pytest fixtures for plugin authors (registered as the ``zappa`` pytest plugin through ``pytest11``).

- ``zappa_pm``: a fresh deploy-side plugin manager with the installed plugins.
- ``zappa_project``: a temporary project folder with a settings file; call it with the stages dict.
- ``zappa_stage``: the validated settings of one stage, from a dict of settings.
- ``zappa_cli``: runs the ``zappa`` command line in this process and returns its exit code and output.
- ``aws_credentials``: fake credentials and region in the environment, so nothing can reach real AWS.
- ``moto_aws``: in-process moto (``mock_aws``) with fake credentials; yields an
  :class:`~zappa_core.aws.AwsClients` factory for ``us-east-1``.

And a context manager for fixtures of any scope: :func:`local_aws`, the embedded local AWS in this process.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

DEFAULT_STAGE = {"app_function": "app.app", "s3_bucket": "test-bucket", "aws_region": "us-east-1"}
FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                    "AWS_DEFAULT_REGION": "us-east-1"}


@pytest.fixture
def zappa_pm():
    from zappa_core.plugins import get_plugin_manager

    return get_plugin_manager()


@pytest.fixture
def zappa_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Path]:
    """Write ``zappa_settings.json`` with ``stages`` (and any ``files``) into a temporary folder and chdir
    into it. Returns the folder."""

    def make(stages: dict[str, Any] | None = None, files: dict[str, str] | None = None) -> Path:
        stages = stages or {"dev": dict(DEFAULT_STAGE)}
        (tmp_path / "zappa_settings.json").write_text(json.dumps(stages, indent=2))
        for name, text in (files or {}).items():
            target = tmp_path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
        monkeypatch.chdir(tmp_path)
        return tmp_path

    return make


@pytest.fixture
def zappa_stage(zappa_project: Callable[..., Path], zappa_pm: Any) -> Callable[..., Any]:
    """``zappa_stage({"memory_size": 1024})``: the validated :class:`~zappa_core.settings.StageSettings` of
    stage ``dev`` (or ``stage=``) with those settings over a minimal valid stage. Bad settings raise
    :class:`~zappa_core.settings.SettingsError` with every problem."""

    def make(settings: dict[str, Any] | None = None, *, stage: str = "dev", base: bool = True) -> Any:
        from zappa_core.settings import load_stages

        body = {**(DEFAULT_STAGE if base else {}), **(settings or {})}
        folder = zappa_project({stage: body})
        return load_stages([stage], pm=zappa_pm, project_dir=folder)[stage]

    return make


@pytest.fixture
def zappa_cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> Callable[..., Any]:
    """``zappa_cli(["settings", "show", "dev"], stdin="...")``: run the ``zappa`` command line (the same
    entry point as the console script) in this process, in the current folder. Returns a
    :class:`subprocess.CompletedProcess` with ``returncode``, ``stdout`` and ``stderr``."""
    from zappa_core.__main__ import main

    def run(args: list[str], *, stdin: str | None = None) -> subprocess.CompletedProcess:
        monkeypatch.setenv("ZAPPA_NO_CACHE", "1")
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin or ""))
        capsys.readouterr()
        code = main(list(args))
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(list(args), code, out, err)

    return run


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
    for key in ("AWS_PROFILE", "AWS_REGION", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")


@pytest.fixture
def moto_aws(aws_credentials):
    from moto import mock_aws

    from zappa_core.aws import AwsClients

    with mock_aws(config={"lambda": {"use_docker": False}}):
        yield AwsClients(region="us-east-1")


@contextmanager
def local_aws(cache_dir: Path, *, for_cli: bool = False, **options: Any) -> Iterator[Any]:
    """The embedded local AWS (:class:`~zappa_core.local.server.LocalAws`) started in this process, with fake
    credentials in the environment and its scheduler off (a test fires rules itself). ``options`` go to
    ``LocalAws`` (``pm=`` gives its gateway the plugins' local routes); ``for_cli`` also points
    ``zappa ... --local`` at it. On exit it is stopped, the Lambda executor is unhooked from moto and the
    environment is restored."""
    from zappa_core.local import moto_seam
    from zappa_core.local.server import LocalAws

    with pytest.MonkeyPatch.context() as mp:
        for key, value in FAKE_CREDENTIALS.items():
            mp.setenv(key, value)
        mp.delenv("AWS_PROFILE", raising=False)
        aws = LocalAws(scheduler=False, cache_dir=cache_dir, **options).start()
        try:
            if for_cli:
                mp.setenv("ZAPPA_LOCAL_ENDPOINT", aws.aws_endpoint)
            yield aws
        finally:
            aws.stop()
            moto_seam.uninstall()
