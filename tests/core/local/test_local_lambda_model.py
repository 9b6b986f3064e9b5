"""Lambda's control plane on the local AWS where moto alone differs: version numbers never reused after
old versions are pruned (so rollback works), configuration moto drops (``dead_letter_arn``, ``snap_start``)
kept so it is not planned again forever, and alias routing weights honoured."""

from __future__ import annotations

import json
from collections import Counter
from types import SimpleNamespace

import pytest
from cli_result import run_cli
from local_zip import make_zip

pytestmark = [pytest.mark.e2e]

APP = 'VERSION = "{version}"\n\n\ndef hello(event, context):\n    return {{"version": VERSION}}\n'


@pytest.fixture(scope="module")
def local(tmp_path_factory):
    from zappa_core import testing

    with testing.local_aws(tmp_path_factory.mktemp("cache"), for_cli=True) as aws:
        yield aws


@pytest.fixture
def project(tmp_path, monkeypatch, local):
    root = tmp_path / "demo"
    root.mkdir()
    (root / "app.py").write_text(APP.format(version="1"))
    (root / "requirements.txt").write_text("")
    monkeypatch.chdir(root)
    monkeypatch.setenv("ZAPPA_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("ZAPPA_DISABLE_PLUGINS", "alb,apigw,events,certs")

    def settings(**values):
        stage = {"project_name": f"demo{abs(hash(str(tmp_path))) % 10**6}", "s3_bucket": "demo-code-bucket",
                 "aws_region": "us-east-1", "touch": False, "runtime": "python3.11", **values}
        (root / "zappa_settings.json").write_text(json.dumps({"dev": stage}))
        return stage["project_name"] + "-dev"

    return SimpleNamespace(root=root, settings=settings)


@pytest.fixture
def zappa(capsys):
    def call(*args: str):
        result = run_cli(capsys, [*args, "--local"])
        assert result.code == 0, result
        return result

    return call


def test_versions_are_never_reused_after_pruning_and_rollback_works(project, zappa, local):
    name = project.settings(num_retained_versions=2)
    zappa("deploy", "dev")
    for version in ("2", "3", "4"):
        (project.root / "app.py").write_text(APP.format(version=version))
        zappa("update", "dev")
    lam = local.state.aws.client("lambda")
    versions = [v["Version"] for v in lam.list_versions_by_function(FunctionName=name)["Versions"]]
    assert versions == ["$LATEST", "3", "4"]
    result = zappa("rollback", "dev", "-n", "1")
    assert "version 3's code is live again" in result.out
    assert '"version": "3"' in zappa("invoke", "dev", "app.hello").out
    (project.root / "app.py").write_text(APP.format(version="5"))
    zappa("update", "dev")
    versions = [v["Version"] for v in lam.list_versions_by_function(FunctionName=name)["Versions"]]
    assert versions[-1] not in {"1", "2", "3", "4"} and int(versions[-1]) > 4


def test_dead_letter_arn_and_snap_start_are_planned_once(project, zappa, local):
    queue = local.state.aws.client("sqs").create_queue(QueueName="dlq-plan")["QueueUrl"]
    arn = local.state.aws.client("sqs").get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    name = project.settings(dead_letter_arn=arn, snap_start="PublishedVersions")
    zappa("deploy", "dev")
    config = local.state.aws.client("lambda").get_function_configuration(FunctionName=name)
    assert config["DeadLetterConfig"] == {"TargetArn": arn}
    assert config["SnapStart"]["ApplyOn"] == "PublishedVersions"
    plan = json.loads(zappa("plan", "dev", "--json").out)
    function = [c for c in plan["changes"] if c["step"] == "core:function"]
    assert function and function[0]["action"] == "unchanged", function
    project.settings(dead_letter_arn="", snap_start="None")
    zappa("update", "dev")
    config = local.state.aws.client("lambda").get_function_configuration(FunctionName=name)
    assert "DeadLetterConfig" not in config and config["SnapStart"]["ApplyOn"] == "None"


def test_alias_routing_weights_split_invocations(local, tmp_path):
    from zappa_core.local.moto_seam import invoke_deployed

    lam = local.state.aws.client("lambda")
    role = local.state.aws.client("iam").create_role(RoleName="weights-role", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    source = "import os\ndef handler(event, context):\n    return os.environ['AWS_LAMBDA_FUNCTION_VERSION']\n"
    lam.create_function(FunctionName="weighted", Runtime="python3.11", Role=role, Handler="app.handler",
                        Code={"ZipFile": make_zip({"app.py": source})})
    first = lam.publish_version(FunctionName="weighted")["Version"]
    lam.update_function_code(FunctionName="weighted", ZipFile=make_zip({"app.py": source + "# v2\n"}))
    second = lam.publish_version(FunctionName="weighted")["Version"]
    lam.create_alias(FunctionName="weighted", Name="live", FunctionVersion=first,
                     RoutingConfig={"AdditionalVersionWeights": {second: 0.1}})
    runs = 300
    counts = Counter(json.loads(invoke_deployed("weighted", {}, qualifier="live").payload) for _ in range(runs))
    # 10 % of 300: 30 expected, standard deviation 5.2; four deviations either way
    assert set(counts) == {first, second} and 9 <= counts[second] <= 51, counts
    response = lam.invoke(FunctionName="weighted", Qualifier="live", Payload=b"{}")
    assert response["ResponseMetadata"]["HTTPHeaders"]["x-amz-executed-version"] == json.loads(response["Payload"].read())
    lam.update_alias(FunctionName="weighted", Name="live", RoutingConfig={"AdditionalVersionWeights": {}})
    assert {json.loads(invoke_deployed("weighted", {}, qualifier="live").payload) for _ in range(20)} == {first}
