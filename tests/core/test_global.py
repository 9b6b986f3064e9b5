"""Global (multi-region) deployment end to end: ``zappa init --yes --global primary`` writes one stage per
region, then ``deploy --all``, ``update --all``, ``status --all --json`` and ``undeploy --all --yes`` run
the real CLI against one moto server on a free port of 127.0.0.1 (moto keeps each region apart, as AWS
does). Every check reads AWS back with boto3, region by region."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cli_result import Result, run_cli
from zappa_core.settings.files import load_file

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.needs_plugins]  # the stages use the events plugin

SERVICES = ("lambda", "s3", "iam", "sts", "logs", "cloudwatch", "apigateway", "apigatewayv2", "cloudformation",
            "events", "sns", "sqs", "dynamodb", "kinesis", "elbv2", "ec2", "acm", "route53", "cognito-idp")
# three of the regions init writes: enough to show each stage lands in its own region, small enough to be quick
REGIONS = ("us-east-1", "eu-west-1", "ap-northeast-1")

APP = '''
def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"hello from every region"]
'''


def stage_of(region: str) -> str:
    return "dev_" + region.replace("-", "_")


@pytest.fixture(scope="module")
def moto_server():
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def client(moto_server):
    import boto3

    def make(service: str, region: str) -> Any:
        return boto3.client(service, region_name=region, endpoint_url=moto_server,
                            aws_access_key_id="testing", aws_secret_access_key="testing")

    return make


@pytest.fixture
def zappa(tmp_path, monkeypatch, capsys):
    """The real CLI, in this process (the moto server is in this process too, reached over HTTP)."""
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_SESSION_TOKEN", "ZAPPA_DISABLE_PLUGINS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("ZAPPA_CACHE_DIR", str(tmp_path / "cache"))

    def call(*args: str) -> Result:
        return run_cli(capsys, args)

    return call


@pytest.fixture
def project(tmp_path, monkeypatch, zappa, moto_server) -> Path:
    """A WSGI app whose settings ``zappa init --yes --global primary`` wrote, kept to three regions and
    pointed at the moto server (the common stage carries what every region shares)."""
    root = tmp_path / "hello"
    root.mkdir()
    (root / "app.py").write_text(APP)
    (root / "requirements.txt").write_text("")  # no dependencies: the package is the app and the runtime
    monkeypatch.chdir(root)
    result = zappa("init", "--yes", "--global", "primary")
    assert result.code == 0, result
    assert "zappa deploy --all" in result.out
    path = root / "zappa_settings.json"
    written = json.loads(path.read_text())
    assert set(REGIONS) <= {s.get("aws_region") for s in written.values()}
    kept = {name: stage for name, stage in written.items() if name == "dev" or stage.get("aws_region") in REGIONS}
    assert list(kept) == ["dev", *sorted(stage_of(r) for r in REGIONS)]
    kept["dev"].update(touch=False, keep_warm=False, aws_endpoint_urls=dict.fromkeys(SERVICES, moto_server))
    path.write_text(json.dumps(kept, indent=2))
    return root


def test_primary_regions_are_the_dash_one_regions_every_account_has():
    from zappa_core.commands.init import global_regions

    primary = global_regions("primary")
    assert {"us-east-1", "us-west-1", "eu-west-1", "eu-central-1", "ap-northeast-1", "sa-east-1"} <= set(primary)
    assert all(r.endswith("-1") for r in primary)
    assert "af-south-1" not in primary and "me-south-1" not in primary  # opt-in regions
    assert "af-south-1" in global_regions("all")


def test_a_bucket_too_long_for_a_region_is_refused_and_nothing_is_written(zappa, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "app.py").write_text(APP)
    result = zappa("init", "--yes", "--global", "primary", "--s3-bucket", "b" * 50)
    assert result.code == 2, result
    assert "is not a valid S3 bucket name" in result.err and "ap-northeast-1" in result.err
    assert not (tmp_path / "zappa_settings.json").exists()


def test_all_keeps_a_stage_that_others_extend_when_it_can_be_deployed(zappa, tmp_path, monkeypatch, moto_server):
    """The common stage is left out only because it has no bucket: with 'prod extends dev', --all is both."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "app.py").write_text(APP)
    stages = {"dev": {"project_name": "hello", "s3_bucket": "hello-code", "aws_region": "us-east-1",
                      "app_function": "app.app", "aws_endpoint_urls": dict.fromkeys(SERVICES, moto_server)},
              "prod": {"extends": "dev"}}
    (tmp_path / "zappa_settings.json").write_text(json.dumps(stages))
    result = zappa("status", "--all", "--json")
    assert result.code == 1, result  # neither is deployed
    assert [(r["stage"], r["ok"]) for r in result.json()] == [("dev", False), ("prod", False)]
    assert "leaving out" not in result.err


