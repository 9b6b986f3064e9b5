"""Faults between the CLI and the local AWS, made by a fault-injecting HTTP proxy on 127.0.0.1
(:mod:`faultproxy`), and resources deleted by hand: every command converges (on the same run when the fault
is a lost answer or throttling, on the run its hint names otherwise) and undeploy leaves nothing behind."""

from __future__ import annotations

import itertools
import json
import urllib.error
import urllib.request

import pytest
from faultproxy import FaultProxy

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.needs_plugins]

APP = '''
def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"hello from {name}"]


def job(event, context):
    return len(event["Records"])
'''
ACCOUNT = "123456789012"
NAMES = itertools.count(1)


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """The local AWS in this process, with the fault proxy in front of it for the CLI."""
    from zappa_core import testing

    with testing.local_aws(tmp_path_factory.mktemp("local-cache"), for_cli=True) as aws, FaultProxy(aws.aws_endpoint) as proxy:
        aws.proxy = proxy
        yield aws


@pytest.fixture
def project(stack, tmp_path, monkeypatch, zappa):
    """A project deployed through the proxy (``project.deploy()``); whatever a test leaves is undeployed and
    checked to leave nothing of the stage behind."""
    monkeypatch.setenv("ZAPPA_LOCAL_ENDPOINT", stack.proxy.url)
    monkeypatch.setenv("ZAPPA_LOCAL_GATEWAY", stack.gateway_endpoint)
    monkeypatch.setenv("ZAPPA_CACHE_DIR", str(tmp_path / "cache"))
    name = f"faults{next(NAMES)}"
    root = tmp_path / "project"
    root.mkdir()
    (root / "app.py").write_text(APP.format(name=name))
    (root / "requirements.txt").write_text("")
    queue = stack.state.aws.client("sqs").create_queue(QueueName=f"{name}-jobs")["QueueUrl"]
    queue_arn = f"arn:aws:sqs:us-east-1:{ACCOUNT}:{name}-jobs"
    stage = {"project_name": name, "app_function": "app.app", "s3_bucket": f"{name}-code", "aws_region": "us-east-1",
             "runtime": "python3.11", "keep_warm": False, "touch": True,
             "events": [{"function": "app.job", "event_source": {"arn": queue_arn, "batch_size": 5}}]}

    class Project:
        folder = root
        function = f"{name}-dev"
        bucket = f"{name}-code"
        queue = queue_arn

        def settings(self, **changes):
            stage.update(changes)
            (root / "zappa_settings.json").write_text(json.dumps({"dev": stage}))

        def run(self, *args, check=True):
            return zappa(root, *args, "--local", check=check)

        def url(self):
            return self.run("status", "dev", "--json").json()["urls"]["api"]

    made = Project()
    made.settings()
    stack.proxy.reset()
    yield made
    stack.proxy.reset()
    made.run("undeploy", "dev", "--yes", "--remove-logs")
    assert leftovers(stack, made) == {}
    stack.state.aws.client("sqs").delete_queue(QueueUrl=queue)


def leftovers(stack, project) -> dict:
    """What of the stage is still in the local AWS (its code bucket is shared and kept, but empty)."""
    aws = stack.state.aws
    found = {
        "functions": [f["FunctionName"] for f in aws.client("lambda").list_functions()["Functions"]
                      if f["FunctionName"] == project.function],
        "roles": [r["RoleName"] for r in aws.client("iam").list_roles()["Roles"] if r["RoleName"].startswith(project.function)],
        "stacks": [s["StackName"] for s in aws.client("cloudformation").list_stacks()["StackSummaries"]
                   if s["StackName"] == project.function and s["StackStatus"] != "DELETE_COMPLETE"],
        "rest_apis": [a["id"] for a in aws.client("apigateway").get_rest_apis()["items"] if a["name"] == project.function],
        "mappings": [m["UUID"] for m in aws.client("lambda").list_event_source_mappings(EventSourceArn=project.queue)
                     ["EventSourceMappings"]],
        "log_groups": [g["logGroupName"] for g in aws.client("logs").describe_log_groups(
            logGroupNamePrefix=f"/aws/lambda/{project.function}")["logGroups"]],
        "objects": [o["Key"] for o in aws.client("s3").list_objects_v2(Bucket=project.bucket).get("Contents", [])]
        if project.bucket in [b["Name"] for b in aws.client("s3").list_buckets()["Buckets"]] else [],
    }
    return {kind: items for kind, items in found.items() if items}


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


