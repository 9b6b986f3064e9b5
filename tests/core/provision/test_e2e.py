"""End to end: the real ``zappa`` command, in its own process, against a moto server on a free port of
127.0.0.1 that the settings reach through ``aws_endpoint_urls``. Every installed plugin takes part (front
door, schedules), so undeploy is checked against everything a stage can own. The server runs in this test
process with the local executor installed, so ``invoke`` runs the real handler from the uploaded zip."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from .conftest import Project, base_stage

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SERVICES = ("lambda", "s3", "iam", "sts", "logs", "cloudwatch", "apigateway", "apigatewayv2", "cloudformation",
            "events", "sns", "sqs", "dynamodb", "kinesis", "elbv2", "ec2", "acm", "route53", "cognito-idp",
            "lexv2-models", "lex-models")


@pytest.fixture(scope="module")
def moto_server(tmp_path_factory):
    from moto.server import ThreadedMotoServer
    from zappa_core.local import moto_seam

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    moto_seam.install(aws_endpoint=endpoint, cache_dir=tmp_path_factory.mktemp("executor"))
    try:
        yield endpoint
    finally:
        moto_seam.uninstall()
        server.stop()


@pytest.fixture
def client(moto_server):
    import boto3

    def make(service: str):
        return boto3.client(service, region_name="us-east-1", endpoint_url=moto_server,
                            aws_access_key_id="testing", aws_secret_access_key="testing")

    return make


@pytest.fixture
def e2e_project(tmp_path, moto_server) -> Project:
    root = tmp_path / "demo"
    root.mkdir()
    return Project(root, {"dev": base_stage(aws_endpoint_urls=dict.fromkeys(SERVICES, moto_server))})


def zappa(project: Project, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ZAPPA_"))}
    env.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1",
               ZAPPA_CACHE_DIR=str(project.root.parent / "cache"))
    return subprocess.run([sys.executable, "-m", "zappa_core", *args], cwd=project.root, env=env,
                          capture_output=True, text=True, timeout=300, check=False)


def ok(result: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert result.returncode == 0, f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result


def invoked(result: subprocess.CompletedProcess) -> dict:
    return json.loads(ok(result).stdout)["result"]


def test_deploy_update_rollback_invoke_undeploy(e2e_project, client):
    project = e2e_project
    lam, s3 = client("lambda"), client("s3")

    ok(zappa(project, "deploy", "dev"))
    status = json.loads(ok(zappa(project, "status", "dev", "--json")).stdout)
    assert status["function_name"] == "demo-dev" and status["live_version"] == "1"
    assert isinstance(status["urls"], dict)
    objects = sorted(o["Key"] for o in s3.list_objects_v2(Bucket="demo-code-bucket").get("Contents", []))

    # update with no change: nothing uploaded, no new version
    same = json.loads(ok(zappa(project, "update", "dev", "--json")).stdout)
    assert same["uploaded"] is False and same["bytes_uploaded"] == 0 and same["version"] == "1"
    assert sorted(o["Key"] for o in s3.list_objects_v2(Bucket="demo-code-bucket").get("Contents", [])) == objects
    versions = [v["Version"] for v in lam.list_versions_by_function(FunctionName="demo-dev")["Versions"]]
    assert versions == ["$LATEST", "1"]

    # update with a change: a new version runs the new code
    project.write_app("2")
    changed = json.loads(ok(zappa(project, "update", "dev", "--json")).stdout)
    assert changed["uploaded"] is True and changed["version"] == "2"
    assert invoked(zappa(project, "invoke", "dev", "app.hello", "--json")) == {"hello": "world", "version": "2"}

    # rollback: the previous code is live again, unqualified and through the alias
    ok(zappa(project, "rollback", "dev", "-n", "1"))
    assert invoked(zappa(project, "invoke", "dev", "app.hello", "--json")) == {"hello": "world", "version": "1"}
    aliased = zappa(project, "invoke", "dev", "app.hello", "--qualifier", "current", "--json")
    assert invoked(aliased) == {"hello": "world", "version": "1"}
    text = ok(zappa(project, "invoke", "dev", "app.hello"))
    assert "hello was called" in text.stdout  # the remote output (LogType=Tail) is printed too

    ok(zappa(project, "undeploy", "dev", "--yes", "--remove-logs"))
    assert [f["FunctionName"] for f in lam.list_functions()["Functions"]] == []
    iam = client("iam")
    assert [r["RoleName"] for r in iam.list_roles()["Roles"]] == []
    assert iam.list_policies(Scope="Local")["Policies"] == []
    assert client("events").list_rules()["Rules"] == []
    live_stacks = [st for st in client("cloudformation").list_stacks()["StackSummaries"]
                   if st["StackStatus"] != "DELETE_COMPLETE"]
    assert live_stacks == []
    assert [g["logGroupName"] for g in client("logs").describe_log_groups()["logGroups"]
            if "demo-dev" in g["logGroupName"]] == []
    assert s3.list_objects_v2(Bucket="demo-code-bucket").get("Contents", []) == []


def test_a_failed_invoke_says_what_failed_once(e2e_project):
    project = e2e_project
    project.stages["dev"]["project_name"] = "oops"  # its own function beside the other test's
    project.save()
    (project.root / "app.py").write_text((project.root / "app.py").read_text()
                                         + "\n\ndef check(event, context):\n    raise ValueError('bad input')\n")
    ok(zappa(project, "deploy", "dev"))
    try:
        missing = zappa(project, "invoke", "dev", "app.nope")
        assert missing.returncode == 1
        assert missing.stderr == "Error: cannot find 'app.nope': module 'app' has no attribute 'nope'\n"
        assert "Traceback" not in missing.stdout and "nope" not in missing.stdout.replace("'command': 'app.nope'", "")

        failed = zappa(project, "invoke", "dev", "app.check")
        assert failed.returncode == 1
        lines = failed.stderr.splitlines()
        assert lines[0] == "Traceback (most recent call last):" and "app.py" in lines[1]  # from the app's frame
        assert lines[-1] == "Error: ValueError: bad input" and failed.stderr.count("bad input") == 2
        assert "Handled" not in failed.stdout + failed.stderr and "stackTrace" not in failed.stdout
    finally:
        ok(zappa(project, "undeploy", "dev", "--yes"))