def settings_of(root: Path) -> dict:
    return load_file(root / "zappa_settings.json").data


def functions(client, region: str) -> list[str]:
    return sorted(f["FunctionName"] for f in client("lambda", region).list_functions()["Functions"])


def buckets(client, region: str) -> list[str]:
    s3 = client("s3", region)
    return sorted(b["Name"] for b in s3.list_buckets()["Buckets"]
                  if (s3.get_bucket_location(Bucket=b["Name"])["LocationConstraint"] or "us-east-1") == region)


def rest_apis(client, region: str) -> list[str]:
    return sorted(a["name"] for a in client("apigateway", region).get_rest_apis()["items"])


def leftovers(client, region: str) -> dict[str, list[str]]:
    """What a stage could leave behind in a region, but for its code bucket (kept, as in Zappa)."""
    found = {
        "functions": functions(client, region),
        "rest_apis": rest_apis(client, region),
        "http_apis": sorted(a["Name"] for a in client("apigatewayv2", region).get_apis()["Items"]),
        "rules": sorted(r["Name"] for r in client("events", region).list_rules()["Rules"]),
        "log_groups": sorted(g["logGroupName"] for g in client("logs", region).describe_log_groups()["logGroups"]),
    }
    return {kind: names for kind, names in found.items() if names}


def test_init_global_then_deploy_update_status_undeploy_every_region(project, zappa, client):
    settings = settings_of(project)
    bucket_of = {r: settings[stage_of(r)]["s3_bucket"] for r in REGIONS}
    assert len(set(bucket_of.values())) == len(REGIONS)

    deployed = zappa("deploy", "--all")
    assert deployed.code == 0, deployed
    assert "deploy summary:" in deployed.out
    for region in REGIONS:
        assert f"{stage_of(region)}" in deployed.out
        assert functions(client, region) == [f"hello-{stage_of(region).replace('_', '-')}"]
        assert buckets(client, region) == [bucket_of[region]], region
        assert len(rest_apis(client, region)) == 1, region
        assert {"functions", "rest_apis"} <= set(leftovers(client, region))
    assert "FAILED" not in deployed.out

    (project / "app.py").write_text(APP.replace("every region", "every region, again"))
    updated = zappa("update", "--all")
    assert updated.code == 0, updated
    for region in REGIONS:
        lam = client("lambda", region)
        name = functions(client, region)[0]
        versions = [v for v in lam.list_versions_by_function(FunctionName=name)["Versions"] if v["Version"] != "$LATEST"]
        assert len(versions) == 2, (region, versions)

    status = zappa("status", "--all", "--json")
    assert status.code == 0, status
    entries = status.json()
    assert [e["stage"] for e in entries] == sorted(stage_of(r) for r in REGIONS)  # the file's order
    for entry in entries:
        region = entry["region"]
        assert entry["ok"] is True and entry["stage"] == stage_of(region)
        assert entry["function_arn"].split(":")[3] == region
        assert entry["url"] and region in entry["url"], entry

    removed = zappa("undeploy", "--all", "--yes", "--remove-logs")
    assert removed.code == 0, removed
    for region in REGIONS:
        assert leftovers(client, region) == {}, region
    assert [r["RoleName"] for r in client("iam", "us-east-1").list_roles()["Roles"]] == []


def set_stage(root: Path, stage: str, **values: Any) -> None:
    path = root / "zappa_settings.json"
    data = json.loads(path.read_text())
    data[stage].update(values)
    path.write_text(json.dumps(data, indent=2))