@pytest.mark.parametrize("operation", ["CreateRole", "CreateStack", "CreateEventSourceMapping", "AddPermission"])
def test_a_lost_answer_is_adopted_on_the_same_run(stack, project, operation):
    """AWS did the work, the answer never came: the client's retry meets AWS's answer to a repeat (the role or
    stack exists, 409 for a mapping or a statement id) and the run goes on with the stage's own resource."""
    stack.proxy.arm("lost", operation)
    deployed = project.run("deploy", "dev", check=False)
    assert stack.proxy.fired == 1
    assert deployed.code == 0, deployed
    lost_and_retried = [c for c in stack.proxy.calls if c.operation == operation]
    assert len(lost_and_retried) >= 2 and lost_and_retried[0].fault == "lost"
    assert get(project.url()) == (200, f"hello from {project.function[:-4]}")
    lam = stack.state.aws.client("lambda")
    assert len(lam.list_event_source_mappings(EventSourceArn=project.queue)["EventSourceMappings"]) == 1
    sids = [s["Sid"] for s in json.loads(lam.get_policy(FunctionName=project.function)["Policy"])["Statement"]]
    assert len(sids) == 1 and sids[0].startswith("zappa-apigw-rest-")  # the API's permission, once


def test_the_local_aws_refuses_a_duplicate_mapping_as_aws_does(stack, project):
    project.run("deploy", "dev")
    lam = stack.state.aws.client("lambda")
    [mapping] = lam.list_event_source_mappings(EventSourceArn=project.queue)["EventSourceMappings"]
    with pytest.raises(lam.exceptions.ResourceConflictException) as refused:
        lam.create_event_source_mapping(EventSourceArn=project.queue, FunctionName=project.function, BatchSize=5)
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409
    assert str(refused.value).endswith(
        f'An event source mapping with SQS arn (" {project.queue} ") and function (" {project.function} ") already '
        f'exists. Please update or delete the existing mapping with UUID {mapping["UUID"]}')


def test_throttling_is_retried_within_the_run(stack, project):
    stack.proxy.arm("throttle", "CreateFunction", times=2)
    assert project.run("deploy", "dev").code == 0
    assert stack.proxy.fired == 2
    assert get(project.url())[0] == 200


def test_a_failed_deploy_hints_the_command_that_finishes_it(stack, project):
    stack.proxy.arm("error", "CreateAlias")  # the function exists, the deploy is not finished
    failed = project.run("deploy", "dev", check=False)
    assert failed.code == 1
    assert "injected failure of CreateAlias" in failed.err
    assert "run 'zappa deploy dev --local' again" in failed.err
    assert project.run("deploy", "dev").code == 0
    assert get(project.url())[0] == 200


def test_a_bad_app_function_hints_the_local_tail_and_a_deploy_finishes_once_fixed(stack, project):
    project.settings(app_function="app.nope")
    failed = project.run("deploy", "dev", check=False)
    assert failed.code == 1, failed
    assert "the app fails to answer" in failed.err
    assert "see the traceback with 'zappa tail dev --local'" in failed.err
    assert "run 'zappa deploy dev --local' again to finish" in failed.err
    assert "nope" in project.run("tail", "dev", "--disable-keep-open").out  # the hint's command shows why
    project.settings(app_function="app.app")
    again = project.run("deploy", "dev", check=False)
    assert again.code == 0, again
    assert get(project.url())[0] == 200
    refused = project.run("deploy", "dev", check=False)  # finished now: a further deploy is refused as usual
    assert refused.code == 1 and "did you mean: zappa update dev --local" in refused.err


