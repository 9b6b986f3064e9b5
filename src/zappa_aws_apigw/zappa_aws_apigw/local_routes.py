"""``zappa_local_routes``: the local gateway serves every REST API, HTTP API and function URL deployed on
the local AWS, the way API Gateway and Lambda would.

REST APIs: ``/<api id>/<stage>/<path>``; the resource is the exact path, else the longest ``{proxy+}``
prefix; API keys (``x-api-key`` of a key in a usage plan of the stage) and TOKEN/REQUEST authorizers (the
authorizer function is invoked, its policy evaluated against the method ARN and cached for ``result_ttl``)
are enforced; ``OPTIONS`` MOCK methods answer CORS preflights with their configured headers; request bodies
are base64-encoded for the API's binary media types. HTTP APIs: ``/<api id>/<path>`` (``$default`` stage),
payload 2.0, CORS and Lambda authorizers. Function URLs: ``/<function name>/<path>``, payload 2.0.

What cannot be checked offline is approximated and documented: ``AWS_IAM`` needs a SigV4 ``Authorization``
header (the signature is not verified), a Cognito authorizer needs a token (not verified).
"""

from __future__ import annotations

import fnmatch
import re
import threading
from typing import Any

from zappa_core.local.http import LocalRequest, LocalResponse
from zappa_core.records import LocalRoute

from zappa_aws_apigw.common import function_arn_of_uri
from zappa_aws_apigw.local_events import (
    decoded_path,
    http_v1_event,
    invoke_proxy,
    json_response,
    now,
    proxy_response,
    rest_event,
    v2_event,
)

REST_BAD_GATEWAY = {"message": "Internal server error"}
V2_BAD_GATEWAY = {"message": "Internal Server Error"}
MISSING_TOKEN = {"message": "Missing Authentication Token"}
FORBIDDEN = {"message": "Forbidden"}
UNAUTHORIZED = {"message": "Unauthorized"}
DENIED = {"message": "User is not authorized to access this resource with an explicit deny"}
NOT_ALLOWED = {"message": "User is not authorized to access this resource"}


def local_routes(settings: Any, state: Any) -> list[LocalRoute]:
    """Every front door of this plugin on the local AWS (only the stage's own when ``settings`` is given)."""
    name = settings.function_name if settings is not None else None
    routes: list[LocalRoute] = []
    apigw = state.aws.client("apigateway")
    for api in _paged(apigw, "get_rest_apis", "items", "position", limit=500):
        if name is None or api.get("name") == name:
            routes.append(LocalRoute("rest", api["id"], RestApiRoute(state, api), f"REST API {api.get('name')}"))
    v2 = state.aws.client("apigatewayv2")
    for api in _paged(v2, "get_apis", "Items", "NextToken"):
        if api.get("ProtocolType") == "HTTP" and (name is None or api.get("Name") == name):
            routes.append(LocalRoute("http", api["ApiId"], HttpApiRoute(state, api), f"HTTP API {api.get('Name')}"))
    lam = state.aws.client("lambda")
    for fn in _paged(lam, "list_functions", "Functions", "NextMarker", token_arg="Marker"):
        if name is not None and fn["FunctionName"] != name:
            continue
        try:
            config = lam.get_function_url_config(FunctionName=fn["FunctionName"])
        except Exception:  # noqa: BLE001 - a function whose URL config cannot be read serves no URL route
            continue
        routes.append(LocalRoute("url", fn["FunctionName"], FunctionUrlRoute(state, fn, config), f"function URL of {fn['FunctionName']}"))
    return routes


def _paged(client: Any, method: str, items: str, token_key: str, *, token_arg: str | None = None, **kwargs: Any):
    token = None
    while True:
        args = dict(kwargs)
        if token:
            args[token_arg or ("position" if token_key == "position" else token_key)] = token
        page = getattr(client, method)(**args)
        yield from page.get(items, [])
        token = page.get(token_key)
        if not token:
            return


# -- policies ------------------------------------------------------------------------------------------


def _arn_matches(pattern: str, arn: str) -> bool:
    return fnmatch.fnmatchcase(arn, pattern.replace("[", "[[]"))


