"""CloudFormation templates of the stage's API: the REST API (v1) stack and, for ``zappa template``, the HTTP
API (v2).

The REST stack holds the API, the ``{proxy+}`` resource, the ``ANY`` methods with their ``AWS_PROXY``
integration, the authorizer and (for ``zappa template``) the CORS ``OPTIONS`` methods. The deployment and the
stage settings are made with boto3 afterwards, as Zappa does. Every variant passes ``cfn-lint``.
"""

from __future__ import annotations

from typing import Any

from zappa_aws_apigw.common import (
    AUTHORIZER_NAME,
    authorizer_function_arn,
    authorizer_type,
    cors_options,
    cors_response_headers,
    identity_source,
    invoke_arn,
    load_policy,
    method_authorization,
)

DESCRIPTION = "Created automatically by Zappa."
#: Resource path of each method group, by the logical-id suffix used in the template.
PATHS = {"0": "/", "1": "/{proxy+}"}


def _lambda_uri(function_arn: str) -> dict[str, Any]:
    return {"Fn::Sub": f"arn:${{AWS::Partition}}:apigateway:${{AWS::Region}}:lambda:path/2015-03-31/functions/{function_arn}/invocations"}


def _resource_ref(suffix: str) -> dict[str, Any]:
    return {"Fn::GetAtt": ["Api", "RootResourceId"]} if suffix == "0" else {"Ref": "ProxyResource"}


def rest_api_properties(settings: Any) -> dict[str, Any]:
    props: dict[str, Any] = {
        "Name": settings.function_name,
        "Description": settings.apigateway_description or DESCRIPTION,
    }
    if settings.endpoint_configuration:
        props["EndpointConfiguration"] = {"Types": list(settings.endpoint_configuration)}
    policy = load_policy(settings)
    if policy is not None:
        props["Policy"] = policy
    if settings.binary_support:
        props["BinaryMediaTypes"] = ["*/*"]
    if settings.payload_compression:
        props["MinimumCompressionSize"] = settings.payload_minimum_compression_size
    return props


def authorizer_properties(settings: Any, function_arn: str, role_arn: str | None = None) -> dict[str, Any] | None:
    kind = authorizer_type(settings)
    if kind is None:
        return None
    auth = settings.authorizer
    props: dict[str, Any] = {
        "Name": AUTHORIZER_NAME,
        "RestApiId": {"Ref": "Api"},
        "Type": kind,
        "IdentitySource": identity_source(settings),
    }
    if kind == "COGNITO_USER_POOLS":
        props["ProviderARNs"] = list(auth.provider_arns or [])
    else:
        props["AuthorizerUri"] = _lambda_uri(authorizer_function_arn(settings, function_arn))
        props["AuthorizerResultTtlInSeconds"] = auth.result_ttl
        if role_arn:
            props["AuthorizerCredentials"] = role_arn
    if auth.validation_expression and kind != "REQUEST":
        props["IdentityValidationExpression"] = auth.validation_expression
    return props


def proxy_method(settings: Any, suffix: str, function_arn: str, role_arn: str | None) -> dict[str, Any]:
    integration: dict[str, Any] = {
        "Type": "AWS_PROXY",
        "IntegrationHttpMethod": "POST",
        "Uri": _lambda_uri(invoke_arn(settings, function_arn)),
        "PassthroughBehavior": "NEVER",
    }
    if role_arn:
        integration["Credentials"] = role_arn
    props: dict[str, Any] = {
        "RestApiId": {"Ref": "Api"},
        "ResourceId": _resource_ref(suffix),
        "HttpMethod": "ANY",
        "AuthorizationType": method_authorization(settings),
        "ApiKeyRequired": bool(settings.api_key_required),
        "Integration": integration,
    }
    if authorizer_type(settings):
        props["AuthorizerId"] = {"Ref": "Authorizer"}
    if suffix == "1":
        props["RequestParameters"] = {"method.request.path.proxy": True}
        integration["RequestParameters"] = {"integration.request.path.proxy": "method.request.path.proxy"}
        integration["CacheKeyParameters"] = ["method.request.path.proxy"]
        integration["CacheNamespace"] = {"Ref": "ProxyResource"}
    return {"Type": "AWS::ApiGateway::Method", "Properties": props}


