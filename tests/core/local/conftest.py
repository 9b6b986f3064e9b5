"""Fixtures for the local AWS tests: an in-process moto server with the executor, and real zips."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cli_result import Result, run_cli
from local_zip import make_zip


@pytest.fixture(scope="module")
def local_aws(tmp_path_factory):
    """The whole local AWS in this process (moto + executor + gateway), scheduler off, no plugin routes."""
    from zappa_core import testing

    routes: list[Any] = []
    with testing.local_aws(tmp_path_factory.mktemp("local-cache"), route_provider=lambda: routes) as aws:
        aws.routes = routes  # tests append LocalRoute records, then call aws.gateway.invalidate()
        yield aws


@pytest.fixture(scope="module")
def aws_module_credentials():
    mp = pytest.MonkeyPatch()
    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                       "AWS_DEFAULT_REGION": "us-east-1"}.items():
        mp.setenv(key, value)
    mp.delenv("AWS_PROFILE", raising=False)
    yield
    mp.undo()


@pytest.fixture(scope="module")
def role_arn(local_aws) -> str:
    iam = local_aws.state.aws.client("iam")
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                                      "Action": "sts:AssumeRole"}]}
    return iam.create_role(RoleName=f"role-{uuid.uuid4().hex[:8]}", AssumeRolePolicyDocument=json.dumps(policy))["Role"]["Arn"]


@pytest.fixture
def deploy_function(local_aws, role_arn) -> Callable[..., str]:
    """Create a function from ``{"file.py": source}`` and return its (unique) name."""
    lam = local_aws.state.aws.client("lambda")

    def deploy(files: dict[str, str], handler: str = "app.handler", **extra: Any) -> str:
        name = f"fn-{uuid.uuid4().hex[:10]}"
        lam.create_function(FunctionName=name, Runtime="python3.11", Role=role_arn, Handler=handler,
                            Code={"ZipFile": make_zip(files)}, **extra)
        return name

    return deploy


@pytest.fixture
def zappa(capsys, monkeypatch):
    """Run the CLI in this process (as the console script does) in a project folder."""

    def call(project: Path, *args: str, check: bool = True, stdin: str | None = None) -> Result:
        monkeypatch.chdir(project)
        result = run_cli(capsys, args, stdin=stdin)
        if check:
            assert result.code == 0, result
        return result

    return call


@pytest.fixture(scope="module")
def local_for_cli(tmp_path_factory):
    """The local AWS in this process, reached by ``zappa ... --local`` (its gateway too), with the code bucket
    of ``big_projects`` and an object of somebody else's in it, which no undeploy may touch."""
    from big_projects import BUCKET, OTHERS_OBJECT

    from zappa_core import testing

    with testing.local_aws(tmp_path_factory.mktemp("local-cli"), for_cli=True) as aws, \
            pytest.MonkeyPatch.context() as mp:
        mp.setenv("ZAPPA_LOCAL_GATEWAY", aws.gateway_endpoint)
        s3 = aws.state.aws.client("s3")
        s3.create_bucket(Bucket=BUCKET)
        s3.put_object(Bucket=BUCKET, Key=OTHERS_OBJECT, Body=b"keep me")
        yield aws
