"""The local gateway's REST API route: ``/<api id>/<stage>/<path>`` served by the resource of the exact path,
else of ``{param}`` segments, else of the longest ``{proxy+}`` prefix; API keys of the stage's usage plans
and TOKEN/REQUEST authorizers enforced; ``OPTIONS`` MOCK methods answering CORS preflights; request bodies
base64-encoded for the API's binary media types."""

from __future__ import annotations

import re
from typing import Any

from zappa_core.arns import build_arn
from zappa_core.local.http import LocalRequest, LocalResponse

from zappa_aws_apigw.common import function_arn_of_uri
from zappa_aws_apigw.local_api import ApiRoute, paged
from zappa_aws_apigw.local_auth import (
    DENIED,
    FORBIDDEN,
    MISSING_TOKEN,
    NOT_ALLOWED,
    UNAUTHORIZED,
    authorizer_context,
    evaluate_policy,
    identity_value,
    sigv4_present,
)
from zappa_aws_apigw.local_events import decoded_path, invoke_proxy, json_response, rest_event

REST_BAD_GATEWAY = {"message": "Internal server error"}


class RestApiRoute(ApiRoute):
    """One REST API: its resources, methods, authorizers and keys."""

    id_key = "id"

    def load(self) -> dict[str, Any]:
        apigw = self.state.aws.client("apigateway")
        resources = list(paged(apigw, "get_resources", "items", "position", restApiId=self.api_id, embed=["methods"], limit=500))
        return {
            "api": apigw.get_rest_api(restApiId=self.api_id),
            "resources": resources,
            "stages": {s["stageName"]: s for s in apigw.get_stages(restApiId=self.api_id).get("item", [])},
            "authorizers": {a["id"]: a for a in apigw.get_authorizers(restApiId=self.api_id).get("items", [])},
        }

    def valid_api_key(self, stage: str, value: str | None) -> str | None:
        """The id of the enabled key with this value that a usage plan of (this API, ``stage``) holds."""
        if not value:
            return None
        apigw = self.state.aws.client("apigateway")
        keys = {k["id"]: k for k in paged(apigw, "get_api_keys", "items", "position", includeValues=True)
                if k.get("value") == value and k.get("enabled", True)}
        if not keys:
            return None
        for plan in paged(apigw, "get_usage_plans", "items", "position"):
            if not any(s.get("apiId") == self.api_id and s.get("stage") == stage for s in plan.get("apiStages") or []):
                continue
            for key in apigw.get_usage_plan_keys(usagePlanId=plan["id"]).get("items", []):
                if key["id"] in keys:
                    return key["id"]
        return None

    def __call__(self, request: LocalRequest) -> LocalResponse:
        model = self.model()
        stage_name, _, rest = request.path.lstrip("/").partition("/")
        stage = model["stages"].get(stage_name)
        if stage is None:
            return json_response(403, MISSING_TOKEN)
        path = decoded_path("/" + rest)
        match = match_resource(model["resources"], path)
        if match is None:
            return json_response(403, MISSING_TOKEN)
        resource, path_parameters = match
        methods = resource.get("resourceMethods") or {}
        method = methods.get(request.method) or methods.get("ANY")
        if method is None:
            return json_response(403, MISSING_TOKEN)
        integration = method.get("methodIntegration") or {}
        if integration.get("type") == "MOCK":
            return mock_response(integration)
        account = self.state.account_id
        method_arn = build_arn("execute-api", self.state.region, account, f"{self.api_id}/{stage_name}/{request.method}/{path.lstrip('/')}")
        if method.get("apiKeyRequired") and self.valid_api_key(stage_name, request.header("x-api-key")) is None:
            return json_response(403, FORBIDDEN)
        auth_type = method.get("authorizationType") or "NONE"
        authorizer_ctx: dict[str, Any] | None = None
        if auth_type == "AWS_IAM" and not sigv4_present(request):
            return json_response(403, MISSING_TOKEN)
        if auth_type in ("CUSTOM", "COGNITO_USER_POOLS"):
            authorizer = model["authorizers"].get(method.get("authorizerId") or "")
            if authorizer is None:
                return json_response(500, {"message": None})
            outcome = self.authorize(request, authorizer, method_arn, resource, stage_name, path, stage)
            if isinstance(outcome, LocalResponse):
                return outcome
            authorizer_ctx = outcome
        event = rest_event(
            request, api_id=self.api_id, stage=stage_name, path=path, resource=resource, account=account,
            stage_variables=stage.get("variables"), binary_media_types=model["api"].get("binaryMediaTypes") or [],
            authorizer=authorizer_ctx, path_parameters=path_parameters,
        )
        uri = integration.get("uri") or ""
        if integration.get("type") != "AWS_PROXY" or not function_arn_of_uri(uri):
            return json_response(500, {"message": f"the local gateway serves AWS_PROXY Lambda integrations, not {integration.get('type')}"})
        return invoke_proxy(self.state, uri, event, v2=False, bad_gateway=REST_BAD_GATEWAY)

    def authorize(self, request: LocalRequest, authorizer: dict[str, Any], method_arn: str, resource: dict[str, Any],
                  stage_name: str, path: str, stage: dict[str, Any]) -> Any:
        """The ``requestContext.authorizer`` of an allowed request, or the 401/403/500 response."""
        sources = [s.strip() for s in (authorizer.get("identitySource") or "").split(",") if s.strip()]
        values = [identity_value(request, s) for s in sources]
        if any(v is None for v in values) or (authorizer.get("type") == "TOKEN" and not values):
            return json_response(401, UNAUTHORIZED)
        if authorizer.get("type") == "COGNITO_USER_POOLS":
            return {"claims": {}}  # the token is required but cannot be verified offline
        if authorizer.get("type") == "TOKEN":
            expression = authorizer.get("identityValidationExpression")
            if expression and not re.fullmatch(expression, values[0]):
                return json_response(401, UNAUTHORIZED)
        cache_key = (authorizer["id"], "\x00".join(values))  # as API Gateway: by identity, policy checked per method
        ttl = int(authorizer.get("authorizerResultTtlInSeconds") or 0)
        result = self.cache.get(cache_key)
        if result is None:
            if authorizer.get("type") == "TOKEN":
                event: dict[str, Any] = {"type": "TOKEN", "authorizationToken": values[0], "methodArn": method_arn}
            else:
                event = rest_event(request, api_id=self.api_id, stage=stage_name, path=path, resource=resource,
                                   account=self.state.account_id, stage_variables=stage.get("variables"), binary_media_types=[])
                event.update({"type": "REQUEST", "methodArn": method_arn, "identitySource": ",".join(values)})
                event.pop("body", None)
                event.pop("isBase64Encoded", None)
            payload, error = self.state.invoke(authorizer.get("authorizerUri") or "", event)
            if error:
                if isinstance(payload, dict) and payload.get("errorMessage") == "Unauthorized":
                    return json_response(401, UNAUTHORIZED)
                return json_response(500, {"message": None})
            if not isinstance(payload, dict) or "policyDocument" not in payload:
                return json_response(500, {"message": None})
            result = payload
            self.cache.put(cache_key, ttl, result)
        verdict = evaluate_policy(result, method_arn)
        if verdict == "deny":
            return json_response(403, DENIED)
        if verdict == "none":
            return json_response(403, NOT_ALLOWED)
        return authorizer_context(result)


