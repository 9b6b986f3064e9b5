"""A failure at any AWS call of a deploy or an update, then the same command again: the stage converges to
what a clean run makes, and nothing is left behind. Throttling is retried."""

from __future__ import annotations

import json

import pytest

from .conftest import snapshot

pytestmark = pytest.mark.usefixtures("core_only")

# Every AWS write of a clean deploy of the core's steps (checked by test_the_fault_list_covers_every_write).
DEPLOY_WRITES = ["CreateRole", "PutRolePolicy", "CreateBucket", "PutBucketEncryption", "PutPublicAccessBlock",
                 "PutObject", "CreateLogGroup", "CreateFunction", "CreateAlias", "PutFunctionConcurrency",
                 "TagResource", "UntagResource"]
UPDATE_WRITES = ["PutObject", "UpdateFunctionCode", "UpdateFunctionConfiguration", "PublishVersion", "UpdateAlias",
                 "PutRolePolicy", "DeleteFunction", "DeleteObjects", "TagResource"]


_CLEAN: dict = {}


@pytest.fixture
def clean_deploy(project, zappa, aws):
    """The state a clean deploy makes (packages are deterministic, so it is the same in every test: made
    once), in an account that is empty again."""
    project.set(lambda_concurrency=2, aws_environment_variables={"ONE": "1"})
    if not _CLEAN:
        assert zappa("deploy", "dev").code == 0
        _CLEAN.update(snapshot(aws))
        assert zappa("undeploy", "dev", "--yes", "--remove-logs").code == 0
        aws("s3").delete_bucket(Bucket="demo-code-bucket")  # the shared bucket outlives undeploy: start from nothing
    return dict(_CLEAN)


def test_the_fault_list_covers_every_write(project, zappa, aws, aws_calls):
    project.set(lambda_concurrency=2, aws_environment_variables={"ONE": "1"})
    assert zappa("deploy", "dev").code == 0
    assert sorted({op for _, op in aws_calls.writes()}) == sorted(DEPLOY_WRITES)


@pytest.mark.parametrize("operation", DEPLOY_WRITES)
def test_deploy_converges_after_a_failure(operation, clean_deploy, project, zappa, aws, fail_at):
    fail_at(operation)
    failed = zappa("deploy", "dev")
    assert failed.code == 1, failed
    assert "InjectedFailure" in failed.err and f"injected failure of {operation}" in failed.err
    assert "step 'core:" in failed.err or operation in ("TagResource", "UntagResource")  # names the step ...
    assert "run 'zappa deploy dev' again" in failed.err  # ... and the command that goes on from there
    again = zappa("deploy", "dev")
    assert again.code == 0, again
    assert snapshot(aws) == clean_deploy


@pytest.mark.parametrize("operation", UPDATE_WRITES)
def test_update_converges_after_a_failure(operation, project, zappa, aws, fail_at):
    project.set(num_retained_versions=1)
    assert zappa("deploy", "dev").code == 0
    project.write_app("2")
    project.set(memory_size=1024, extra_permissions=[{"Effect": "Allow", "Action": ["sqs:SendMessage"],
                                                      "Resource": "arn:aws:sqs:us-east-1:123456789012:q"}])
    fail_at(operation)
    failed = zappa("update", "dev")
    assert failed.code == 1, failed
    assert f"injected failure of {operation}" in failed.err
    again = zappa("update", "dev")
    assert again.code == 0, again
    state = snapshot(aws)
    assert state["function"]["MemorySize"] == 1024
    assert state["alias_code"] == state["function"]["CodeSha256"]  # the live version runs the new code
    assert state["versions"] == 1  # num_retained_versions: 1
    assert len(state["objects"]) == 1  # only the live zip is left
    policy = state["role_policy_docs"]["demo-dev-ZappaLambdaExecutionRole"][0]
    assert any("sqs:SendMessage" in json.dumps(s) for s in policy["Statement"])
    # and a further update has nothing left to do
    assert zappa("update", "dev", "--json").json()["changes"] == []


def test_throttling_is_retried(project, zappa, aws, monkeypatch):
    """botocore's retries see real 429 answers (injected before the request is sent)."""
    from botocore.awsrequest import AWSResponse
    from zappa_core.aws import AwsClients

    class Raw:
        def __init__(self, body: bytes) -> None:
            self.body = body

        def stream(self, **_):
            yield self.body

    answered = {"throttled": 0}

    def throttle(request, **_):
        if answered["throttled"] < 2:
            answered["throttled"] += 1
            return AWSResponse(request.url, 429, {"x-amzn-ErrorType": "TooManyRequestsException"},
                               Raw(b'{"message": "Rate exceeded", "Type": "User"}'))
        return None

    original = AwsClients.client

    def client(self, service, region=None):
        made = original(self, service, region)
        if service == "lambda" and not getattr(made, "_throttle_hooked", False):
            made.meta.events.register_first("before-send.lambda.CreateFunction", throttle)
            made._throttle_hooked = True
        return made

    monkeypatch.setattr(AwsClients, "client", client)
    result = zappa("deploy", "dev")
    assert result.code == 0, result
    assert answered["throttled"] == 2
    assert aws("lambda").get_function(FunctionName="demo-dev")


def test_a_hard_failure_names_the_step_the_resource_and_the_error(project, zappa, aws, fail_at):
    fail_at("CreateFunction", code="InvalidParameterValueException")
    result = zappa("deploy", "dev")
    assert result.code == 1
    first = result.err.splitlines()[0]
    assert "step 'core:function'" in first and "Lambda function demo-dev" in first
    assert "InvalidParameterValueException" in first