def test_a_rest_api_deleted_by_hand_comes_back_with_update_refresh(stack, project):
    project.run("deploy", "dev")
    apigw = stack.state.aws.client("apigateway")
    [api] = [a["id"] for a in apigw.get_rest_apis()["items"] if a["name"] == project.function]
    apigw.delete_rest_api(restApiId=api)
    plan = project.run("plan", "dev")
    assert "its REST API is gone, delete and create again" in plan.out
    updated = project.run("update", "dev", "--refresh", check=False)
    assert updated.code == 0, updated
    url = project.url()
    assert api not in url
    assert get(url)[0] == 200
    planned = {c["step"]: c["action"] for c in project.run("plan", "dev", "--json").json()["changes"]}
    assert planned["apigw:rest-api"] == "unchanged"


def test_a_code_bucket_deleted_by_hand_is_made_again_with_the_package(stack, project):
    project.run("deploy", "dev")
    s3 = stack.state.aws.client("s3")
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=project.bucket)["Contents"]]
    s3.delete_objects(Bucket=project.bucket, Delete={"Objects": [{"Key": k} for k in keys]})
    s3.delete_bucket(Bucket=project.bucket)
    assert "the function runs it, its zip is gone from the bucket" in project.run("plan", "dev").out
    project.run("update", "dev", "--refresh")
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=project.bucket)["Contents"]] == keys
    assert s3.head_object(Bucket=project.bucket, Key=keys[0])["ContentLength"] > 0


def test_the_local_aws_refuses_a_statement_id_twice_as_aws_does(stack, project):
    project.run("deploy", "dev")
    lam = stack.state.aws.client("lambda")
    policy = json.loads(lam.get_policy(FunctionName=project.function)["Policy"])
    sid = policy["Statement"][0]["Sid"]
    with pytest.raises(lam.exceptions.ResourceConflictException) as refused:
        lam.add_permission(FunctionName=project.function, StatementId=sid, Action="lambda:InvokeFunction",
                           Principal="events.amazonaws.com")
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409
    assert f"The statement id ({sid}) provided already exists" in str(refused.value)
    assert json.loads(lam.get_policy(FunctionName=project.function)["Policy"]) == policy


def test_a_schedule_whose_permission_was_lost_gets_it_back(stack, project):
    """A failure between a rule and its permission (or the permission removed by hand): the rule does not
    run the function until the next deploy or update puts the permission back."""
    project.settings(events=[{"function": "app.job", "expression": "rate(1 hour)"}])
    stack.proxy.arm("error", "AddPermission", nth=1)  # the REST API's permission first, then the rule's
    failed = project.run("deploy", "dev", check=False)
    assert failed.code == 1 and "step 'events:schedule' failed" in failed.err, failed
    assert "~ events:schedule" in project.run("plan", "dev").out
    assert project.run("deploy", "dev").code == 0
    sids = [s["Sid"] for s in json.loads(stack.state.aws.client("lambda").get_policy(
        FunctionName=project.function)["Policy"])["Statement"]]
    assert len(sids) == 2 and any(s.startswith("zappa-events-") for s in sids)



def test_a_failed_read_of_the_urls_names_the_command_to_run_again(stack, project):
    project.run("deploy", "dev")
    stack.proxy.arm("error", "GetRestApis")  # an update with nothing to change reads the URLs for --json first
    failed = project.run("update", "dev", "--json", check=False)
    assert failed.code == 1, failed
    assert "reading the stage's URLs: InjectedFailure" in failed.err and "Traceback" not in failed.err
    assert "nothing is lost: run 'zappa update dev --local' again" in failed.err
    assert project.run("update", "dev").code == 0
