"""The REST API step against in-process moto: deploy, re-plan (unchanged), change one option (only that
is updated), undeploy (nothing left).

moto gaps worked around by the step itself (and visible here): moto's CloudFormation ignores authorizers,
method authorization, binary media types, endpoint configuration and resource policies, and cannot create
MOCK integrations; the step converges those with boto3 after the stack. ``delete_stack`` leaves the RestApi
in moto, so the step deletes it by id. ``MinimumCompressionSize`` cannot be read back from moto (its
CloudFormation drops it and it has no patch for it): it is checked in the stack's template.
"""

from __future__ import annotations

import json

import pytest
from zappa_core.plan import Action
from zappa_core.testing import run_step

pytestmark = pytest.mark.needs_plugins


@pytest.fixture
def rest(make_settings, ctx_for):
    """``rest(**settings)`` -> (step, ctx, apigw client, api id) after a deploy."""
    from zappa_aws_apigw.rest import RestApiStep

    def deploy(**keys):
        settings = make_settings(**keys)
        ctx = ctx_for(settings)
        step = RestApiStep(settings)
        change = run_step(ctx, step)
        assert change.action is Action.CREATE
        assert step.plan(ctx).action is Action.UNCHANGED, step.plan(ctx).details
        return step, ctx, ctx.aws.client("apigateway"), ctx.outputs["apigw:rest-api"]["api_id"]

    return deploy


def _methods(apigw, api_id):
    resources = apigw.get_resources(restApiId=api_id, embed=["methods"])["items"]
    return {r["path"]: r.get("resourceMethods", {}) for r in resources}


def _stack_api(ctx):
    body = ctx.aws.client("cloudformation").get_template(StackName="app-dev")["TemplateBody"]
    return (json.loads(body) if isinstance(body, str) else body)["Resources"]["Api"]["Properties"]


def test_default_deploy(rest, function):
    _, ctx, apigw, api_id = rest()
    api = apigw.get_rest_api(restApiId=api_id)
    assert api["name"] == "app-dev" and api["binaryMediaTypes"] == ["*/*"]
    stack = ctx.aws.client("cloudformation").describe_stacks(StackName="app-dev")["Stacks"][0]
    assert {"Key": "ZappaProject", "Value": "app-dev"} in stack["Tags"]
    assert _stack_api(ctx)["MinimumCompressionSize"] == 0
    methods = _methods(apigw, api_id)
    for path in ("/", "/{proxy+}"):
        any_method = methods[path]["ANY"]
        assert any_method["authorizationType"] == "NONE" and not any_method.get("apiKeyRequired")
        assert any_method["methodIntegration"]["type"] == "AWS_PROXY"
        assert function.arn in any_method["methodIntegration"]["uri"]
        assert "OPTIONS" not in methods[path]
    stage = apigw.get_stage(restApiId=api_id, stageName="dev")
    assert stage["methodSettings"]["*/*"]["loggingLevel"] == "OFF"
    policy = json.loads(ctx.aws.client("lambda").get_policy(FunctionName="app-dev")["Policy"])
    [statement] = policy["Statement"]
    assert statement["Principal"] == {"Service": "apigateway.amazonaws.com"}
    assert statement["Condition"]["ArnLike"]["AWS:SourceArn"].endswith(f":{api_id}/*")
    assert ctx.outputs["apigw:rest-api"]["url"] == f"https://{api_id}.execute-api.us-east-1.amazonaws.com/dev"


def test_cors_dict(rest):
    _, _, apigw, api_id = rest(cors={"allowed_headers": ["X-A"], "allowed_methods": ["GET"], "allowed_origin": "https://x.example"})
    options = _methods(apigw, api_id)["/{proxy+}"]["OPTIONS"]
    assert options["methodIntegration"]["type"] == "MOCK"
    params = options["methodIntegration"]["integrationResponses"]["200"]["responseParameters"]
    assert params["method.response.header.Access-Control-Allow-Origin"] == "'https://x.example'"
    assert params["method.response.header.Access-Control-Allow-Methods"] == "'GET'"
    assert params["method.response.header.Access-Control-Allow-Headers"] == "'X-A'"


