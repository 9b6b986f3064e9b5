"""Fixtures of the API Gateway plugin's tests: a stage's settings, a function in moto, a DeployContext."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from typing import Any

import pytest

pytestmark = pytest.mark.needs_plugins

HANDLER = "def handler(event, context):\n    return {'statusCode': 200, 'body': 'ok'}\n"


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


def make_zip(source: str = HANDLER) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", source)
    return buffer.getvalue()


@pytest.fixture
def function(moto_aws) -> dict[str, Any]:
    """The stage's function ``app-dev`` made with boto3 (what the core's function step would publish)."""
    iam = moto_aws.client("iam")
    role = iam.create_role(RoleName="app-dev-role", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }))["Role"]["Arn"]
    fn = moto_aws.client("lambda").create_function(
        FunctionName="app-dev", Runtime="python3.11", Role=role, Handler="handler.handler", Code={"ZipFile": make_zip()},
    )
    return {"function_name": "app-dev", "function_arn": fn["FunctionArn"], "version": "$LATEST", "role_arn": role}


@pytest.fixture
def ctx_for(moto_aws, function) -> Callable[[Any], Any]:
    """``ctx_for(settings)`` -> a DeployContext on in-process moto with the function's outputs."""
    from zappa_core.plan import DeployContext

    def make(settings: Any, **kwargs: Any) -> Any:
        lines: list[str] = []
        ctx = DeployContext(settings=settings, aws=moto_aws, echo=lines.append, **kwargs)
        ctx.outputs["core:function"] = dict(function)
        ctx.lines = lines  # type: ignore[attr-defined]
        return ctx

    return make


@pytest.fixture
def apply_step() -> Callable[[Any, Any], Any]:
    return converge


@pytest.fixture
def destroy_step() -> Callable[[Any, Any], Any]:
    return destroy


def converge(step: Any, ctx: Any) -> Any:
    """Plan and apply one step as the engine does; returns the change that was applied."""
    from zappa_core.plan import Action

    change = step.plan(ctx)
    if change.action is not Action.UNCHANGED:
        step.apply(ctx, change)
    return change


def destroy(step: Any, ctx: Any) -> Any:
    from zappa_core.plan import Action

    change = step.plan_destroy(ctx)
    if change.action is not Action.UNCHANGED:
        step.destroy(ctx, change)
    return change
