"""A function's resource policy, read and written the one way every plugin uses: statements found by their
Sid prefix with their service and source ARN, granted on the function or an alias, revoked idempotently.
Against in-process moto's Lambda."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from zappa_core import lambda_permissions as perms


@pytest.fixture
def lam(moto_aws):
    role = moto_aws.client("iam").create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}))
    package = io.BytesIO()
    with zipfile.ZipFile(package, "w") as archive:
        archive.writestr("h.py", "def h(event, context):\n    return 1\n")
    client = moto_aws.client("lambda")
    client.create_function(FunctionName="app-dev", Runtime="python3.11", Role=role["Role"]["Arn"], Handler="h.h",
                           Code={"ZipFile": package.getvalue()}, Publish=True)
    client.create_alias(FunctionName="app-dev", Name="current", FunctionVersion="1")
    return client


def test_a_function_without_a_policy_or_without_existing_has_no_statements(lam):
    assert perms.statements(lam, "app-dev") == {}
    assert perms.statements(lam, "no-such-function", prefix="zappa-") == {}
    assert perms.revoke(lam, "app-dev", "zappa-x") is False


def test_statements_are_found_by_prefix_with_their_service_and_source(lam):
    api = "arn:aws:execute-api:us-east-1:123456789012:abc123/*"
    perms.grant(lam, "app-dev", "zappa-apigw-rest-abc123", "apigateway.amazonaws.com", api)
    perms.grant(lam, "app-dev", "zappa-events-s3-1", "s3.amazonaws.com", "arn:aws:s3:::uploads", source_account="123456789012")
    perms.grant(lam, "app-dev", "someone-else", "sns.amazonaws.com", "arn:aws:sns:us-east-1:123456789012:t")

    mine = perms.statements(lam, "app-dev", prefix="zappa-apigw-rest-")
    assert list(mine) == ["zappa-apigw-rest-abc123"]
    assert perms.source_arn(mine["zappa-apigw-rest-abc123"]) == api
    assert perms.principal(mine["zappa-apigw-rest-abc123"]) == "apigateway.amazonaws.com"
    assert set(perms.statements(lam, "app-dev")) == {"zappa-apigw-rest-abc123", "zappa-events-s3-1", "someone-else"}
    s3 = perms.statements(lam, "app-dev", prefix="zappa-events-")["zappa-events-s3-1"]
    assert s3["Condition"]["StringEquals"]["AWS:SourceAccount"] == "123456789012"

    assert perms.revoke(lam, "app-dev", "zappa-apigw-rest-abc123") is True
    assert perms.revoke(lam, "app-dev", "zappa-apigw-rest-abc123") is False
    assert set(perms.statements(lam, "app-dev")) == {"zappa-events-s3-1", "someone-else"}


def test_a_qualifier_puts_the_statement_on_the_alias(lam):
    perms.grant(lam, "app-dev", "zappa-alb-tg", "elasticloadbalancing.amazonaws.com", "arn:aws:elasticloadbalancing:tg",
                qualifier="current")
    (statement,) = perms.statements(lam, "app-dev", prefix="zappa-alb-", qualifier="current").values()
    assert statement["Resource"].endswith(":function:app-dev:current")
    assert perms.revoke(lam, "app-dev", "zappa-alb-tg", qualifier="current") is True
    assert perms.statements(lam, "app-dev", prefix="zappa-alb-", qualifier="current") == {}


def test_a_function_url_statement_is_for_its_auth_type(lam):
    sent = []
    lam.meta.events.register("before-call.lambda.AddPermission", lambda params, **_: sent.append(params))
    perms.grant(lam, "app-dev", "zappa-function-url", "*", None, action="lambda:InvokeFunctionUrl", url_auth_type="NONE")
    (statement,) = perms.statements(lam, "app-dev", prefix="zappa-function-url").values()
    assert statement["Action"] == "lambda:InvokeFunctionUrl" and perms.source_arn(statement) is None
    assert perms.principal(statement) == "*"
    # moto's policy leaves the auth-type condition out: what Lambda is sent shows it
    body = sent[0]["body"]
    assert json.loads(body if isinstance(body, str) else body.decode())["FunctionUrlAuthType"] == "NONE"