def test_api_key_creates_key_and_usage_plan_and_prints_only_the_id(rest):
    _, ctx, apigw, api_id = rest(api_key_required=True)
    assert all(m["ANY"]["apiKeyRequired"] for m in _methods(apigw, api_id).values())
    [plan] = apigw.get_usage_plans()["items"]
    assert plan["name"] == "app-dev" and plan["apiStages"] == [{"apiId": api_id, "stage": "dev"}]
    [key] = apigw.get_api_keys(includeValues=True)["items"]
    assert [k["id"] for k in apigw.get_usage_plan_keys(usagePlanId=plan["id"])["items"]] == [key["id"]]
    printed = "\n".join(ctx.lines)
    assert key["id"] in printed and key["value"] not in printed


def test_existing_api_key(make_settings, ctx_for, moto_aws, function):
    from zappa_aws_apigw.rest import RestApiStep

    key = moto_aws.client("apigateway").create_api_key(name="mine", enabled=True)
    settings = make_settings(api_key_required=True, api_key=key["id"])
    ctx = ctx_for(settings)
    run_step(ctx, RestApiStep(settings))
    apigw = moto_aws.client("apigateway")
    [plan] = apigw.get_usage_plans()["items"]
    assert [k["id"] for k in apigw.get_usage_plan_keys(usagePlanId=plan["id"])["items"]] == [key["id"]]
    RestApiStep(settings).destroy(ctx, RestApiStep(settings).plan_destroy(ctx))
    assert [k["id"] for k in apigw.get_api_keys()["items"]] == [key["id"]], "a key the user named is never deleted"


def test_iam_authorization(rest):
    _, _, apigw, api_id = rest(iam_authorization=True)
    assert {m["ANY"]["authorizationType"] for m in _methods(apigw, api_id).values()} == {"AWS_IAM"}


@pytest.mark.parametrize("authorizer", [
    {"function": "app.auth", "result_ttl": 60, "token_header": "X-Token", "validation_expression": "^t.*"},
    {"function": "app.auth", "type": "REQUEST"},
    {"arn": "arn:aws:lambda:us-east-1:123456789012:function:other-auth"},
])
def test_lambda_authorizers(rest, authorizer):
    _, ctx, apigw, api_id = rest(authorizer=authorizer)
    [auth] = apigw.get_authorizers(restApiId=api_id)["items"]
    assert auth["type"] == authorizer.get("type", "TOKEN")
    assert auth["identitySource"] == f"method.request.header.{authorizer.get('token_header', 'Authorization')}"
    assert auth["authorizerResultTtlInSeconds"] == authorizer.get("result_ttl", 300)
    assert (authorizer.get("arn") or "function:app-dev/") in auth["authorizerUri"]
    if "validation_expression" in authorizer:
        assert auth["identityValidationExpression"] == "^t.*"
    methods = _methods(apigw, api_id)
    assert {(m["ANY"]["authorizationType"], m["ANY"]["authorizerId"]) for m in methods.values()} == {("CUSTOM", auth["id"])}
    policy = json.loads(ctx.aws.client("lambda").get_policy(FunctionName="app-dev")["Policy"])
    sids = {s["Sid"] for s in policy["Statement"]}
    # an authorizer function of this app gets its own permission; an external one is the user's to grant
    assert (f"zappa-apigw-rest-auth-{api_id}" in sids) == ("function" in authorizer)


def test_cognito_authorizer(rest):
    pool = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc"
    _, _, apigw, api_id = rest(authorizer={"type": "COGNITO_USER_POOLS", "provider_arns": [pool]})
    [auth] = apigw.get_authorizers(restApiId=api_id)["items"]
    assert auth["type"] == "COGNITO_USER_POOLS" and auth["providerARNs"] == [pool]
    assert {m["ANY"]["authorizationType"] for m in _methods(apigw, api_id).values()} == {"COGNITO_USER_POOLS"}


@pytest.mark.parametrize("kind", ["REGIONAL", "PRIVATE"])
def test_endpoint_configuration_and_policy(rest, kind):
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
                                                      "Resource": "execute-api:/*"}]}
    from pathlib import Path

    Path("policy.json").write_text(json.dumps(policy))
    _, ctx, apigw, api_id = rest(endpoint_configuration=[kind], apigateway_policy="policy.json")
    api = apigw.get_rest_api(restApiId=api_id)
    assert api["endpointConfiguration"]["types"] == [kind]
    assert json.loads(api["policy"]) == policy
    assert _stack_api(ctx)["Policy"] == policy