def match_resource(resources: list[dict[str, Any]], path: str) -> tuple[dict[str, Any], dict[str, str]] | None:
    """The resource serving ``path``: an exact path, else a path with ``{param}`` segments, else the longest
    ``{proxy+}`` (greedy) prefix. Returns it with its path parameters."""
    path = "/" + path.strip("/") if path != "/" else "/"
    by_path = {r["path"]: r for r in resources}
    if path in by_path:
        return by_path[path], {}
    segments = [s for s in path.split("/") if s]
    best: tuple[int, dict[str, Any], dict[str, str]] | None = None
    for resource in resources:
        parts = [p for p in resource["path"].split("/") if p]
        params: dict[str, str] = {}
        greedy = parts and parts[-1].endswith("+}")
        fixed = parts[:-1] if greedy else parts
        if greedy and len(segments) <= len(fixed):
            continue
        if not greedy and len(segments) != len(fixed):
            continue
        ok = True
        for pattern, segment in zip(fixed, segments, strict=False):
            if pattern.startswith("{") and pattern.endswith("}"):
                params[pattern[1:-1]] = segment
            elif pattern != segment:
                ok = False
                break
        if not ok:
            continue
        if greedy:
            params[parts[-1][1:-2]] = "/".join(segments[len(fixed):])
        score = len(fixed) * 2 + (0 if greedy else 1)
        if best is None or score > best[0]:
            best = (score, resource, params)
    return (best[1], best[2]) if best else None


def mock_response(integration: dict[str, Any]) -> LocalResponse:
    """A MOCK integration (the CORS preflight): its 200 integration response's header values."""
    response = (integration.get("integrationResponses") or {}).get("200") or {}
    headers = []
    for key, value in (response.get("responseParameters") or {}).items():
        if key.startswith("method.response.header."):
            headers.append((key[len("method.response.header."):], str(value).strip("'")))
    return LocalResponse(200, headers + [("Content-Type", "application/json")], b"")