def cors_method(cors: dict[str, Any], suffix: str) -> dict[str, Any]:
    headers = cors_response_headers(cors)
    return {
        "Type": "AWS::ApiGateway::Method",
        "Properties": {
            "RestApiId": {"Ref": "Api"},
            "ResourceId": _resource_ref(suffix),
            "HttpMethod": "OPTIONS",
            "AuthorizationType": "NONE",
            "ApiKeyRequired": False,
            "Integration": {
                "Type": "MOCK",
                # AWS ignores IntegrationHttpMethod on a MOCK integration; moto's CloudFormation needs it.
                "IntegrationHttpMethod": "OPTIONS",
                "PassthroughBehavior": "WHEN_NO_MATCH",
                "RequestTemplates": {"application/json": '{"statusCode": 200}'},
                "IntegrationResponses": [{
                    "StatusCode": "200",
                    "ResponseParameters": {f"method.response.header.{k}": f"'{v}'" for k, v in headers.items()},
                    "ResponseTemplates": {"application/json": ""},
                }],
            },
            "MethodResponses": [{
                "StatusCode": "200",
                "ResponseModels": {"application/json": "Empty"},
                "ResponseParameters": {f"method.response.header.{k}": False for k in headers},
            }],
        },
    }


def rest_template(settings: Any, function_arn: str, role_arn: str | None = None, *, include_cors: bool = True) -> dict[str, Any]:
    """The REST API template. ``role_arn`` (``zappa template -r``) becomes the integrations' credentials;
    without it API Gateway invokes the function through a Lambda permission (what ``deploy`` adds).

    ``include_cors=False`` leaves the ``OPTIONS`` methods out: ``deploy`` puts them with boto3 after the stack
    (moto's CloudFormation cannot create a MOCK integration).
    """
    resources: dict[str, Any] = {
        "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": rest_api_properties(settings)},
        "ProxyResource": {
            "Type": "AWS::ApiGateway::Resource",
            "Properties": {"RestApiId": {"Ref": "Api"}, "ParentId": {"Fn::GetAtt": ["Api", "RootResourceId"]}, "PathPart": "{proxy+}"},
        },
    }
    auth = authorizer_properties(settings, function_arn, role_arn)
    if auth is not None:
        resources["Authorizer"] = {"Type": "AWS::ApiGateway::Authorizer", "Properties": auth}
    for suffix in PATHS:
        resources[f"ANY{suffix}"] = proxy_method(settings, suffix, function_arn, role_arn)
    cors = cors_options(settings)
    if cors is not None and include_cors:
        for suffix in PATHS:
            resources[f"OPTIONS{suffix}"] = cors_method(cors, suffix)
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"API Gateway REST API of {settings.function_name} (zappa)",
        "Resources": resources,
        "Outputs": {
            "ApiId": {"Description": "REST API id", "Value": {"Ref": "Api"}},
            "RootResourceId": {"Description": "Root resource id", "Value": {"Fn::GetAtt": ["Api", "RootResourceId"]}},
        },
    }


def http_cors_configuration(settings: Any) -> dict[str, Any] | None:
    """``CorsConfiguration`` of an HTTP API (CloudFormation and boto3 spell the keys alike)."""
    cors = cors_options(settings)
    if cors is None:
        return None
    config: dict[str, Any] = {
        "AllowOrigins": cors["allowed_origins"],
        "AllowMethods": cors["allowed_methods"],
        "AllowHeaders": cors["allowed_headers"],
    }
    if cors["expose_headers"]:
        config["ExposeHeaders"] = cors["expose_headers"]
    if cors["allow_credentials"] is not None:
        config["AllowCredentials"] = cors["allow_credentials"]
    if cors["max_age"] is not None:
        config["MaxAge"] = cors["max_age"]
    return config


def http_route_authorization(settings: Any) -> str:
    if authorizer_type(settings) in ("TOKEN", "REQUEST"):
        return "CUSTOM"
    if settings.iam_authorization:
        return "AWS_IAM"
    return "NONE"