def test_no_binary_support_no_compression(rest):
    _, ctx, apigw, api_id = rest(binary_support=False, payload_compression=False, apigateway_description="mine")
    api = apigw.get_rest_api(restApiId=api_id)
    assert api["binaryMediaTypes"] == [] and api["description"] == "mine"
    assert "MinimumCompressionSize" not in _stack_api(ctx)


def test_stage_settings(rest):
    _, _, apigw, api_id = rest(cache_cluster_enabled=True, cache_cluster_size=1.6, cache_cluster_ttl=60, cache_cluster_encrypted=True,
                               cloudwatch_log_level="INFO", cloudwatch_data_trace=True, cloudwatch_metrics_enabled=True)
    stage = apigw.get_stage(restApiId=api_id, stageName="dev")
    assert stage["cacheClusterEnabled"] is True and stage["cacheClusterSize"] == "1.6"
    assert stage["methodSettings"]["*/*"] == {**stage["methodSettings"]["*/*"], "loggingLevel": "INFO", "dataTraceEnabled": True,
                                              "metricsEnabled": True, "cachingEnabled": True, "cacheTtlInSeconds": 60,
                                              "cacheDataEncrypted": True}


def test_lambda_qualifier(rest, function, moto_aws):
    moto_aws.client("lambda").create_alias(FunctionName="app-dev", Name="current", FunctionVersion="$LATEST")
    _, _, apigw, api_id = rest(apigateway_lambda_qualifier="current")
    uri = _methods(apigw, api_id)["/"]["ANY"]["methodIntegration"]["uri"]
    assert uri.endswith(f"{function.arn}:current/invocations")
    policy = json.loads(moto_aws.client("lambda").get_policy(FunctionName="app-dev", Qualifier="current")["Policy"])
    assert [s["Sid"] for s in policy["Statement"]] == [f"zappa-apigw-rest-{api_id}"]


def test_update_changes_only_the_option(make_settings, ctx_for):
    from zappa_aws_apigw.rest import RestApiStep

    first = make_settings()
    ctx = ctx_for(first)
    run_step(ctx, RestApiStep(first))
    api_id = ctx.outputs["apigw:rest-api"]["api_id"]
    apigw = ctx.aws.client("apigateway")
    deployments = len(apigw.get_deployments(restApiId=api_id)["items"])

    second = make_settings(cloudwatch_log_level="ERROR")
    change = RestApiStep(second).plan(ctx_for(second))
    assert change.action is Action.UPDATE
    assert change.details == ["stage setting /*/*/logging/loglevel: ERROR"]
    run_step(ctx_for(second), RestApiStep(second))
    assert apigw.get_stage(restApiId=api_id, stageName="dev")["methodSettings"]["*/*"]["loggingLevel"] == "ERROR"
    assert len(apigw.get_deployments(restApiId=api_id)["items"]) == deployments, "a stage setting needs no redeploy"

    third = make_settings(cloudwatch_log_level="ERROR", cors=True, api_key_required=True)
    ctx3 = ctx_for(third)
    change = RestApiStep(third).plan(ctx3)
    assert change.action is Action.UPDATE and any("stack" in d for d in change.details)
    run_step(ctx3, RestApiStep(third))
    assert RestApiStep(third).plan(ctx3).action is Action.UNCHANGED
    assert ctx3.outputs["apigw:rest-api"]["api_id"] == api_id, "an update keeps the API (and its URL)"
    methods = _methods(apigw, api_id)
    assert "OPTIONS" in methods["/"] and methods["/"]["ANY"]["apiKeyRequired"] is True

    # and back: CORS and the key go away
    run_step(ctx_for(second), RestApiStep(second))
    assert "OPTIONS" not in _methods(apigw, api_id)["/"]
    assert apigw.get_usage_plans()["items"] == [] and apigw.get_api_keys()["items"] == []


def test_undeploy_leaves_nothing(rest):
    step, ctx, apigw, _ = rest(cors=True, api_key_required=True, authorizer={"function": "app.auth"})
    change = run_step(ctx, step, destroy=True)
    assert change.action is Action.DELETE
    assert apigw.get_rest_apis()["items"] == []
    assert apigw.get_usage_plans()["items"] == [] and apigw.get_api_keys()["items"] == []
    assert [s for s in ctx.aws.client("cloudformation").describe_stacks()["Stacks"] if s["StackStatus"] != "DELETE_COMPLETE"] == []
    with pytest.raises(Exception, match=r"ResourceNotFound|not found|No policy"):
        ctx.aws.client("lambda").get_policy(FunctionName="app-dev")
    assert step.plan_destroy(ctx).action is Action.UNCHANGED


