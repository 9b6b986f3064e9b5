"""``zappa template`` and the CloudFormation templates: every variant passes cfn-lint."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from zappa_core.cli import run

pytestmark = pytest.mark.needs_plugins

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:app-dev"
ROLE = "arn:aws:iam::123456789012:role/app-dev-ZappaLambdaExecutionRole"
POLICY = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*"}]})

VARIANTS = {
    "v1_plain": {},
    "v1_cors": {"cors": True},
    "v1_cors_dict": {"cors": {"allowed_headers": ["X-Custom"], "allowed_methods": ["GET"], "allowed_origin": "https://example.com"}},
    "v1_api_key": {"api_key_required": True},
    "v1_iam": {"iam_authorization": True},
    "v1_token_authorizer": {"authorizer": {"function": "app.auth", "result_ttl": 60, "token_header": "X-Token",
                                           "validation_expression": "^Bearer .+$"}},
    "v1_request_authorizer": {"authorizer": {"arn": "arn:aws:lambda:us-east-1:123456789012:function:auth", "type": "REQUEST"}},
    "v1_cognito": {"authorizer": {"type": "COGNITO_USER_POOLS",
                                  "provider_arns": ["arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc"]}},
    "v1_regional_policy": {"endpoint_configuration": ["REGIONAL"], "apigateway_policy": "policy.json"},
    "v1_private": {"endpoint_configuration": ["PRIVATE"], "apigateway_policy": "policy.json"},
    "v1_no_binary_no_compression": {"binary_support": False, "payload_compression": False},
    "v1_everything": {"cors": True, "api_key_required": True, "authorizer": {"function": "app.auth"},
                      "endpoint_configuration": ["EDGE"], "apigateway_lambda_qualifier": "current",
                      "payload_minimum_compression_size": 1024},
    "v2_plain": {"apigateway_version": "v2"},
    "v2_cors": {"apigateway_version": "v2", "cors": {"allowed_origins": ["https://a.example"], "max_age": 60}},
    "v2_iam": {"apigateway_version": "v2", "iam_authorization": True},
    "v2_authorizer": {"apigateway_version": "v2", "authorizer": {"function": "app.auth", "type": "REQUEST"}},
    "v1_websocket": {"websocket_handler_module": "chat", "websocket_routes": ["sendmessage", "join"]},
    "websocket_only": {"apigateway_enabled": False, "websocket_handler_module": "chat"},
    "websocket_domain": {"apigateway_version": "v2", "websocket_handler_module": "chat", "websocket_domain": "ws.example.com"},
    "websocket_only_domain": {"apigateway_enabled": False, "websocket_handler_module": "chat", "domain": "chat.example.com",
                              "certificate_arn": "arn:aws:acm:us-east-1:123456789012:certificate/abc"},
    "url_domains": {"apigateway_enabled": False, "function_url_enabled": True, "function_url_domains": ["app.example.com"],
                    "function_url_cloudfront_config": {"PriceClass": "PriceClass_All",
                                                       "Restrictions": {"GeoRestriction": {"RestrictionType": "whitelist", "Items": ["DE", "FR"]}}}},
    "v2_url_domains_certificate": {"apigateway_version": "v2", "function_url_enabled": True, "function_url_domains": ["a.example.com", "b.example.com"],
                                   "certificate_arn": "arn:aws:acm:us-east-1:123456789012:certificate/abc",
                                   "function_url_config": {"cors": {"allowedOrigins": ["https://a.example.com"]}}},
}


def _write_stage(folder: Path, keys: dict) -> None:
    stage = {"project_name": "app", "app_function": "app.app", "s3_bucket": "bucket", "aws_region": "us-east-1", **keys}
    (folder / "zappa_settings.json").write_text(json.dumps({"dev": stage}))
    (folder / "policy.json").write_text(POLICY)
    (folder / "chat.py").write_text("from zappa.websocket import on_connect\n")


def _template(folder: Path, capsys, *extra: str) -> tuple[int, str]:
    code = run(["template", "dev", "-l", LAMBDA, "-r", ROLE, "-s", str(folder / "zappa_settings.json"), *extra])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_every_variant_passes_cfn_lint(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    files = []
    for name, keys in VARIANTS.items():
        folder = tmp_path / name
        folder.mkdir()
        _write_stage(folder, keys)
        monkeypatch.chdir(folder)
        code, out = _template(folder, capsys, "--json")
        assert code == 0, (name, out)
        template = json.loads(out)
        assert template["Resources"], name
        target = tmp_path / f"{name}.json"
        target.write_text(out)
        files.append(str(target))
    lint = shutil.which("cfn-lint") or str(Path(sys.executable).with_name("cfn-lint"))
    result = subprocess.run([lint, "--", *files], capture_output=True, text=True, timeout=240, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_rest_template_has_the_zappa_resources(tmp_path, monkeypatch, capsys):
    _write_stage(tmp_path, VARIANTS["v1_everything"])
    monkeypatch.chdir(tmp_path)
    code, out = _template(tmp_path, capsys)
    assert code == 0
    resources = json.loads(out)["Resources"]
    assert resources["Api"]["Properties"]["Name"] == "app-dev"
    assert resources["Api"]["Properties"]["BinaryMediaTypes"] == ["*/*"]
    assert resources["Api"]["Properties"]["MinimumCompressionSize"] == 1024
    assert resources["ProxyResource"]["Properties"]["PathPart"] == "{proxy+}"
    any_proxy = resources["ANY1"]["Properties"]
    assert any_proxy["HttpMethod"] == "ANY" and any_proxy["ApiKeyRequired"] is True
    assert any_proxy["AuthorizationType"] == "CUSTOM" and any_proxy["AuthorizerId"] == {"Ref": "Authorizer"}
    integration = any_proxy["Integration"]
    assert integration["Type"] == "AWS_PROXY" and integration["Credentials"] == ROLE
    assert f"functions/{LAMBDA}:current/invocations" in integration["Uri"]["Fn::Sub"]
    options = resources["OPTIONS0"]["Properties"]["Integration"]
    assert options["Type"] == "MOCK" and options["IntegrationHttpMethod"] == "OPTIONS"
    headers = options["IntegrationResponses"][0]["ResponseParameters"]
    assert headers["method.response.header.Access-Control-Allow-Origin"] == "'*'"
    assert resources["Authorizer"]["Properties"]["IdentitySource"] == "method.request.header.Authorization"


def test_http_template_routes_everything_to_the_function(tmp_path, monkeypatch, capsys):
    _write_stage(tmp_path, VARIANTS["v2_authorizer"])
    monkeypatch.chdir(tmp_path)
    code, out = _template(tmp_path, capsys)
    resources = json.loads(out)["Resources"]
    assert code == 0
    assert resources["Integration"]["Properties"]["PayloadFormatVersion"] == "2.0"
    assert resources["DefaultRoute"]["Properties"]["RouteKey"] == "$default"
    assert resources["DefaultRoute"]["Properties"]["AuthorizationType"] == "CUSTOM"
    assert resources["DefaultStage"]["Properties"]["AutoDeploy"] is True


def test_websocket_template_has_zappas_resources(tmp_path, monkeypatch, capsys):
    _write_stage(tmp_path, VARIANTS["v1_websocket"])
    monkeypatch.chdir(tmp_path)
    code, out = _template(tmp_path, capsys)
    assert code == 0
    template = json.loads(out)
    resources = template["Resources"]
    assert resources["Api"]["Type"] == "AWS::ApiGateway::RestApi"  # the REST API stays beside it
    api = resources["WsApi"]["Properties"]
    assert api == {"Name": "app-dev-ws", "ProtocolType": "WEBSOCKET", "Description": "Created automatically by Zappa.",
                   "RouteSelectionExpression": "$request.body.action"}
    routes = sorted(r["Properties"]["RouteKey"] for r in resources.values() if r["Type"] == "AWS::ApiGatewayV2::Route")
    assert routes == ["$connect", "$default", "$disconnect", "join", "sendmessage"]
    assert resources["WsStage"]["Properties"] == {"ApiId": {"Ref": "WsApi"}, "StageName": "dev", "AutoDeploy": True}
    assert resources["WsInvokePermission"]["Properties"]["Principal"] == "apigateway.amazonaws.com"
    assert "WebSocketUrl" in template["Outputs"]


def test_websocket_template_has_its_custom_domain(tmp_path, monkeypatch, capsys):
    """``websocket_domain`` (its certificate a parameter: certify imports one), or ``domain`` of a WebSocket-only
    stage with its ``certificate_arn``: a regional TLS 1.2 domain name mapped to the WebSocket stage."""
    for variant, name, certificate in (("websocket_domain", "ws.example.com", {"Ref": "WebSocketCertificateArn"}),
                                       ("websocket_only_domain", "chat.example.com", "arn:aws:acm:us-east-1:123456789012:certificate/abc")):
        folder = tmp_path / variant
        folder.mkdir()
        _write_stage(folder, VARIANTS[variant])
        monkeypatch.chdir(folder)
        code, out = _template(folder, capsys, "--json")
        assert code == 0, out
        template = json.loads(out)
        resources = template["Resources"]
        assert resources["WsDomainName"]["Properties"] == {"DomainName": name, "DomainNameConfigurations": [
            {"CertificateArn": certificate, "EndpointType": "REGIONAL", "SecurityPolicy": "TLS_1_2"}]}
        assert resources["WsApiMapping"]["Properties"] == {"ApiId": {"Ref": "WsApi"}, "DomainName": {"Ref": "WsDomainName"},
                                                           "Stage": {"Ref": "WsStage"}}
        assert template["Outputs"]["WebSocketDomainUrl"]["Value"] == f"wss://{name}"
        assert ("WebSocketCertificateArn" in template.get("Parameters", {})) == isinstance(certificate, dict)


def test_output_file(tmp_path, monkeypatch, capsys):
    _write_stage(tmp_path, {})
    monkeypatch.chdir(tmp_path)
    code, out = _template(tmp_path, capsys, "--output", str(tmp_path / "out.json"))
    assert code == 0
    assert "out.json" in out
    assert json.loads((tmp_path / "out.json").read_text())["Resources"]["Api"]


def test_bad_arns_are_usage_errors(tmp_path, monkeypatch, capsys):
    _write_stage(tmp_path, {})
    monkeypatch.chdir(tmp_path)
    code = run(["template", "dev", "-l", "not-an-arn", "-r", ROLE])
    assert code == 2
    assert "--lambda-arn" in capsys.readouterr().err


def test_without_api_gateway_there_is_no_template(tmp_path, monkeypatch, capsys):
    _write_stage(tmp_path, {"apigateway_enabled": False})
    monkeypatch.chdir(tmp_path)
    code, out = _template(tmp_path, capsys)
    assert code == 2
    assert "no front door" in out


def test_missing_policy_file_is_a_settings_error(tmp_path, monkeypatch, capsys):
    _write_stage(tmp_path, {"apigateway_policy": "nope.json"})
    monkeypatch.chdir(tmp_path)
    code, out = _template(tmp_path, capsys)
    assert code == 2
    assert "resource policy file not found" in out


def test_function_url_domains_template(tmp_path, monkeypatch, capsys):
    """The distribution deploy makes, in CloudFormation's form, in front of the template's function URL."""
    _write_stage(tmp_path, VARIANTS["url_domains"])
    monkeypatch.chdir(tmp_path)
    code, out = _template(tmp_path, capsys, "--json")
    assert code == 0, out
    template = json.loads(out)
    config = template["Resources"]["FunctionUrlDistribution"]["Properties"]["DistributionConfig"]
    assert config["Aliases"] == ["app.example.com"] and config["PriceClass"] == "PriceClass_All"
    assert config["Origins"][0]["DomainName"]["Fn::Select"][1]["Fn::Split"][1] == {"Fn::GetAtt": ["FunctionUrl", "FunctionUrl"]}
    assert config["Origins"][0]["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    assert config["DefaultCacheBehavior"]["OriginRequestPolicyId"] == "b689b0a8-53d0-40ab-baf2-68738e2966ac"
    assert config["ViewerCertificate"]["AcmCertificateArn"] == {"Ref": "FunctionUrlCertificateArn"}
    assert config["Restrictions"]["GeoRestriction"] == {"RestrictionType": "whitelist", "Locations": ["DE", "FR"]}
    assert template["Resources"]["FunctionUrl"]["Properties"]["TargetFunctionArn"] == LAMBDA
    assert "FunctionUrlPermission" in template["Resources"]
