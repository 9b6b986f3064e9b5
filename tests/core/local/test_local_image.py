"""Container images against the local AWS: ``--local`` refuses them (the local executor runs zip packages and
there is no Docker), while a stage whose ``aws_endpoint_urls`` point at the same local AWS (as they would at an
emulator that runs images) deploys, updates and undeploys its image function, read back from the local AWS."""

from __future__ import annotations

import json

import pytest
from cli_result import run_cli

pytestmark = [pytest.mark.e2e, pytest.mark.needs_plugins]

IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/shop:1"
IMAGE_2 = "123456789012.dkr.ecr.us-east-1.amazonaws.com/shop:2"
SERVICES = ("lambda", "s3", "iam", "sts", "logs", "cloudwatch", "apigateway", "apigatewayv2", "cloudformation", "events", "sns", "sqs",
            "dynamodb", "kinesis", "elbv2", "ec2", "acm", "route53", "cognito-idp", "lexv2-models", "lex-models")


def test_image_function_on_the_local_aws(local_for_cli, tmp_path, capsys, monkeypatch):
    project = tmp_path / "shop"
    project.mkdir()
    (project / "app.py").write_text("def app(environ, start_response):\n    return []\n")
    stage = {"app_function": "app.app", "project_name": "shop", "aws_region": "us-east-1", "memory_size": 1024,
             "timeout_seconds": 90, "aws_environment_variables": {"TIER": "image"}, "touch": False, "keep_warm": False}
    (project / "zappa_settings.json").write_text(json.dumps({"dev": stage, "remote": dict(
        stage, aws_endpoint_urls=dict.fromkeys(SERVICES, local_for_cli.aws_endpoint))}))
    monkeypatch.chdir(project)
    lam = local_for_cli.state.aws.client("lambda")

    refused = run_cli(capsys, ["deploy", "dev", "-d", IMAGE, "--local"])
    assert refused.code == 2 and "cannot run a container image without Docker" in refused.err
    assert "shop-dev" not in {f["FunctionName"] for f in lam.list_functions()["Functions"]}

    deployed = run_cli(capsys, ["deploy", "remote", "-d", IMAGE])
    assert deployed.code == 0, deployed
    fn = lam.get_function(FunctionName="shop-remote")
    assert fn["Configuration"]["PackageType"] == "Image" and fn["Code"]["ImageUri"] == IMAGE
    assert (fn["Configuration"]["MemorySize"], fn["Configuration"]["Timeout"]) == (1024, 90)
    assert fn["Configuration"]["Environment"]["Variables"] == {"TIER": "image"}

    assert run_cli(capsys, ["update", "remote", "-d", IMAGE_2]).code == 0
    assert lam.get_function(FunctionName="shop-remote", Qualifier="current")["Code"]["ImageUri"] == IMAGE_2
    status = json.loads(run_cli(capsys, ["status", "remote", "--json"]).out)
    assert status["package_type"] == "Image" and status["image_uri"] == IMAGE_2

    assert run_cli(capsys, ["undeploy", "remote", "--yes"]).code == 0
    assert "shop-remote" not in {f["FunctionName"] for f in lam.list_functions()["Functions"]}
