"""Global (multi-region) deployment end to end: ``zappa init --yes --global primary`` writes one stage per
region, then ``deploy --all``, ``update --all``, ``status --all --json`` and ``undeploy --all --yes`` run
the real CLI against one moto server on a free port of 127.0.0.1 (moto keeps each region apart, as AWS
does). Every check reads AWS back with boto3, region by region."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from zappa_core.settings.files import load_file

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

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


class Result:
    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err

    def json(self) -> Any:
        return json.loads(self.out)

    def __repr__(self) -> str:
        return f"<exit {self.code}\nstdout:\n{self.out}\nstderr:\n{self.err}>"


@pytest.fixture
def zappa(tmp_path, monkeypatch, capsys):
    """The real CLI, in this process (the moto server is in this process too, reached over HTTP)."""
    from zappa_core.cli import run

    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_SESSION_TOKEN", "ZAPPA_DISABLE_PLUGINS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("ZAPPA_CACHE_DIR", str(tmp_path / "cache"))

    def call(*args: str) -> Result:
        capsys.readouterr()
        monkeypatch.setattr(sys, "stdin", io.StringIO(""))
        code = run(list(args))
        out, err = capsys.readouterr()
        return Result(code, out, err)

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
    kept["dev"].update(touch=False, keep_warm=False, aws_endpoint_urls={s: moto_server for s in SERVICES})
    path.write_text(json.dumps(kept, indent=2))
    return root


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

    removed = zappa("undeploy", "--all", "--yes")
    assert removed.code == 0, removed
    for region in REGIONS:
        assert functions(client, region) == [], region
        assert rest_apis(client, region) == [], region
