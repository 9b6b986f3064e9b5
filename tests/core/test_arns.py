"""ARNs take their partition from the region: ``aws``, ``aws-cn`` (China) and ``aws-us-gov`` (GovCloud)."""

from __future__ import annotations

import pytest
from zappa_core.arns import arn_account, arn_region, arn_service, function_arn, partition_of, split_function_arn


@pytest.mark.parametrize("region, partition", [("us-east-1", "aws"), ("eu-west-3", "aws"), ("cn-north-1", "aws-cn"),
                                               ("cn-northwest-1", "aws-cn"), ("us-gov-west-1", "aws-us-gov"), ("", "aws")])
def test_the_partition_of_a_region(region, partition):
    assert partition_of(region) == partition


def test_function_arns_are_built_in_the_region_s_partition():
    assert function_arn("cn-north-1", "123456789012", "app-dev") == "arn:aws-cn:lambda:cn-north-1:123456789012:function:app-dev"
    assert function_arn("us-gov-east-1", "1", "f", "live") == "arn:aws-us-gov:lambda:us-gov-east-1:1:function:f:live"


def test_function_arns_take_apart_again():
    arn = "arn:aws-cn:lambda:cn-north-1:123456789012:function:app-dev"
    assert split_function_arn(f"{arn}:current") == (arn, "current") and split_function_arn(arn) == (arn, None)
    assert (arn_service(arn), arn_region(arn), arn_account(arn)) == ("lambda", "cn-north-1", "123456789012")
    assert arn_service("not-an-arn") == "" and arn_region("arn:aws:s3") == ""


def test_the_functions_moto_makes_in_china_have_the_arn_zappa_builds(aws_credentials):
    import io
    import zipfile

    import boto3
    from moto import mock_aws

    package = io.BytesIO()
    with zipfile.ZipFile(package, "w") as archive:
        archive.writestr("h.py", "def h(event, context):\n    return 1\n")
    with mock_aws():
        role = boto3.client("iam", region_name="cn-north-1").create_role(RoleName="r", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        made = boto3.client("lambda", region_name="cn-north-1").create_function(
            FunctionName="app-dev", Runtime="python3.11", Role=role, Handler="h.h", Code={"ZipFile": package.getvalue()})
    assert made["FunctionArn"] == function_arn("cn-north-1", arn_account(role), "app-dev")