def evaluate_policy(policy: Any, method_arn: str) -> str:
    """``"allow"``, ``"deny"`` (an explicit Deny matches) or ``"none"`` (nothing allows) for ``method_arn``."""
    document = (policy or {}).get("policyDocument") if isinstance(policy, dict) else None
    statements = (document or {}).get("Statement") or []
    if isinstance(statements, dict):
        statements = [statements]
    allowed = False
    for stmt in statements:
        actions = stmt.get("Action", [])
        actions = [actions] if isinstance(actions, str) else actions
        if not any(a in ("*", "execute-api:*", "execute-api:Invoke") for a in actions):
            continue
        resources = stmt.get("Resource", [])
        resources = [resources] if isinstance(resources, str) else resources
        if not any(_arn_matches(r, method_arn) for r in resources):
            continue
        if stmt.get("Effect") == "Deny":
            return "deny"
        if stmt.get("Effect") == "Allow":
            allowed = True
    return "allow" if allowed else "none"


def authorizer_context(result: dict[str, Any]) -> dict[str, Any]:
    """``requestContext.authorizer`` of the request: ``principalId`` and the authorizer's ``context``."""
    context: dict[str, Any] = {"principalId": result.get("principalId")}
    for key, value in (result.get("context") or {}).items():
        context[key] = value
    if "usageIdentifierKey" in result:
        context["usageIdentifierKey"] = result["usageIdentifierKey"]
    return context


class AuthorizerCache:
    """Authorizer results by (authorizer, identity), kept ``result_ttl`` seconds."""

    def __init__(self) -> None:
        self._items: dict[tuple[str, str], tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str]) -> Any:
        with self._lock:
            item = self._items.get(key)
            if item is None or item[0] < now():
                self._items.pop(key, None)
                return None
            return item[1]

    def put(self, key: tuple[str, str], ttl: int, value: Any) -> None:
        if ttl > 0:
            with self._lock:
                self._items[key] = (now() + ttl, value)


def _sigv4_present(request: LocalRequest) -> bool:
    return (request.header("authorization") or "").startswith("AWS4-HMAC-SHA256 ")


# -- REST APIs -----------------------------------------------------------------------------------------


class _ApiRoute:
    """A deployed API seen by the gateway: its model (``load()``) is read once, on first use, per route
    discovery (the gateway discovers again after every change to API Gateway or Lambda)."""

    id_key = ""

    def __init__(self, state: Any, api: dict[str, Any]) -> None:
        self.state = state
        self.api = api
        self.api_id = api[self.id_key]
        self.cache = AuthorizerCache()
        self._model: dict[str, Any] | None = None
        self._lock = threading.Lock()

    def load(self) -> dict[str, Any]:
        raise NotImplementedError

    def model(self) -> dict[str, Any]:
        with self._lock:
            if self._model is None:
                self._model = self.load()
            return self._model


class RestApiRoute(_ApiRoute):
    """One REST API: its resources, methods, authorizers and keys."""

    id_key = "id"

    def load(self) -> dict[str, Any]:
        apigw = self.state.aws.client("apigateway")
        resources = list(_paged(apigw, "get_resources", "items", "position", restApiId=self.api_id, embed=["methods"], limit=500))
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
        keys = {k["id"]: k for k in _paged(apigw, "get_api_keys", "items", "position", includeValues=True)
                if k.get("value") == value and k.get("enabled", True)}
        if not keys:
            return None
        for plan in _paged(apigw, "get_usage_plans", "items", "position"):
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
        method_arn = f"arn:aws:execute-api:{self.state.region}:{account}:{self.api_id}/{stage_name}/{request.method}/{path.lstrip('/')}"
        if method.get("apiKeyRequired") and self.valid_api_key(stage_name, request.header("x-api-key")) is None:
            return json_response(403, FORBIDDEN)
        auth_type = method.get("authorizationType") or "NONE"
        authorizer_ctx: dict[str, Any] | None = None
        if auth_type == "AWS_IAM" and not _sigv4_present(request):
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
        values = [_identity_value(request, s) for s in sources]
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


