"""Fixtures of the provisioning tests: a small project, the real CLI run in-process, in-process moto, and
a recorder of the AWS calls the CLI makes."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cli_result import Result, run_cli

FEATURE_PLUGINS = "alb,apigw,events,certs"

APP = '''
VERSION = "{version}"


def hello(event, context):
    print("hello was called")
    return {{"hello": "world", "version": VERSION}}
'''


class Project:
    """A project folder with ``app.py`` and ``zappa_settings.json``; ``stage`` is the settings of ``dev``."""

    def __init__(self, root: Path, stages: dict[str, dict]) -> None:
        self.root = root
        self.stages = stages
        self.write_app("1")
        (root / "requirements.txt").write_text("")
        self.save()

    def save(self) -> None:
        (self.root / "zappa_settings.json").write_text(json.dumps(self.stages, indent=2))

    def set(self, stage: str = "dev", **values: Any) -> None:
        self.stages[stage].update(values)
        self.save()

    def write_app(self, version: str) -> None:
        (self.root / "app.py").write_text(APP.format(version=version))


def base_stage(**extra: Any) -> dict:
    stage = {"project_name": "demo", "s3_bucket": "demo-code-bucket", "aws_region": "us-east-1", "touch": False,
             "runtime": "python3.11"}
    stage.update(extra)
    return stage


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    root = tmp_path / "demo"
    root.mkdir()
    monkeypatch.chdir(root)
    monkeypatch.setenv("ZAPPA_CACHE_DIR", str(tmp_path / "cache"))
    return Project(root, {"dev": base_stage()})


@pytest.fixture
def core_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the core's plugins: the feature plugins have their own tests."""
    monkeypatch.setenv("ZAPPA_DISABLE_PLUGINS", FEATURE_PLUGINS)


@pytest.fixture
def zappa(capsys: pytest.CaptureFixture) -> Callable[..., Result]:
    """Run the real CLI in-process (so in-process moto sees its calls): ``zappa("deploy", "dev")``."""

    def call(*args: str, stdin: str | None = None) -> Result:
        return run_cli(capsys, args, stdin)

    return call


@pytest.fixture
def aws(moto_aws):
    """In-process moto; yields boto3 clients by service name."""
    import boto3

    cache: dict[str, Any] = {}

    def client(service: str) -> Any:
        if service not in cache:
            cache[service] = boto3.client(service, region_name="us-east-1")
        return cache[service]

    return client


class Calls:
    """Every AWS API call made in-process: ``(service, operation)`` pairs."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    def named(self, operation: str) -> list[tuple[str, str]]:
        return [c for c in self.calls if c[1] == operation]

    def writes(self) -> list[tuple[str, str]]:
        reads = ("Get", "List", "Describe", "Head")
        return [c for c in self.calls if not c[1].startswith(reads)]


@pytest.fixture
def aws_calls(monkeypatch: pytest.MonkeyPatch) -> Calls:
    from botocore.client import BaseClient

    calls = Calls()
    original = BaseClient._make_api_call

    def record(self, operation_name, api_params):
        calls.calls.append((self.meta.service_model.service_name, operation_name))
        return original(self, operation_name, api_params)

    monkeypatch.setattr(BaseClient, "_make_api_call", record)
    return calls


@pytest.fixture
def fail_at(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """``fail_at("CreateFunction")``: the first call of that operation raises a botocore ClientError (a hard,
    non-transient failure, as AWS would answer a bad request)."""
    from botocore.client import BaseClient
    from botocore.exceptions import ClientError

    original = BaseClient._make_api_call

    def arm(operation: str, times: int = 1, code: str = "InjectedFailure") -> None:
        state = {"left": times}

        def maybe_fail(self, operation_name, api_params):
            if operation_name == operation and state["left"] > 0:
                state["left"] -= 1
                raise ClientError({"Error": {"Code": code, "Message": f"injected failure of {operation_name}"},
                                   "ResponseMetadata": {"HTTPStatusCode": 400}}, operation_name)
            return original(self, operation_name, api_params)

        monkeypatch.setattr(BaseClient, "_make_api_call", maybe_fail)

    return arm


def snapshot(client: Callable[[str], Any], function: str = "demo-dev", bucket: str = "demo-code-bucket") -> dict:
    """What a stage looks like in AWS, without ids and timestamps: compared between runs."""
    from zappa_core.resources.util import ALIAS

    lam, iam, s3, logs = client("lambda"), client("iam"), client("s3"), client("logs")
    state: dict[str, Any] = {}
    try:
        fn = lam.get_function(FunctionName=function)
    except lam.exceptions.ResourceNotFoundException:
        fn = None
    if fn:
        conf = fn["Configuration"]
        state["function"] = {k: conf.get(k) for k in ("Runtime", "Handler", "MemorySize", "Timeout", "Role", "CodeSha256",
                                                      "Description", "Environment", "Architectures")}
        state["tags"] = fn.get("Tags")
        versions = [v for v in lam.list_versions_by_function(FunctionName=function)["Versions"] if v["Version"] != "$LATEST"]
        state["versions"] = len(versions)
        alias = lam.get_alias(FunctionName=function, Name=ALIAS)
        state["alias_code"] = lam.get_function_configuration(FunctionName=function, Qualifier=alias["FunctionVersion"])["CodeSha256"]
    roles = [r["RoleName"] for r in iam.list_roles()["Roles"]]
    state["roles"] = sorted(roles)
    state["role_policies"] = {r: sorted(iam.list_role_policies(RoleName=r)["PolicyNames"]) for r in roles}
    state["role_policy_docs"] = {r: [iam.get_role_policy(RoleName=r, PolicyName=p)["PolicyDocument"]
                                     for p in iam.list_role_policies(RoleName=r)["PolicyNames"]] for r in roles}
    buckets = [b["Name"] for b in s3.list_buckets()["Buckets"]]
    state["buckets"] = buckets
    if bucket in buckets:
        state["objects"] = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", []))
        state["encryption"] = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]
        state["public_access"] = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    state["log_groups"] = sorted(g["logGroupName"] for g in logs.describe_log_groups()["logGroups"])
    return state