def test_failed_stack_is_deleted_and_created_again(make_settings, ctx_for):
    from zappa_aws_apigw.rest import RestApiStep

    settings = make_settings()
    ctx = ctx_for(settings)
    step = RestApiStep(settings)
    # A stack left in ROLLBACK_COMPLETE by an earlier failed deploy (moto cannot fail a stack on its own:
    # the status is read through a wrapped client, everything else is real).
    cfn = ctx.aws.client("cloudformation")
    cfn.create_stack(StackName="app-dev", TemplateBody=json.dumps({"Resources": {"T": {"Type": "AWS::SNS::Topic"}}}))
    real = cfn.describe_stacks

    def describe(**kwargs):
        out = real(**kwargs)
        if out["Stacks"] and out["Stacks"][0]["StackName"] == "app-dev" and not getattr(describe, "done", False):
            out["Stacks"][0]["StackStatus"] = "ROLLBACK_COMPLETE"
        return out

    cfn.describe_stacks = describe
    real_delete = cfn.delete_stack

    def delete(**kwargs):
        describe.done = True  # once deleted, the stack reports its real status again
        return real_delete(**kwargs)

    cfn.delete_stack = delete
    change = step.plan(ctx)
    assert change.action is Action.CREATE and "ROLLBACK_COMPLETE, delete and create again" in change.details[0]
    step.apply(ctx, change)
    assert ctx.aws.client("apigateway").get_rest_apis()["items"][0]["name"] == "app-dev"
    assert step.plan(ctx).action is Action.UNCHANGED
    assert any("deleting it and creating it again" in line for line in ctx.lines)


def test_turning_api_gateway_off_removes_it(rest, make_settings, ctx_for):
    from zappa_aws_apigw.rest import RestApiStep

    _, _, apigw, _ = rest()
    off = make_settings(apigateway_enabled=False)
    change = run_step(ctx_for(off), RestApiStep(off))
    assert change.action is Action.DELETE
    assert apigw.get_rest_apis()["items"] == []


def test_a_stage_in_china_gets_arns_of_the_aws_cn_partition(make_settings, moto_aws):
    """The first deploy of a stage in cn-north-1 is planned before the function step has run: the function's
    ARN, the integration URI and the permission's source ARN are all built, in the ``aws-cn`` partition."""
    from zappa_aws_apigw.rest import RestApiStep
    from zappa_core.aws import AwsClients
    from zappa_core.plan import DeployContext
    from zappa_core.testing import deploy_function

    aws = AwsClients(region="cn-north-1")
    fn = deploy_function(aws, "app-dev")
    settings = make_settings(aws_region="cn-north-1", authorizer={"function": "app.auth"})
    ctx = DeployContext(settings=settings, aws=aws, echo=lambda line: None)  # no core:function outputs
    run_step(ctx, RestApiStep(settings))
    api_id = ctx.outputs["apigw:rest-api"]["api_id"]

    apigw = aws.client("apigateway")
    root = next(r["id"] for r in apigw.get_resources(restApiId=api_id)["items"] if r["path"] == "/")
    integration = apigw.get_integration(restApiId=api_id, resourceId=root, httpMethod="ANY")
    assert fn.arn.startswith("arn:aws-cn:lambda:cn-north-1:")
    assert integration["uri"] == f"arn:aws-cn:apigateway:cn-north-1:lambda:path/2015-03-31/functions/{fn.arn}/invocations"
    policy = json.loads(aws.client("lambda").get_policy(FunctionName="app-dev")["Policy"])
    sources = {s["Sid"]: s["Condition"]["ArnLike"]["AWS:SourceArn"] for s in policy["Statement"]}
    account = fn.arn.split(":")[4]
    assert sources == {f"zappa-apigw-rest-{api_id}": f"arn:aws-cn:execute-api:cn-north-1:{account}:{api_id}/*",
                       f"zappa-apigw-rest-auth-{api_id}": f"arn:aws-cn:execute-api:cn-north-1:{account}:{api_id}/authorizers/*"}
    assert run_step(ctx, RestApiStep(settings), apply=False).action is Action.UNCHANGED