def _identity_value(request: LocalRequest, source: str) -> str | None:
    """The value of one identity source (``method.request.header.X``, ``...querystring.X``, ``$request.header.X``)."""
    from urllib.parse import parse_qsl

    for prefix in ("method.request.header.", "$request.header."):
        if source.startswith(prefix):
            return request.header(source[len(prefix):]) or None
    for prefix in ("method.request.querystring.", "$request.querystring."):
        if source.startswith(prefix):
            return dict(parse_qsl(request.query)).get(source[len(prefix):]) or None
    return None


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


# -- HTTP APIs -----------------------------------------------------------------------------------------


def cors_headers(cors: dict[str, Any] | None, request: LocalRequest, preflight: bool) -> list[tuple[str, str]]:
    """The CORS headers an HTTP API or function URL adds (config keys as boto3 spells them)."""
    origin = request.header("origin")
    if not cors or not origin:
        return []
    origins = cors.get("AllowOrigins") or []
    if "*" not in origins and origin not in origins:
        return []
    headers = [("Access-Control-Allow-Origin", "*" if "*" in origins and not cors.get("AllowCredentials") else origin)]
    if cors.get("AllowCredentials"):
        headers.append(("Access-Control-Allow-Credentials", "true"))
    if preflight:
        if cors.get("AllowMethods"):
            headers.append(("Access-Control-Allow-Methods", ",".join(cors["AllowMethods"])))
        if cors.get("AllowHeaders"):
            headers.append(("Access-Control-Allow-Headers", ",".join(cors["AllowHeaders"])))
        if cors.get("MaxAge") is not None:
            headers.append(("Access-Control-Max-Age", str(cors["MaxAge"])))
    elif cors.get("ExposeHeaders"):
        headers.append(("Access-Control-Expose-Headers", ",".join(cors["ExposeHeaders"])))
    return headers


def _is_preflight(request: LocalRequest) -> bool:
    return request.method == "OPTIONS" and bool(request.header("origin")) and bool(request.header("access-control-request-method"))


