"""What the REST API step compares: :class:`Desired` (what the settings ask for) and :class:`Live` (what
exists in AWS), with the stage settings that follow from them and the error the step raises."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from zappa_core.errors import AwsError

from zappa_aws_apigw import common
from zappa_aws_apigw.common import AUTHORIZER_NAME, lambda_uri
from zappa_aws_apigw.template import rest_template


def rest_api_url(region: str, api_id: str, stage: str) -> str:
    return f"https://{api_id}.execute-api.{region}.amazonaws.com/{stage}"


@dataclass
class Desired:
    """What the settings ask for, in the shapes boto3 returns."""

    settings: Any
    function_arn: str
    region: str
    template: dict[str, Any] = field(init=False)

    def __post_init__(self) -> None:
        self.template = rest_template(self.settings, self.function_arn, include_cors=False)

    @property
    def stage(self) -> str:
        return self.settings.stage

    @property
    def authorizer(self) -> dict[str, Any] | None:
        """The authorizer as ``get_authorizers`` reports it."""
        kind = common.authorizer_type(self.settings)
        if kind is None:
            return None
        auth = self.settings.authorizer
        want: dict[str, Any] = {"name": AUTHORIZER_NAME, "type": kind, "identitySource": common.identity_source(self.settings)}
        if kind == "COGNITO_USER_POOLS":
            want["providerARNs"] = list(auth.provider_arns or [])
        else:
            want["authorizerUri"] = lambda_uri(self.region, common.authorizer_function_arn(self.settings, self.function_arn))
            want["authorizerResultTtlInSeconds"] = auth.result_ttl
        if auth.validation_expression and kind != "REQUEST":
            want["identityValidationExpression"] = auth.validation_expression
        return want

    @property
    def integration_uri(self) -> str:
        return lambda_uri(self.region, common.invoke_arn(self.settings, self.function_arn))

    @property
    def cors(self) -> dict[str, str] | None:
        cors = common.cors_options(self.settings)
        return None if cors is None else common.cors_response_headers(cors)

    def method_settings(self) -> dict[str, Any]:
        s = self.settings
        return {
            "loggingLevel": s.cloudwatch_log_level,
            "dataTraceEnabled": bool(s.cloudwatch_data_trace),
            "metricsEnabled": bool(s.cloudwatch_metrics_enabled),
            "cachingEnabled": bool(s.cache_cluster_enabled),
            "cacheTtlInSeconds": int(s.cache_cluster_ttl),
            "cacheDataEncrypted": bool(s.cache_cluster_encrypted),
        }


METHOD_SETTING_PATHS = {
    "loggingLevel": "logging/loglevel",
    "dataTraceEnabled": "logging/dataTrace",
    "metricsEnabled": "metrics/enabled",
    "cachingEnabled": "caching/enabled",
    "cacheTtlInSeconds": "caching/ttlInSeconds",
    "cacheDataEncrypted": "caching/dataEncrypted",
}


def patch_value(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


@dataclass
class Live:
    """What exists in AWS for the stage."""

    stack_status: str | None = None
    stack_template: Any = None
    api_id: str | None = None
    api: dict[str, Any] | None = None
    resources: dict[str, dict[str, Any]] = field(default_factory=dict)  # by path
    authorizers: list[dict[str, Any]] = field(default_factory=list)
    stage: dict[str, Any] | None = None
    permissions: dict[str, dict[str, Any]] = field(default_factory=dict)  # by Sid
    usage_plan: dict[str, Any] | None = None
    usage_plan_keys: list[str] = field(default_factory=list)
    api_key: dict[str, Any] | None = None

    @property
    def authorizer(self) -> dict[str, Any] | None:
        return next((a for a in self.authorizers if a.get("name") == AUTHORIZER_NAME), None)


def aws_error(what: str, resource: str | None, exc: Exception, extra: str = "") -> AwsError:
    message = f"apigw:rest-api: could not {what} ({resource}): {exc}"
    if extra:
        message += f"\n{extra}"
    return AwsError(message)


def find_rest_api_id(apigw: Any, name: str) -> str | None:
    position = None
    while True:
        kwargs: dict[str, Any] = {"limit": 500}
        if position:
            kwargs["position"] = position
        page = apigw.get_rest_apis(**kwargs)
        for item in page.get("items", []):
            if item.get("name") == name:
                return item["id"]
        position = page.get("position")
        if not position:
            return None


def stage_patch_ops(want: Desired, stage: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The ``update_stage`` operations that bring ``stage`` to the settings (empty when it matches)."""
    if stage is None:
        return []
    s = want.settings
    ops: list[dict[str, Any]] = []
    if bool(stage.get("cacheClusterEnabled")) != bool(s.cache_cluster_enabled):
        ops.append({"op": "replace", "path": "/cacheClusterEnabled", "value": patch_value(bool(s.cache_cluster_enabled))})
    if s.cache_cluster_enabled and str(stage.get("cacheClusterSize")) != str(s.cache_cluster_size):
        ops.append({"op": "replace", "path": "/cacheClusterSize", "value": str(s.cache_cluster_size)})
    current = (stage.get("methodSettings") or {}).get("*/*")
    for key, value in want.method_settings().items():
        if current is None or current.get(key) != value:
            ops.append({"op": "replace", "path": f"/*/*/{METHOD_SETTING_PATHS[key]}", "value": patch_value(value)})
    return ops