def http_template(settings: Any, function_arn: str, role_arn: str | None = None) -> dict[str, Any]:
    """The HTTP API (v2) template: API, ``AWS_PROXY`` integration (payload 2.0), ``$default`` route and an
    auto-deployed ``$default`` stage, with CORS and an IAM or Lambda authorizer."""
    api: dict[str, Any] = {
        "Name": settings.function_name,
        "ProtocolType": "HTTP",
        "Description": settings.apigateway_description or DESCRIPTION,
    }
    cors = http_cors_configuration(settings)
    if cors:
        api["CorsConfiguration"] = cors
    integration: dict[str, Any] = {
        "ApiId": {"Ref": "Api"},
        "IntegrationType": "AWS_PROXY",
        "IntegrationUri": invoke_arn(settings, function_arn),
        "PayloadFormatVersion": "2.0",
    }
    if role_arn:
        integration["CredentialsArn"] = role_arn
    route: dict[str, Any] = {
        "ApiId": {"Ref": "Api"},
        "RouteKey": "$default",
        "Target": {"Fn::Join": ["/", ["integrations", {"Ref": "Integration"}]]},
        "AuthorizationType": http_route_authorization(settings),
    }
    resources: dict[str, Any] = {
        "Api": {"Type": "AWS::ApiGatewayV2::Api", "Properties": api},
        "Integration": {"Type": "AWS::ApiGatewayV2::Integration", "Properties": integration},
    }
    if route["AuthorizationType"] == "CUSTOM":
        auth = settings.authorizer
        authorizer: dict[str, Any] = {
            "ApiId": {"Ref": "Api"},
            "Name": AUTHORIZER_NAME,
            "AuthorizerType": "REQUEST",
            "AuthorizerUri": _lambda_uri(authorizer_function_arn(settings, function_arn)),
            "AuthorizerPayloadFormatVersion": "2.0",
            "AuthorizerResultTtlInSeconds": auth.result_ttl,
            "IdentitySource": [f"$request.header.{auth.token_header}"],
            "EnableSimpleResponses": False,
        }
        if role_arn:
            authorizer["AuthorizerCredentialsArn"] = role_arn
        resources["Authorizer"] = {"Type": "AWS::ApiGatewayV2::Authorizer", "Properties": authorizer}
        route["AuthorizerId"] = {"Ref": "Authorizer"}
    resources["DefaultRoute"] = {"Type": "AWS::ApiGatewayV2::Route", "Properties": route}
    resources["DefaultStage"] = {
        "Type": "AWS::ApiGatewayV2::Stage",
        "Properties": {"ApiId": {"Ref": "Api"}, "StageName": "$default", "AutoDeploy": True},
    }
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"API Gateway HTTP API of {settings.function_name} (zappa)",
        "Resources": resources,
        "Outputs": {
            "ApiId": {"Description": "HTTP API id", "Value": {"Ref": "Api"}},
            "ApiEndpoint": {"Description": "Invoke URL", "Value": {"Fn::GetAtt": ["Api", "ApiEndpoint"]}},
        },
    }


def websocket_resources(settings: Any, function_arn: str) -> dict[str, Any]:
    """The WebSocket API's resources (``websocket_handler_module``), with Zappa's logical ids: the API, its
    ``AWS_PROXY`` integration, a route per route key, the auto-deployed stage and the invoke permission."""
    ref = {"Ref": "WsApi"}
    target = {"Fn::Join": ["/", ["integrations", {"Ref": "WsIntegration"}]]}
    resources: dict[str, Any] = {
        "WsApi": {"Type": "AWS::ApiGatewayV2::Api", "Properties": {
            "Name": f"{settings.function_name}-ws", "ProtocolType": "WEBSOCKET",
            "Description": settings.apigateway_description or DESCRIPTION,
            "RouteSelectionExpression": settings.websocket_route_selection_expression}},
        "WsIntegration": {"Type": "AWS::ApiGatewayV2::Integration", "Properties": {
            "ApiId": ref, "IntegrationType": "AWS_PROXY", "IntegrationMethod": "POST",
            "IntegrationUri": _lambda_uri(invoke_arn(settings, function_arn))}},
    }
    names = {"$connect": "WsConnectRoute", "$disconnect": "WsDisconnectRoute", "$default": "WsDefaultRoute"}
    routes = ["$connect", "$disconnect", "$default", *settings.websocket_routes]
    for index, key in enumerate(routes):
        name = names.get(key) or f"WsCustomRoute{index - 2}"
        resources[name] = {"Type": "AWS::ApiGatewayV2::Route", "Properties": {"ApiId": ref, "RouteKey": key, "Target": target}}
    resources["WsStage"] = {"Type": "AWS::ApiGatewayV2::Stage", "DependsOn": [n for n in resources if n.endswith("Route") or "Route" in n],
                            "Properties": {"ApiId": ref, "StageName": settings.stage, "AutoDeploy": True}}
    resources["WsInvokePermission"] = {"Type": "AWS::Lambda::Permission", "Properties": {
        "FunctionName": invoke_arn(settings, function_arn), "Action": "lambda:InvokeFunction", "Principal": "apigateway.amazonaws.com",
        "SourceArn": {"Fn::Sub": "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${WsApi}/*"}}}
    return resources


