"""The local gateway's HTTP API and function URL routes: payload 2.0 (or 1.0 for an HTTP API integration
that asks for it), the ``$default`` or a named stage, CORS from the API's or URL's configuration, Lambda and
``AWS_IAM`` authorizers."""

from __future__ import annotations

from typing import Any

from zappa_core.arns import build_arn
from zappa_core.local.http import LocalRequest, LocalResponse

from zappa_aws_apigw.common import function_arn_of_uri
from zappa_aws_apigw.local_api import ApiRoute
from zappa_aws_apigw.local_auth import (
    FORBIDDEN,
    UNAUTHORIZED,
    authorizer_context,
    evaluate_policy,
    identity_value,
    sigv4_present,
)
from zappa_aws_apigw.local_events import (
    decoded_path,
    http_v1_event,
    invoke_proxy,
    json_response,
    proxy_response,
    v2_event,
)

V2_BAD_GATEWAY = {"message": "Internal Server Error"}


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


class HttpApiRoute(ApiRoute):
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
        if auth_type == "AWS_IAM" and not sigv4_present(request):
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
        values = [identity_value(request, s) for s in sources]
        if any(v is None for v in values):
            return json_response(401, UNAUTHORIZED)
        route_arn = build_arn("execute-api", self.state.region, self.state.account_id, f"{self.api_id}/{stage_name}/{request.method}{path}")
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


class FunctionUrlRoute:
    """A Lambda function URL: payload 2.0, CORS from the URL's config, ``AWS_IAM`` needing SigV4.

    ``domains`` are the aliases of its CloudFront distribution: a request the gateway routed by one of them
    reaches the function as CloudFront's does (``Host`` the URL's own, the client's in ``X-Forwarded-Host``)."""

    def __init__(self, state: Any, function: dict[str, Any], config: dict[str, Any], domains: tuple[str, ...] = ()) -> None:
        self.state = state
        self.function = function
        self.config = config
        self.domains = frozenset(d.lower() for d in domains)

    def __call__(self, request: LocalRequest) -> LocalResponse:
        cors = self.config.get("Cors")
        if cors and _is_preflight(request):
            return LocalResponse(200, cors_headers(cors, request, True), b"")
        if self.config.get("AuthType") == "AWS_IAM" and not sigv4_present(request):
            return json_response(403, {"Message": "Forbidden"})
        url_host = self.config.get("FunctionUrl", "").split("://", 1)[-1].strip("/") or \
            f"{self.function['FunctionName']}.lambda-url.{self.state.region}.on.aws"
        path = request.path or "/"
        if self.domains and not request.prefix and request.host.rsplit(":", 1)[0].lower() in self.domains:
            request = through_cloudfront(request, url_host)
        event = v2_event(request, api_id=url_host.split(".")[0], stage="$default", path=path, account=self.state.account_id,
                         domain_name=url_host)
        payload, error = self.state.invoke(self.function["FunctionArn"], event)
        response = proxy_response(payload, error, v2=True, bad_gateway=V2_BAD_GATEWAY)
        response.headers.extend(cors_headers(cors, request, False))
        return response


def through_cloudfront(request: LocalRequest, url_host: str) -> LocalRequest:
    """The request as the distribution of ``function_url_domains`` passes it on: its CloudFront Function copies
    the client's ``Host`` into ``X-Forwarded-Host``, and the origin request policy sends everything but ``Host``."""
    from dataclasses import replace

    headers = [(k, v) for k, v in request.headers if k.lower() not in ("host", "x-forwarded-host")]
    headers += [("Host", url_host), ("X-Forwarded-Host", request.host)]
    return replace(request, headers=headers)