class HttpApiRoute(_ApiRoute):
    """One HTTP API with its ``$default`` stage: routes, Lambda/IAM authorizers and CORS."""

    id_key = "ApiId"

    def load(self) -> dict[str, Any]:
        from zappa_aws_apigw.httpapi import route_authorizers

        v2 = self.state.aws.client("apigatewayv2")
        routes = v2.get_routes(ApiId=self.api_id).get("Items", [])
        return {
            "routes": routes,
            "integrations": {i["IntegrationId"]: i for i in v2.get_integrations(ApiId=self.api_id).get("Items", [])},
            "authorizers": {a["AuthorizerId"]: a for a in route_authorizers(v2, self.api_id, routes)},
            "stages": {s["StageName"]: s for s in v2.get_stages(ApiId=self.api_id).get("Items", [])},
        }

    def __call__(self, request: LocalRequest) -> LocalResponse:
        model = self.model()
        cors = self.api.get("CorsConfiguration")
        if cors and _is_preflight(request):
            return LocalResponse(204, cors_headers(cors, request, True), b"")
        path = request.path or "/"
        stage_name = "$default"
        first, _, rest = path.lstrip("/").partition("/")
        if first in model["stages"] and first != "$default":
            stage_name, path = first, "/" + rest
        if stage_name not in model["stages"]:
            return json_response(404, {"message": "Not Found"})
        route = _match_v2_route(model["routes"], request.method, decoded_path(path))
        if route is None:
            return json_response(404, {"message": "Not Found"})
        domain = f"{self.api_id}.execute-api.{self.state.region}.amazonaws.com"
        authorizer_ctx = None
        auth_type = route.get("AuthorizationType") or "NONE"
        if auth_type == "AWS_IAM" and not _sigv4_present(request):
            return json_response(403, FORBIDDEN)
        if auth_type == "CUSTOM":
            authorizer = model["authorizers"].get(route.get("AuthorizerId") or "")
            if authorizer is None:
                return json_response(500, V2_BAD_GATEWAY)
            outcome = self.authorize(request, authorizer, route, stage_name, path, domain)
            if isinstance(outcome, LocalResponse):
                return outcome
            authorizer_ctx = outcome
        integration = model["integrations"].get((route.get("Target") or "").split("/")[-1]) or {}
        v2 = integration.get("PayloadFormatVersion") != "1.0"
        # the HTTP API hands the path over percent-decoded, in both payload formats
        event = (v2_event if v2 else http_v1_event)(
            request, api_id=self.api_id, stage=stage_name, path=decoded_path(path), account=self.state.account_id,
            domain_name=domain, route_key=route["RouteKey"], stage_variables=model["stages"][stage_name].get("StageVariables"),
            authorizer=authorizer_ctx)
        uri = integration.get("IntegrationUri") or ""
        if not function_arn_of_uri(uri):
            return json_response(500, {"message": "the local gateway serves Lambda (AWS_PROXY) integrations only"})
        response = invoke_proxy(self.state, uri, event, v2=v2, bad_gateway=V2_BAD_GATEWAY)
        response.headers.extend(cors_headers(cors, request, False))
        return response

    def authorize(self, request: LocalRequest, authorizer: dict[str, Any], route: dict[str, Any], stage_name: str, path: str,
                  domain: str) -> Any:
        sources = authorizer.get("IdentitySource") or []
        values = [_identity_value(request, s) for s in sources]
        if any(v is None for v in values):
            return json_response(401, UNAUTHORIZED)
        route_arn = (f"arn:aws:execute-api:{self.state.region}:{self.state.account_id}:{self.api_id}/{stage_name}/"
                     f"{request.method}{path}")
        cache_key = (authorizer["AuthorizerId"], "\x00".join(values))
        result = self.cache.get(cache_key) if values else None
        if result is None:
            event = v2_event(request, api_id=self.api_id, stage=stage_name, path=path, account=self.state.account_id,
                             domain_name=domain, route_key=route["RouteKey"])
            event.pop("body", None)
            event.pop("isBase64Encoded", None)
            event.update({"type": "REQUEST", "routeArn": route_arn, "identitySource": values})
            payload, error = self.state.invoke(authorizer.get("AuthorizerUri") or "", event)
            if error:
                if isinstance(payload, dict) and payload.get("errorMessage") == "Unauthorized":
                    return json_response(401, UNAUTHORIZED)
                return json_response(500, V2_BAD_GATEWAY)
            result = payload
            self.cache.put(cache_key, int(authorizer.get("AuthorizerResultTtlInSeconds") or 0), result)
        if authorizer.get("EnableSimpleResponses") and isinstance(result, dict) and "isAuthorized" in result:
            if not result["isAuthorized"]:
                return json_response(403, FORBIDDEN)
            return {"lambda": result.get("context") or {}}
        verdict = evaluate_policy(result, route_arn)
        if verdict != "allow":
            return json_response(403, FORBIDDEN)
        return {"lambda": authorizer_context(result)}


def _match_v2_route(routes: list[dict[str, Any]], method: str, path: str) -> dict[str, Any] | None:
    """``METHOD /path`` exactly, then ``ANY /path``, then ``$default``."""
    by_key = {r.get("RouteKey"): r for r in routes}
    for key in (f"{method} {path}", f"ANY {path}"):
        if key in by_key:
            return by_key[key]
    return by_key.get("$default")


# -- function URLs -------------------------------------------------------------------------------------


class FunctionUrlRoute:
    """A Lambda function URL: payload 2.0, CORS from the URL's config, ``AWS_IAM`` needing SigV4."""

    def __init__(self, state: Any, function: dict[str, Any], config: dict[str, Any]) -> None:
        self.state = state
        self.function = function
        self.config = config

    def __call__(self, request: LocalRequest) -> LocalResponse:
        cors = self.config.get("Cors")
        if cors and _is_preflight(request):
            return LocalResponse(200, cors_headers(cors, request, True), b"")
        if self.config.get("AuthType") == "AWS_IAM" and not _sigv4_present(request):
            return json_response(403, {"Message": "Forbidden"})
        url_host = self.config.get("FunctionUrl", "").split("://", 1)[-1].strip("/") or \
            f"{self.function['FunctionName']}.lambda-url.{self.state.region}.on.aws"
        path = request.path or "/"
        event = v2_event(request, api_id=url_host.split(".")[0], stage="$default", path=path, account=self.state.account_id,
                         domain_name=url_host)
        payload, error = self.state.invoke(self.function["FunctionArn"], event)
        response = proxy_response(payload, error, v2=True, bad_gateway=V2_BAD_GATEWAY)
        response.headers.extend(cors_headers(cors, request, False))
        return response
