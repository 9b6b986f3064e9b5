"""Settings owned by the API Gateway plugin (REST v1, HTTP API v2, function URLs)."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class CorsOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    allowed_headers: list[str] | None = None
    allowed_methods: list[str] | None = None
    allowed_origin: str | None = None
    allowed_origins: list[str] | None = None
    expose_headers: list[str] | None = None
    allow_credentials: bool | None = None
    max_age: int | None = None


class AuthorizerOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    function: str | None = None
    arn: str | None = None
    type: Literal["TOKEN", "REQUEST", "COGNITO_USER_POOLS"] = "TOKEN"
    result_ttl: int = 300
    token_header: str = "Authorization"
    validation_expression: str | None = None
    provider_arns: list[str] | None = None


class ApiGatewaySettings(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    apigateway_enabled: bool = Field(True, description="Create an API Gateway in front of the function.")
    use_apigateway: bool | None = Field(None, description="Deprecated: use `apigateway_enabled`.")
    apigateway_version: Literal["v1", "v2"] = Field("v1", description="`v1`: REST API; `v2`: HTTP API.")
    apigateway_description: str | None = Field(None, description="Description of the API.")
    apigateway_lambda_qualifier: str | None = Field(None, description="Alias or version the API invokes.")
    apigateway_policy: str | None = Field(None, description="Path of a JSON resource policy for the REST API.")
    endpoint_configuration: list[Literal["EDGE", "REGIONAL", "PRIVATE"]] | None = Field(None, description="REST API endpoint types.")
    payload_compression: bool = Field(True, description="REST API response compression.")
    payload_minimum_compression_size: int = Field(0, ge=0, le=10485760, description="Smallest response (bytes) that is compressed.")
    cors: bool | CorsOptions = Field(False, description="`true` or `{allowed_headers, allowed_methods, allowed_origin}`.")
    api_key_required: bool = Field(False, description="Require an API key (`x-api-key`).")
    api_key: str | None = Field(None, description="An existing API key id to use instead of creating one.")
    iam_authorization: bool = Field(False, description="Require IAM (SigV4) authorization.")
    authorizer: AuthorizerOptions | None = Field(None, description="Lambda (TOKEN/REQUEST) or Cognito authorizer.")
    cache_cluster_enabled: bool = Field(False, description="Enable the stage cache.")
    cache_cluster_size: float = Field(0.5, description="Cache size in GB.")
    cache_cluster_ttl: int = Field(300, ge=0, le=3600, description="Cache TTL in seconds.")
    cache_cluster_encrypted: bool = Field(False, description="Encrypt the cache.")
    cloudwatch_log_level: Literal["OFF", "ERROR", "INFO"] = Field("OFF", description="API Gateway execution logging.")
    cloudwatch_data_trace: bool = Field(False, description="Log full requests and responses.")
    cloudwatch_metrics_enabled: bool = Field(False, description="Detailed CloudWatch metrics.")
    websocket_handler_module: str | None = Field(None, description="Dotted module that registers the WebSocket handlers (`zappa.websocket`); creates a WebSocket API.")
    websocket_route_selection_expression: str = Field("$request.body.action", description="How a message picks its WebSocket route: `$request.body.<field>` of a JSON message.")
    websocket_routes: list[str] = Field(default_factory=list, description="Custom WebSocket route keys (besides `$connect`, `$disconnect`, `$default`), handled with `@on_route(key)`.")
    websocket_domain: str | None = Field(None, description="Custom domain of the WebSocket API (`wss://<domain>`), certified and bound by `zappa certify`.")
    function_url_enabled: bool = Field(False, description="Create a Lambda function URL.")
    function_url_config: dict[str, Any] = Field(default_factory=dict, description="`{\"authorizer\": \"NONE\"|\"AWS_IAM\", \"cors\": {...}}` merged over the defaults.")
    function_url_domains: list[str] = Field(default_factory=list, description="Custom domains of the function URL: a CloudFront distribution in front of it, bound by `zappa certify`.")
    function_url_cloudfront_config: dict[str, Any] = Field(default_factory=dict, description="CloudFront `DistributionConfig` keys merged over the distribution of `function_url_domains`.")


def validate(settings: Any) -> list:
    """Cross-field rules of the API Gateway settings (the core prints every problem and exits 2)."""
    from pathlib import Path

    from zappa_core.records import SettingsProblem

    from zappa_aws_apigw.url_domains import validate as validate_url_domains

    problems = validate_url_domains(settings)
    auth = settings.authorizer
    if auth is not None:
        if auth.type == "COGNITO_USER_POOLS":
            if not auth.provider_arns:
                problems.append(SettingsProblem("a COGNITO_USER_POOLS authorizer needs 'provider_arns'", key="authorizer"))
            if settings.apigateway_version == "v2":
                problems.append(SettingsProblem(
                    "COGNITO_USER_POOLS authorizers are for REST APIs (v1); use apigateway_version 'v1'", key="authorizer"))
        elif not (auth.function or auth.arn):
            problems.append(SettingsProblem("an authorizer needs 'function' (in this app) or 'arn'", key="authorizer"))
        if auth.function and auth.arn:
            problems.append(SettingsProblem("give the authorizer 'function' or 'arn', not both", key="authorizer"))
        if auth.validation_expression and auth.type != "TOKEN":
            problems.append(SettingsProblem("'validation_expression' applies to TOKEN authorizers only", key="authorizer"))
        if settings.iam_authorization:
            problems.append(SettingsProblem("'iam_authorization' and 'authorizer' exclude each other", key="iam_authorization"))
    if settings.apigateway_policy:
        path = Path(settings.apigateway_policy)
        if not path.is_absolute():
            path = Path(settings.project_dir) / path
        if not path.is_file():
            problems.append(SettingsProblem(f"resource policy file not found: {path}", key="apigateway_policy"))
    if settings.apigateway_version == "v2":
        for key in ("api_key_required", "cache_cluster_enabled"):
            if getattr(settings, key):
                problems.append(SettingsProblem(f"'{key}' applies to REST APIs (v1) only", key=key))
        if settings.endpoint_configuration and settings.endpoint_configuration != ["REGIONAL"]:
            problems.append(SettingsProblem("HTTP APIs (v2) are regional: 'endpoint_configuration' applies to v1", key="endpoint_configuration"))
    if settings.endpoint_configuration and len(settings.endpoint_configuration) != 1:
        problems.append(SettingsProblem("'endpoint_configuration' takes exactly one type", key="endpoint_configuration"))
    problems += validate_websocket(settings)
    config = settings.function_url_config or {}
    auth_type = str(config.get("authorizer", "NONE")).upper()
    if auth_type not in ("NONE", "AWS_IAM", "IAM"):
        from zappa_core.settings.messages import show

        problems.append(SettingsProblem(f"must be 'NONE' or 'AWS_IAM', not {show(config.get('authorizer'))}",
                                        key="function_url_config", path=("authorizer",)))
    return problems


DOTTED_MODULE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
SELECTION_EXPRESSION = re.compile(r"^\$request\.body\.[A-Za-z0-9_$][A-Za-z0-9_$.\-]*$")
ROUTE_KEY = re.compile(r"^[^\s$][^\s]{0,127}$")


def validate_websocket(settings: Any) -> list:
    """``websocket_handler_module`` names a module of the project by its dotted path (as Zappa reads it); the
    route selection expression and custom route keys are ones API Gateway accepts."""
    from pathlib import Path

    from zappa_core.records import SettingsProblem

    module = settings.websocket_handler_module
    problems = []
    if module is None:
        for key in ("websocket_routes", "websocket_domain"):
            if getattr(settings, key):
                problems.append(SettingsProblem("applies only with 'websocket_handler_module'", key=key))
        return problems
    if module.endswith(".py"):
        problems.append(SettingsProblem(
            f"must be a dotted module path (e.g. 'my_package.ws_handlers'), not a file path: {module!r}", key="websocket_handler_module"))
    elif not DOTTED_MODULE.match(module):
        problems.append(SettingsProblem(
            f"must be a dotted module path (e.g. 'my_package.ws_handlers'): {module!r}", key="websocket_handler_module"))
    else:
        base = Path(settings.project_dir).joinpath(*module.split("."))
        if not (base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()):
            problems.append(SettingsProblem(
                f"module {module!r} is not in the project: neither {base.relative_to(settings.project_dir)}.py nor "
                f"{base.relative_to(settings.project_dir)}/__init__.py exists", key="websocket_handler_module"))
    if not SELECTION_EXPRESSION.match(settings.websocket_route_selection_expression):
        problems.append(SettingsProblem(
            "a WebSocket route selection expression reads a field of the JSON message: '$request.body.<field>', "
            f"not {settings.websocket_route_selection_expression!r}", key="websocket_route_selection_expression"))
    seen = set()
    for route in settings.websocket_routes:
        if route in seen:
            problems.append(SettingsProblem(f"route {route!r} is listed twice", key="websocket_routes"))
        seen.add(route)
        if not ROUTE_KEY.match(route):
            problems.append(SettingsProblem(
                f"route {route!r}: a custom route key has 1 to 128 characters, no spaces, and does not start with '$' "
                "($connect, $disconnect and $default are always created)", key="websocket_routes"))
    from zappa_aws_apigw.websocket_domain import validate_websocket_domain

    return problems + validate_websocket_domain(settings)
