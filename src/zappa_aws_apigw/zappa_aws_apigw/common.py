"""Small helpers shared by the API Gateway steps, the template and the local routes.

Names: everything a stage owns is named after its Lambda function (``settings.function_name``) and tagged
``ZappaProject=<function_name>``, so ``undeploy`` finds it in AWS without a local state file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from zappa_core.arns import arn_service, partition_of, split_function_arn
from zappa_core.errors import UsageError
from zappa_core.resources.util import ALIAS

AUTHORIZER_NAME = "ZappaAuthorizer"
TAG_KEY = "ZappaProject"

DEFAULT_CORS_HEADERS = ["Content-Type", "X-Amz-Date", "Authorization", "X-Api-Key", "X-Amz-Security-Token"]
DEFAULT_CORS_METHODS = ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"]
DEFAULT_CORS_ORIGIN = "*"

#: Zappa's defaults for ``function_url_config``; the user's value is merged over them.
DEFAULT_FUNCTION_URL_CONFIG: dict[str, Any] = {
    "authorizer": "NONE",
    "cors": {
        "allowedOrigins": ["*"],
        "allowedHeaders": ["*"],
        "allowedMethods": ["*"],
        "allowCredentials": False,
        "exposedResponseHeaders": [],
        "maxAge": 0,
    },
}


def apigw_enabled(settings: Any) -> bool:
    """``apigateway_enabled``, honouring the legacy ``use_apigateway`` when the user wrote it."""
    legacy = settings.get("use_apigateway")
    return bool(settings.apigateway_enabled if legacy is None else legacy)


def uses_rest_api(settings: Any) -> bool:
    return apigw_enabled(settings) and settings.apigateway_version == "v1"


def uses_http_api(settings: Any) -> bool:
    return apigw_enabled(settings) and settings.apigateway_version == "v2"


def lambda_qualifier(settings: Any) -> str | None:
    """The alias or version the API invokes: ``apigateway_lambda_qualifier``; else, for a stage that deploys
    gradually, the managed alias (whose weights a rollout shifts); else none, the function itself."""
    if settings.apigateway_lambda_qualifier:
        return settings.apigateway_lambda_qualifier
    deployment = getattr(settings, "deployment", None)
    return ALIAS if deployment is not None and deployment.gradual else None


def invoke_arn(settings: Any, function_arn: str) -> str:
    """The ARN API Gateway invokes: the function, or the alias/version of :func:`lambda_qualifier`."""
    base = split_function_arn(function_arn)[0]
    qualifier = lambda_qualifier(settings)
    return f"{base}:{qualifier}" if qualifier else base


def lambda_uri(region: str, function_arn: str) -> str:
    """The integration URI of an ``AWS_PROXY`` integration with the Lambda ``function_arn``."""
    return f"arn:{partition_of(region)}:apigateway:{region}:lambda:path/2015-03-31/functions/{function_arn}/invocations"


def function_arn_of_uri(uri: str) -> str | None:
    """The Lambda ARN inside an integration URI (the reverse of :func:`lambda_uri`); ``None`` if not Lambda."""
    marker = "/functions/"
    if marker not in uri:
        return uri if arn_service(uri) == "lambda" else None
    return uri.split(marker, 1)[1].rsplit("/invocations", 1)[0]


def cors_options(settings: Any) -> dict[str, Any] | None:
    """The effective CORS settings (``None`` when CORS is off), with Zappa's defaults filled in."""
    cors = settings.cors
    if cors is False or cors is None:
        return None
    if cors is True:
        cors_dict: dict[str, Any] = {}
    else:
        cors_dict = cors.model_dump(exclude_none=True)
    origins = cors_dict.get("allowed_origins")
    origin = cors_dict.get("allowed_origin") or (origins[0] if origins else DEFAULT_CORS_ORIGIN)
    return {
        "allowed_headers": list(cors_dict.get("allowed_headers") or DEFAULT_CORS_HEADERS),
        "allowed_methods": list(cors_dict.get("allowed_methods") or DEFAULT_CORS_METHODS),
        "allowed_origin": origin,
        "allowed_origins": list(origins or [origin]),
        "expose_headers": list(cors_dict.get("expose_headers") or []),
        "allow_credentials": cors_dict.get("allow_credentials"),
        "max_age": cors_dict.get("max_age"),
    }


def cors_response_headers(cors: dict[str, Any]) -> dict[str, str]:
    """The headers a CORS preflight answers with (REST API OPTIONS MOCK methods, local gateway)."""
    headers = {
        "Access-Control-Allow-Headers": ",".join(cors["allowed_headers"]),
        "Access-Control-Allow-Methods": ",".join(cors["allowed_methods"]),
        "Access-Control-Allow-Origin": cors["allowed_origin"],
    }
    if cors.get("allow_credentials"):
        headers["Access-Control-Allow-Credentials"] = "true"
    if cors.get("max_age") is not None:
        headers["Access-Control-Max-Age"] = str(cors["max_age"])
    if cors.get("expose_headers"):
        headers["Access-Control-Expose-Headers"] = ",".join(cors["expose_headers"])
    return headers


def load_policy(settings: Any) -> dict[str, Any] | None:
    """The REST API resource policy from the ``apigateway_policy`` file, or ``None``."""
    path = settings.apigateway_policy
    if not path:
        return None
    full = Path(path)
    if not full.is_absolute():
        full = Path(settings.project_dir) / full
    try:
        return json.loads(full.read_text())
    except FileNotFoundError:
        raise UsageError(f"apigateway_policy: file not found: {full}") from None
    except ValueError as exc:
        raise UsageError(f"apigateway_policy: {full} is not valid JSON: {exc}") from None


def authorizer_type(settings: Any) -> str | None:
    """``TOKEN``/``REQUEST``/``COGNITO_USER_POOLS`` when an authorizer is configured, else ``None``."""
    auth = settings.authorizer
    if auth is None or not (auth.function or auth.arn or auth.provider_arns):
        return None
    return auth.type


def authorizer_function_arn(settings: Any, function_arn: str) -> str | None:
    """The Lambda the authorizer invokes: this stage's function for ``function``, else ``arn``."""
    auth = settings.authorizer
    if auth is None or authorizer_type(settings) in (None, "COGNITO_USER_POOLS"):
        return None
    return auth.arn or split_function_arn(function_arn)[0]


def method_authorization(settings: Any) -> str:
    """The ``authorizationType`` of the proxy methods."""
    kind = authorizer_type(settings)
    if kind == "COGNITO_USER_POOLS":
        return "COGNITO_USER_POOLS"
    if kind:
        return "CUSTOM"
    if settings.iam_authorization:
        return "AWS_IAM"
    return "NONE"


def identity_source(settings: Any) -> str:
    return f"method.request.header.{settings.authorizer.token_header}"


def tags_of(settings: Any) -> dict[str, str]:
    tags = dict(settings.tags or {})
    tags[TAG_KEY] = settings.zappa_project_tag
    return tags

