"""HTTP API (v2) and function URL steps against in-process moto: deploy, re-plan, change, undeploy.

moto gaps: apigatewayv2 has no ``GetAuthorizers`` (the step reads the authorizer its route names) and
Lambda has no ``ListFunctionUrlConfigs`` (undeploy falls back to the unqualified URL)."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError
from zappa_core.plan import Action
from zappa_core.testing import run_step

pytestmark = pytest.mark.needs_plugins


def _deploy(step_class, settings, ctx):
    step = step_class(settings)
    change = run_step(ctx, step)
    assert step.plan(ctx).action is Action.UNCHANGED, step.plan(ctx).details
    return step, change


def test_http_api(make_settings, ctx_for, function):
    from zappa_aws_apigw.httpapi import HttpApiStep

    settings = make_settings(apigateway_version="v2", cors=True)
    ctx = ctx_for(settings)
    step, change = _deploy(HttpApiStep, settings, ctx)
    assert change.action is Action.CREATE
    v2 = ctx.aws.client("apigatewayv2")
    [api] = v2.get_apis()["Items"]
    assert api["Name"] == "app-dev" and api["Tags"]["ZappaProject"] == "app-dev"
    assert api["CorsConfiguration"]["AllowOrigins"] == ["*"]
    [integration] = v2.get_integrations(ApiId=api["ApiId"])["Items"]
    assert integration["IntegrationType"] == "AWS_PROXY" and integration["PayloadFormatVersion"] == "2.0"
    assert integration["IntegrationUri"] == function.arn
    [route] = v2.get_routes(ApiId=api["ApiId"])["Items"]
    assert route["RouteKey"] == "$default" and route["Target"] == f"integrations/{integration['IntegrationId']}"
    [stage] = v2.get_stages(ApiId=api["ApiId"])["Items"]
    assert stage["StageName"] == "$default" and stage["AutoDeploy"] is True
    assert ctx.outputs["apigw:http-api"]["url"] == f"https://{api['ApiId']}.execute-api.us-east-1.amazonaws.com/"

    # change: a Lambda authorizer, no CORS -> only those change
    auth_settings = make_settings(apigateway_version="v2", authorizer={"function": "app.auth", "type": "REQUEST", "result_ttl": 0})
    ctx2 = ctx_for(auth_settings)
    change = HttpApiStep(auth_settings).plan(ctx2)
    assert change.action is Action.UPDATE and "CORS" in change.details and "authorizer" in change.details
    _deploy(HttpApiStep, auth_settings, ctx2)
    [route] = v2.get_routes(ApiId=api["ApiId"])["Items"]
    assert route["AuthorizationType"] == "CUSTOM"
    authorizer = v2.get_authorizer(ApiId=api["ApiId"], AuthorizerId=route["AuthorizerId"])
    assert authorizer["AuthorizerType"] == "REQUEST" and "function:app-dev/" in authorizer["AuthorizerUri"]
    assert "CorsConfiguration" not in v2.get_api(ApiId=api["ApiId"]) or not v2.get_api(ApiId=api["ApiId"])["CorsConfiguration"]
    sids = {s["Sid"] for s in json.loads(ctx.aws.client("lambda").get_policy(FunctionName="app-dev")["Policy"])["Statement"]}
    assert sids == {f"zappa-apigw-http-{api['ApiId']}", f"zappa-apigw-http-auth-{api['ApiId']}"}

    iam = make_settings(apigateway_version="v2", iam_authorization=True)
    _deploy(HttpApiStep, iam, ctx_for(iam))
    [route] = v2.get_routes(ApiId=api["ApiId"])["Items"]
    assert route["AuthorizationType"] == "AWS_IAM"

    assert run_step(ctx, step, destroy=True).action is Action.DELETE
    assert v2.get_apis()["Items"] == []
    with pytest.raises(ClientError):
        ctx.aws.client("lambda").get_policy(FunctionName="app-dev")


def test_switching_versions_replaces_the_api(make_settings, ctx_for):
    from zappa_aws_apigw.httpapi import HttpApiStep
    from zappa_aws_apigw.rest import RestApiStep

    v1 = make_settings()
    ctx = ctx_for(v1)
    run_step(ctx, RestApiStep(v1))
    v2 = make_settings(apigateway_version="v2")
    ctx2 = ctx_for(v2)
    for step in (RestApiStep(v2), HttpApiStep(v2)):
        run_step(ctx2, step)
    assert ctx.aws.client("apigateway").get_rest_apis()["items"] == []
    assert [a["Name"] for a in ctx.aws.client("apigatewayv2").get_apis()["Items"]] == ["app-dev"]


def test_function_url(make_settings, ctx_for):
    from zappa_aws_apigw.function_url import FunctionUrlStep

    settings = make_settings(function_url_enabled=True)
    ctx = ctx_for(settings)
    step, change = _deploy(FunctionUrlStep, settings, ctx)
    assert change.action is Action.CREATE
    lam = ctx.aws.client("lambda")
    config = lam.get_function_url_config(FunctionName="app-dev")
    assert config["AuthType"] == "NONE" and config["Cors"]["AllowOrigins"] == ["*"]
    assert ctx.outputs["apigw:function-url"]["url"] == config["FunctionUrl"]
    [statement] = json.loads(lam.get_policy(FunctionName="app-dev")["Policy"])["Statement"]
    assert statement["Action"] == "lambda:InvokeFunctionUrl" and statement["Principal"] == "*"

    iam = make_settings(function_url_enabled=True, function_url_config={"authorizer": "AWS_IAM", "cors": {"allowedOrigins": ["https://a.example"]}})
    ctx2 = ctx_for(iam)
    change = FunctionUrlStep(iam).plan(ctx2)
    assert change.action is Action.UPDATE and "auth type NONE -> AWS_IAM" in change.details
    _deploy(FunctionUrlStep, iam, ctx2)
    config = lam.get_function_url_config(FunctionName="app-dev")
    assert config["AuthType"] == "AWS_IAM" and config["Cors"]["AllowOrigins"] == ["https://a.example"]
    assert config["Cors"]["AllowHeaders"] == ["*"], "the defaults stay under the user's keys"
    with pytest.raises(ClientError):
        lam.get_policy(FunctionName="app-dev")  # no public permission with AWS_IAM

    off = make_settings(function_url_enabled=False)
    assert run_step(ctx_for(off), FunctionUrlStep(off)).action is Action.DELETE
    with pytest.raises(ClientError):
        lam.get_function_url_config(FunctionName="app-dev")
    assert run_step(ctx, step, destroy=True).action is Action.UNCHANGED


def test_settings_cross_checks(make_settings):
    from zappa_core.settings import SettingsError

    bad = [
        ({"authorizer": {"type": "COGNITO_USER_POOLS"}}, "provider_arns"),
        ({"authorizer": {"result_ttl": 5}}, "needs 'function'"),
        ({"authorizer": {"function": "a.b", "arn": "arn:aws:lambda:us-east-1:1:function:x"}}, "not both"),
        ({"authorizer": {"function": "a.b", "type": "REQUEST", "validation_expression": "x"}}, "TOKEN authorizers only"),
        ({"authorizer": {"function": "a.b"}, "iam_authorization": True}, "exclude each other"),
        ({"apigateway_version": "v2", "api_key_required": True}, "REST APIs (v1) only"),
        ({"function_url_config": {"authorizer": "MAYBE"}}, "function_url_config.authorizer"),
        ({"cloudwatch_log_level": "LOUD"}, "cloudwatch_log_level"),
        ({"cors": {"allowed_header": ["x"]}}, "cors"),
        ({"websocket_handler_module": "app.ws"}, "module 'app.ws' is not in the project: neither app/ws.py"),
        ({"websocket_handler_module": "ws.py"}, "not a file path"),
        ({"websocket_handler_module": "my-ws"}, "must be a dotted module path"),
        ({"websocket_handler_module": 3}, "websocket_handler_module"),
        ({"websocket_routes": ["chat"]}, "applies only with 'websocket_handler_module'"),
    ]
    for keys, message in bad:
        with pytest.raises(SettingsError) as info:
            make_settings(**keys)
        assert message in str(info.value), (keys, str(info.value))


def test_domain_binding(make_settings, ctx_for, moto_aws):
    from zappa_aws_apigw.domain import bind_domain
    from zappa_aws_apigw.rest import RestApiStep
    from zappa_core.errors import UsageError

    settings = make_settings(base_path="api", domain="api.example.com")
    with pytest.raises(UsageError, match="deploy the stage first"):
        bind_domain(settings, "api.example.com", "arn:aws:acm:us-east-1:123456789012:certificate/abc", moto_aws)
    ctx = ctx_for(settings)
    run_step(ctx, RestApiStep(settings))
    api_id = ctx.outputs["apigw:rest-api"]["api_id"]
    zone = moto_aws.client("route53").create_hosted_zone(Name="example.com", CallerReference="z")["HostedZone"]["Id"]
    with pytest.raises(UsageError, match="us-east-1"):
        bind_domain(settings, "api.example.com", "arn:aws:acm:eu-west-1:123456789012:certificate/abc", moto_aws)
    cert = "arn:aws:acm:us-east-1:123456789012:certificate/abc"
    for _ in range(2):  # idempotent
        bound = bind_domain(settings, "api.example.com", cert, moto_aws)
    assert bound.details["api_id"] == api_id and bound.target.endswith(".cloudfront.net")
    assert bound.hosted_zone_id == "Z2FDTNDATAQYW2"  # CloudFront's, for the alias certify writes
    apigw = moto_aws.client("apigateway")
    [mapping] = apigw.get_base_path_mappings(domainName="api.example.com")["items"]
    assert mapping["basePath"] == "api" and mapping["restApiId"] == api_id and mapping["stage"] == "dev"
    records = moto_aws.client("route53").list_resource_record_sets(HostedZoneId=zone)["ResourceRecordSets"]
    assert [r for r in records if r["Type"] == "A"] == []  # DNS is certify's to write, not the front door's

    # undeploy removes the mapping with the API
    RestApiStep(settings).destroy(ctx, RestApiStep(settings).plan_destroy(ctx))
    assert apigw.get_base_path_mappings(domainName="api.example.com")["items"] == []


def test_regional_domain_for_http_api(make_settings, ctx_for, moto_aws):
    from zappa_aws_apigw.domain import bind_domain
    from zappa_aws_apigw.httpapi import HttpApiStep

    settings = make_settings(apigateway_version="v2", route53_enabled=False)
    ctx = ctx_for(settings)
    run_step(ctx, HttpApiStep(settings))
    bound = bind_domain(settings, "v2.example.com", "arn:aws:acm:us-east-1:123456789012:certificate/abc", moto_aws)
    assert bound.details["endpoint_type"] == "REGIONAL" and bound.domain == "v2.example.com"
    [mapping] = moto_aws.client("apigatewayv2").get_api_mappings(DomainName="v2.example.com")["Items"]
    assert mapping["ApiId"] == ctx.outputs["apigw:http-api"]["api_id"]


def test_status_and_plugin_hooks(make_settings, ctx_for, zappa_pm):
    from zappa_aws_apigw.rest import RestApiStep

    settings = make_settings(function_url_enabled=True)
    ctx = ctx_for(settings)
    steps = [step for plugin_steps in zappa_pm.hook.zappa_plan_resources(settings=settings, context=ctx) for step in plugin_steps
             if step.id.startswith("apigw:")]
    assert [s.id for s in steps] == ["apigw:rest-api", "apigw:http-api", "apigw:function-url", "apigw:function-url-domains",
                                    "apigw:websocket-api"]
    assert all(s.depends_on == ("apigw:function-url",) if s.id == "apigw:function-url-domains" else s.depends_on == ("core:function",)
               for s in steps)
    for step in steps:
        run_step(ctx, step)
    statuses = [s for s in zappa_pm.hook.zappa_stage_status(settings=settings, context=ctx) if s and "api" in s.get("urls", {})]
    [status] = statuses
    api_id = ctx.outputs["apigw:rest-api"]["api_id"]
    assert status["urls"]["api"] == f"https://{api_id}.execute-api.us-east-1.amazonaws.com/dev"
    assert status["urls"]["function_url"] == ctx.outputs["apigw:function-url"]["url"]
    assert RestApiStep(settings).plan(ctx).action is Action.UNCHANGED
