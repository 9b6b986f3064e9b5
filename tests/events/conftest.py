"""Fixtures of the events plugin tests: a stage's settings, a real function in in-process moto, and a
way to drive the plugin's resource steps (plan, then apply) as the engine does."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

EVENTS_DIR = Path(__file__).parent / "events"
ROLE_POLICY = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


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


def make_zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


@pytest.fixture
def function(moto_aws) -> dict[str, str]:
    """The stage function ``demo-dev``, created with boto3 in moto (the core's steps are not involved)."""
    iam = moto_aws.client("iam")
    role = iam.create_role(RoleName="demo-dev-role", AssumeRolePolicyDocument=ROLE_POLICY)["Role"]["Arn"]
    created = moto_aws.client("lambda").create_function(
        FunctionName="demo-dev", Runtime="python3.11", Role=role, Handler="handler.lambda_handler",
        Code={"ZipFile": make_zip({"handler.py": "def lambda_handler(event, context):\n    return event\n"})})
    return {"name": "demo-dev", "arn": created["FunctionArn"]}


class Driver:
    """Plans and applies the events plugin's steps the way the engine does, and keeps the last plan."""

    def __init__(self, aws: Any, function: dict[str, str]) -> None:
        from zappa_core.plugins import get_plugin_manager

        self.aws = aws
        self.function = function
        self.pm = get_plugin_manager()

    def context(self, settings: Any) -> Any:
        from zappa_core.plan import DeployContext

        return DeployContext(settings=settings, aws=self.aws, pm=self.pm,
                             outputs={"core:function": {"function_name": self.function["name"],
                                                        "function_arn": self.function["arn"]}})

    def steps(self, settings: Any) -> list[Any]:
        from zappa_events.plugin import event_steps

        return event_steps(settings, self.pm)

    def apply(self, settings: Any) -> dict[str, Any]:
        ctx = self.context(settings)
        changes = {}
        for step in self.steps(settings):
            change = step.plan(ctx)
            changes[step.id] = change
            if change.action.value != "unchanged":
                step.apply(ctx, change)
        return changes

    def destroy(self, settings: Any) -> dict[str, Any]:
        ctx = self.context(settings)
        changes = {}
        for step in reversed(self.steps(settings)):
            change = step.plan_destroy(ctx)
            changes[step.id] = change
            if change.action.value != "unchanged":
                step.destroy(ctx, change)
        return changes

    def plan(self, settings: Any) -> dict[str, Any]:
        ctx = self.context(settings)
        return {step.id: step.plan(ctx) for step in self.steps(settings)}


@pytest.fixture
def driver(moto_aws, function) -> Driver:
    return Driver(moto_aws, function)
