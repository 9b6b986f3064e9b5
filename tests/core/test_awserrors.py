"""One rule for "it does not exist", checked against the answers AWS services really give (in-process moto):
Lambda, IAM, ELB, S3 and API Gateway each say it their own way, and a refusal is never read as an absence."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from zappa_core.awserrors import error_code, http_status, is_aws_error, is_not_found


def _raised(call) -> Exception:
    with pytest.raises(ClientError) as info:
        call()
    return info.value


@pytest.mark.parametrize("service, call, code", [
    ("lambda", lambda c: c.get_function(FunctionName="nope"), "ResourceNotFoundException"),
    ("lambda", lambda c: c.get_policy(FunctionName="nope"), "ResourceNotFoundException"),
    ("iam", lambda c: c.get_role(RoleName="nope"), "NoSuchEntity"),
    ("elbv2", lambda c: c.describe_target_groups(Names=["nope"]), "TargetGroupNotFound"),
    ("elbv2", lambda c: c.describe_load_balancers(Names=["nope"]), "LoadBalancerNotFound"),
    ("s3", lambda c: c.head_bucket(Bucket="nope"), "404"),
    ("s3", lambda c: c.get_bucket_policy(Bucket="nope"), "NoSuchBucket"),
    ("apigateway", lambda c: c.get_rest_api(restApiId="nope"), "NotFoundException"),
    ("sns", lambda c: c.get_topic_attributes(TopicArn="arn:aws:sns:us-east-1:123456789012:nope"), "NotFound"),
])
def test_every_service_s_absence_is_not_found(moto_aws, service, call, code):
    exc = _raised(lambda: call(moto_aws.client(service)))
    assert error_code(exc) == code and is_aws_error(exc)
    assert is_not_found(exc)


def test_a_conflict_is_not_an_absence(moto_aws):
    iam = moto_aws.client("iam")
    iam.create_role(RoleName="taken", AssumeRolePolicyDocument="{}")
    conflict = _raised(lambda: iam.create_role(RoleName="taken", AssumeRolePolicyDocument="{}"))
    assert error_code(conflict) == "EntityAlreadyExists" and http_status(conflict) == 409
    assert not is_not_found(conflict)


def test_an_action_the_local_aws_has_not_implemented_is_an_error_not_an_absence():
    answer = {"Error": {"Code": "NotImplemented", "Message": "The get_foo action has not been implemented; not yet implemented"},
              "ResponseMetadata": {"HTTPStatusCode": 404}}
    assert not is_not_found(ClientError(answer, "GetFoo"))


def test_an_error_that_is_not_from_aws_is_neither():
    assert not is_not_found(KeyError("x")) and not is_aws_error(KeyError("x")) and error_code(KeyError("x")) == ""