def test_a_region_that_aws_refuses_fails_alone(project, zappa, client):
    broken = stage_of("eu-west-1")
    set_stage(project, broken, manage_roles=False, role_name="no-such-role")  # valid settings, refused by AWS

    deployed = zappa("deploy", "--all")
    assert deployed.code == 1, deployed
    summary = deployed.out.split("deploy summary:", 1)[1].splitlines()
    row = next(line for line in summary if line.split()[:1] == [broken])
    assert "FAILED" in row and "no-such-role" in row, row
    for region in ("us-east-1", "ap-northeast-1"):
        ok_row = next(line for line in summary if line.split()[:1] == [stage_of(region)])
        assert " ok " in ok_row, ok_row
        assert functions(client, region) == [f"hello-{stage_of(region).replace('_', '-')}"]
    assert functions(client, "eu-west-1") == []
    assert f"stage '{broken}'" in deployed.err

    # undeploy removes the others and finds nothing of the failed stage to remove
    removed = zappa("undeploy", "--all", "--yes", "--remove-logs")
    assert removed.code == 0, removed
    assert [line.split()[:2] for line in removed.out.split("undeploy summary:", 1)[1].splitlines() if line.strip()] == [
        [stage_of("ap-northeast-1"), "ok"], [broken, "ok"], [stage_of("us-east-1"), "ok"]]
    for region in REGIONS:
        assert leftovers(client, region) == {}, region

    set_stage(project, broken, manage_roles=True)
    assert zappa("deploy", broken).code == 0
    assert functions(client, "eu-west-1") == ["hello-dev-eu-west-1"]
    removed = zappa("undeploy", "--all", "--yes", "--remove-logs")
    assert removed.code == 0, removed
    for region in REGIONS:
        assert leftovers(client, region) == {}, region


def test_an_aws_error_in_one_region_fails_that_stage_alone_json(project, zappa, client, monkeypatch):
    """AWS refusing a call in one region is injected by wrapping botocore's call method (moto cannot be told
    to fail a single region); every other call reaches the moto server."""
    from botocore.client import BaseClient
    from botocore.exceptions import ClientError

    original = BaseClient._make_api_call

    def refuse_in_tokyo(self, operation_name, api_params):
        if operation_name == "CreateFunction" and self.meta.region_name == "ap-northeast-1":
            raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "not allowed in this region"},
                               "ResponseMetadata": {"HTTPStatusCode": 403}}, operation_name)
        return original(self, operation_name, api_params)

    monkeypatch.setattr(BaseClient, "_make_api_call", refuse_in_tokyo)
    deployed = zappa("deploy", "--all", "--json")
    assert deployed.code == 1, deployed
    results = {r["stage"]: r for r in deployed.json()}
    assert sorted(results) == sorted(stage_of(r) for r in REGIONS)
    failed = results.pop(stage_of("ap-northeast-1"))
    assert failed["ok"] is False and "not allowed in this region" in failed["error"], failed
    for stage, result in results.items():
        region = stage[len("dev_"):].replace("_", "-")
        assert result["ok"] is True and result["function_arn"].split(":")[3] == region, result
    assert functions(client, "ap-northeast-1") == []

    monkeypatch.setattr(BaseClient, "_make_api_call", original)
    status = zappa("status", "--all", "--json")
    assert status.code == 1, status
    entries = {e["stage"]: e for e in status.json()}
    assert entries[stage_of("ap-northeast-1")]["ok"] is False
    assert "not deployed" in entries[stage_of("ap-northeast-1")]["error"]
    assert all(entries[stage_of(r)]["ok"] for r in ("us-east-1", "eu-west-1"))

    retried = zappa("deploy", stage_of("ap-northeast-1"))
    assert retried.code == 0, retried
    assert functions(client, "ap-northeast-1") == ["hello-dev-ap-northeast-1"]
    removed = zappa("undeploy", "--all", "--yes", "--remove-logs")
    assert removed.code == 0, removed
    for region in REGIONS:
        assert leftovers(client, region) == {}, region