def stage_template(settings: Any, lambda_arn: str, role_arn: str | None) -> dict[str, Any] | None:
    """The template ``zappa template`` prints for this stage (the REST or HTTP API, the WebSocket API with
    ``websocket_handler_module``, the function URL and its CloudFront distribution with ``function_url_domains``),
    or ``None`` without any."""
    from zappa_aws_apigw.common import apigw_enabled

    template = None
    if apigw_enabled(settings):
        template = http_template(settings, lambda_arn, role_arn) if settings.apigateway_version == "v2" else \
            rest_template(settings, lambda_arn, role_arn)
    if settings.websocket_handler_module:
        if template is None:
            template = {"AWSTemplateFormatVersion": "2010-09-09",
                        "Description": f"API Gateway WebSocket API of {settings.function_name} (zappa)", "Resources": {}, "Outputs": {}}
        template["Resources"].update(websocket_resources(settings, lambda_arn))
        template.setdefault("Outputs", {})["WebSocketUrl"] = {
            "Description": "WebSocket URL",
            "Value": {"Fn::Sub": f"wss://${{WsApi}}.execute-api.${{AWS::Region}}.amazonaws.com/{settings.stage}"}}
        _add_websocket_domain(template, settings)
    from zappa_aws_apigw.url_template import add_function_url

    return add_function_url(template, settings, lambda_arn)


def _add_websocket_domain(template: dict[str, Any], settings: Any) -> None:
    """The WebSocket API's custom domain (``websocket_domain``, or ``domain`` of a WebSocket-only stage): a regional
    TLS 1.2 domain name and its mapping to the stage. The certificate is ``certificate_arn``, else a parameter
    (``zappa certify`` imports one; its DNS record is certify's to write)."""
    from zappa_aws_apigw.websocket_domain import websocket_domain_of

    name = websocket_domain_of(settings)
    if not name:
        return
    certificate: Any = settings.get("certificate_arn")
    if not certificate:
        template.setdefault("Parameters", {})["WebSocketCertificateArn"] = {
            "Type": "String", "Description": f"ACM certificate for {name}, in the stage's region"}
        certificate = {"Ref": "WebSocketCertificateArn"}
    template["Resources"]["WsDomainName"] = {"Type": "AWS::ApiGatewayV2::DomainName", "Properties": {
        "DomainName": name, "DomainNameConfigurations": [
            {"CertificateArn": certificate, "EndpointType": "REGIONAL", "SecurityPolicy": "TLS_1_2"}]}}
    template["Resources"]["WsApiMapping"] = {"Type": "AWS::ApiGatewayV2::ApiMapping", "Properties": {
        "ApiId": {"Ref": "WsApi"}, "DomainName": {"Ref": "WsDomainName"}, "Stage": {"Ref": "WsStage"}}}
    template["Outputs"]["WebSocketDomainUrl"] = {"Description": "WebSocket URL of the custom domain", "Value": f"wss://{name}"}
    template["Outputs"]["WebSocketDomainTarget"] = {
        "Description": f"Point {name} here: an alias A record to this name in WebSocketDomainHostedZoneId",
        "Value": {"Fn::GetAtt": ["WsDomainName", "RegionalDomainName"]}}
    template["Outputs"]["WebSocketDomainHostedZoneId"] = {
        "Description": "The hosted zone of WebSocketDomainTarget", "Value": {"Fn::GetAtt": ["WsDomainName", "RegionalHostedZoneId"]}}
