"""Fixtures of the API Gateway plugin's tests: a stage's settings, a function in moto, a DeployContext."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

pytestmark = pytest.mark.needs_plugins


@pytest.fixture
def make_settings(tmp_path, monkeypatch) -> Callable[..., Any]:
    """``make_settings(**stage_keys)`` -> the validated StageSettings of stage ``dev`` of project ``app``."""
    from zappa_core.settings import load_stage

    def make(stage: str = "dev", files: dict[str, str] | None = None, **keys: Any) -> Any:
        base = {"project_name": "app", "app_function": "app.app", "s3_bucket": "bucket", "aws_region": "us-east-1"}
        base.update(keys)
        (tmp_path / "zappa_settings.json").write_text(json.dumps({stage: base}))
        for name, text in (files or {}).items():
            (tmp_path / name).write_text(text)
        return load_stage(stage, project_dir=tmp_path)

    monkeypatch.chdir(tmp_path)
    return make


@pytest.fixture
def function(zappa_function) -> Any:
    """The stage's function ``app-dev`` in moto (a :class:`zappa_core.testing.DeployedFunction`)."""
    return zappa_function("app-dev")


@pytest.fixture
def ctx_for(function) -> Callable[..., Any]:
    """``ctx_for(settings)`` -> a DeployContext on in-process moto with the function's outputs; what the
    steps echo is kept in ``ctx.lines``."""

    def make(settings: Any, **kwargs: Any) -> Any:
        lines: list[str] = []
        ctx = function.context(settings, echo=lines.append, **kwargs)
        ctx.lines = lines  # type: ignore[attr-defined]
        return ctx

    return make
