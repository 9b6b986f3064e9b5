"""Fixtures of the events plugin tests: a stage's settings, a real function in in-process moto, and the
plugin's resource steps run by the engine (zappa_core.testing)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

EVENTS_DIR = Path(__file__).parent / "events"


@pytest.fixture(scope="session")
def sample() -> Callable[[str], dict]:
    """``sample("sqsEvent")`` -> a fresh copy of ``events/sqsEvent.json``."""
    return lambda name: json.loads((EVENTS_DIR / f"{name}.json").read_text())


@pytest.fixture
def load_settings(tmp_path: Path) -> Callable[..., Any]:
    """``load_settings(**stage_keys)`` -> the validated ``StageSettings`` of stage ``dev`` of project ``demo``."""
    from zappa_core.plugins import get_plugin_manager
    from zappa_core.settings import load_stage

    def load(**keys: Any) -> Any:
        stage = {"app_function": "app.app", "s3_bucket": "deploy-bucket", "aws_region": "us-east-1",
                 "project_name": "demo", **keys}
        (tmp_path / "zappa_settings.json").write_text(json.dumps({"dev": stage}))
        return load_stage("dev", pm=get_plugin_manager(), project_dir=tmp_path)

    return load


@pytest.fixture
def function(zappa_function) -> Any:
    """The stage function ``demo-dev`` in moto, made with boto3 (the core's steps are not involved): a
    :class:`zappa_core.testing.DeployedFunction`."""
    return zappa_function("demo-dev", files={"handler.py": "def lambda_handler(event, context):\n    return event\n"},
                          handler="handler.lambda_handler")


class Driver:
    """The events plugin's steps of a stage, planned and applied by :func:`zappa_core.testing.run_steps` as
    the engine does; each method returns the changes by step id."""

    def __init__(self, function: Any) -> None:
        from zappa_core.plugins import get_plugin_manager

        self.function = function
        self.pm = get_plugin_manager()

    def context(self, settings: Any) -> Any:
        return self.function.context(settings, pm=self.pm)

    def steps(self, settings: Any) -> list[Any]:
        from zappa_events.plugin import event_steps

        return event_steps(settings, self.pm)

    def _run(self, settings: Any, **options: Any) -> dict[str, Any]:
        from zappa_core.testing import run_steps

        plan = run_steps(self.context(settings), self.steps(settings), **options)
        return {change.step_id: change for change in plan.changes}

    def apply(self, settings: Any) -> dict[str, Any]:
        return self._run(settings)

    def destroy(self, settings: Any) -> dict[str, Any]:
        return self._run(settings, destroy=True)

    def plan(self, settings: Any) -> dict[str, Any]:
        return self._run(settings, apply=False)


@pytest.fixture
def driver(function) -> Driver:
    return Driver(function)
