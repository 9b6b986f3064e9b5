"""The HTTP API (v2) resource step: API, ``AWS_PROXY`` integration (payload 2.0), ``$default`` route,
auto-deployed ``$default`` stage, CORS, IAM or Lambda authorizer, and the Lambda permission. Made with boto3
(``apigatewayv2``); found again by name and the ``ZappaProject`` tag."""

from __future__ import annotations

from typing import Any

from zappa_core.arns import stage_function_arn
from zappa_core.awserrors import is_not_found
from zappa_core.errors import AwsError
from zappa_core.plan import Action, Change, DeployContext, ResourceStep

from zappa_aws_apigw import common, permissions
from zappa_aws_apigw.common import AUTHORIZER_NAME, TAG_KEY, lambda_uri
from zappa_aws_apigw.template import DESCRIPTION, http_cors_configuration, http_route_authorization

PERMISSION_PREFIX = "zappa-apigw-http-"


def http_api_url(region: str, api_id: str) -> str:
    return f"https://{api_id}.execute-api.{region}.amazonaws.com/"


def find_http_api(v2: Any, settings: Any) -> dict[str, Any] | None:
    """The stage's HTTP API: named after the function and tagged with its ``ZappaProject`` (an untagged API
    of the same name is taken too, so an API made by Zappa itself is adopted)."""
    return find_v2_api(v2, settings.function_name, "HTTP", settings.zappa_project_tag)


def find_v2_api(v2: Any, name: str, protocol: str, project_tag: str) -> dict[str, Any] | None:
    """The ``protocol`` (``HTTP``/``WEBSOCKET``) API named ``name``: the one tagged ``ZappaProject=project_tag``
    first, else an untagged one of that name (adopted)."""
    token = None
    candidates = []
    while True:
        page = v2.get_apis(**({"NextToken": token} if token else {}))
        candidates += [i for i in page.get("Items", []) if i.get("Name") == name and i.get("ProtocolType") == protocol]
        token = page.get("NextToken")
        if not token:
            break
    tagged = [c for c in candidates if (c.get("Tags") or {}).get(TAG_KEY) == project_tag]
    return (tagged or candidates or [None])[0]


class HttpApiStep(ResourceStep):
    """API Gateway HTTP API (v2) of the stage."""

    id = "apigw:http-api"
    follows_code = False
    depends_on = ("core:function",)

    def __init__(self, settings: Any) -> None:
        self.settings = settings

    def _read(self, ctx: DeployContext) -> dict[str, Any]:
        v2 = ctx.aws.client("apigatewayv2")
        api = find_http_api(v2, self.settings)
        live: dict[str, Any] = {"api": api, "integrations": [], "routes": [], "authorizers": [], "stages": []}
        if api is not None:
            api_id = api["ApiId"]
            live["integrations"] = v2.get_integrations(ApiId=api_id).get("Items", [])
            live["routes"] = v2.get_routes(ApiId=api_id).get("Items", [])
            live["authorizers"] = route_authorizers(v2, api_id, live["routes"])
            live["stages"] = v2.get_stages(ApiId=api_id).get("Items", [])
        live["permissions"] = permissions.read(ctx.aws.client("lambda"), self.settings, PERMISSION_PREFIX, self.id)
        return live

    def _want(self, ctx: DeployContext) -> dict[str, Any]:
        s = self.settings
        region = ctx.aws.client("apigatewayv2").meta.region_name
        function_arn = stage_function_arn(ctx)
        want: dict[str, Any] = {
            "region": region,
            "function_arn": function_arn,
            "description": s.apigateway_description or DESCRIPTION,
            "cors": http_cors_configuration(s),
            "integration_uri": common.invoke_arn(s, function_arn),
            "auth_type": http_route_authorization(s),
            "authorizer": None,
        }
        if want["auth_type"] == "CUSTOM":
            auth = s.authorizer
            want["authorizer"] = {
                "Name": AUTHORIZER_NAME,
                "AuthorizerType": "REQUEST",
                "AuthorizerUri": lambda_uri(region, common.authorizer_function_arn(s, function_arn)),
                "AuthorizerPayloadFormatVersion": "2.0",
                "AuthorizerResultTtlInSeconds": auth.result_ttl,
                "IdentitySource": [f"$request.header.{auth.token_header}"],
                "EnableSimpleResponses": False,
            }
        return want

    def _diff(self, want: dict[str, Any], live: dict[str, Any]) -> list[str]:
        api = live["api"]
        if api is None:
            return ["create HTTP API, integration, $default route and stage"]
        out = []
        if (api.get("Description") or "") != want["description"]:
            out.append("description")
        if _cors_of(api) != (want["cors"] or None):
            out.append("CORS")
        integ = _our_integration(live, want)
        if integ is None:
            out.append("integration")
        route = next((r for r in live["routes"] if r.get("RouteKey") == "$default"), None)
        auth = next((a for a in live["authorizers"] if a.get("Name") == AUTHORIZER_NAME), None)
        if want["authorizer"] is not None:
            if auth is None or any(auth.get(k) != v for k, v in want["authorizer"].items()):
                out.append("authorizer")
        elif auth is not None:
            out.append("remove authorizer")
        if route is None:
            out.append("$default route")
        else:
            if route.get("AuthorizationType", "NONE") != want["auth_type"]:
                out.append(f"route authorization -> {want['auth_type']}")
            if integ is None or route.get("Target") != f"integrations/{integ['IntegrationId']}":
                out.append("route target")
            if want["authorizer"] is not None and (auth is None or route.get("AuthorizerId") != auth.get("AuthorizerId")):
                out.append("route authorizer")
        if not any(st.get("StageName") == "$default" and st.get("AutoDeploy") for st in live["stages"]):
            out.append("$default stage")
        add, remove = permissions.difference(_wanted_permissions(self.settings, want, api["ApiId"]), live["permissions"])
        out.extend(f"lambda permission {sid}" for sid in add)
        out.extend(f"remove lambda permission {sid}" for sid in remove if sid not in add)
        return out

    def plan(self, ctx: DeployContext) -> Change:
        if not common.uses_http_api(self.settings):
            return self.plan_destroy(ctx)  # turned off (or switched to v1): remove what an earlier deploy made
        want, live = self._want(ctx), self._read(ctx)
        details = self._diff(want, live)
        action = Action.CREATE if live["api"] is None else (Action.UPDATE if details else Action.UNCHANGED)
        api_id = live["api"]["ApiId"] if live["api"] else None
        return Change(self.id, action, f"HTTP API {self.settings.function_name}" + (f" ({api_id})" if api_id else ""), details)

    def apply(self, ctx: DeployContext, change: Change) -> None:
        if not common.uses_http_api(self.settings):
            return self.destroy(ctx, change)
        s = self.settings
        v2 = ctx.aws.client("apigatewayv2")
        want, live = self._want(ctx), self._read(ctx)
        try:
            api = live["api"]
            if api is None:
                kwargs: dict[str, Any] = {"Name": s.function_name, "ProtocolType": "HTTP", "Description": want["description"],
                                          "Tags": common.tags_of(s)}
                if want["cors"]:
                    kwargs["CorsConfiguration"] = want["cors"]
                api = v2.create_api(**kwargs)
            else:
                if (api.get("Description") or "") != want["description"]:
                    v2.update_api(ApiId=api["ApiId"], Description=want["description"])
                if _cors_of(api) != (want["cors"] or None):
                    if want["cors"]:
                        v2.update_api(ApiId=api["ApiId"], CorsConfiguration=want["cors"])
                    else:
                        v2.delete_cors_configuration(ApiId=api["ApiId"])
            api_id = api["ApiId"]
            integ = _our_integration(live, want)
            if integ is None:
                integ = v2.create_integration(ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=want["integration_uri"],
                                              IntegrationMethod="POST", PayloadFormatVersion="2.0")
            auth = next((a for a in live["authorizers"] if a.get("Name") == AUTHORIZER_NAME), None)
            if want["authorizer"] is not None:
                if auth is None:
                    auth = v2.create_authorizer(ApiId=api_id, **want["authorizer"])
                elif any(auth.get(k) != v for k, v in want["authorizer"].items()):
                    auth = v2.update_authorizer(ApiId=api_id, AuthorizerId=auth["AuthorizerId"], **want["authorizer"])
            route = next((r for r in live["routes"] if r.get("RouteKey") == "$default"), None)
            route_kwargs: dict[str, Any] = {"Target": f"integrations/{integ['IntegrationId']}", "AuthorizationType": want["auth_type"]}
            if want["authorizer"] is not None:
                route_kwargs["AuthorizerId"] = auth["AuthorizerId"]
            if route is None:
                v2.create_route(ApiId=api_id, RouteKey="$default", **route_kwargs)
            elif (route.get("Target") != route_kwargs["Target"] or route.get("AuthorizationType", "NONE") != want["auth_type"]
                  or route.get("AuthorizerId") != route_kwargs.get("AuthorizerId")):
                if want["authorizer"] is None and route.get("AuthorizerId"):
                    v2.delete_route(ApiId=api_id, RouteId=route["RouteId"])
                    v2.create_route(ApiId=api_id, RouteKey="$default", **route_kwargs)
                else:
                    v2.update_route(ApiId=api_id, RouteId=route["RouteId"], **route_kwargs)
            if want["authorizer"] is None and auth is not None:
                v2.delete_authorizer(ApiId=api_id, AuthorizerId=auth["AuthorizerId"])
            for old in live["integrations"]:
                if old["IntegrationId"] != integ["IntegrationId"]:
                    v2.delete_integration(ApiId=api_id, IntegrationId=old["IntegrationId"])
            if not any(st.get("StageName") == "$default" for st in live["stages"]):
                v2.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True, Tags=common.tags_of(s))
            elif not any(st.get("StageName") == "$default" and st.get("AutoDeploy") for st in live["stages"]):
                v2.update_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
            self._apply_permissions(ctx, want, live, api_id)
        except AwsError:
            raise
        except Exception as exc:  # noqa: BLE001 - any other failure is raised as this step's AwsError
            raise AwsError(f"apigw:http-api: could not converge HTTP API {s.function_name}: {exc}") from None
        url = http_api_url(want["region"], api_id)
        ctx.outputs[self.id] = {"api_id": api_id, "url": url, "region": want["region"], "stage": "$default"}
        if not ctx.local:  # locally, the gateway URL is printed from the stage status instead
            ctx.echo(f"HTTP API: {url}")

    def _apply_permissions(self, ctx: DeployContext, want: dict[str, Any], live: dict[str, Any], api_id: str) -> None:
        add, remove = permissions.difference(_wanted_permissions(self.settings, want, api_id), live["permissions"])
        permissions.apply(ctx.aws.client("lambda"), self.settings, live["permissions"], add, remove, self.id)

    def plan_destroy(self, ctx: DeployContext) -> Change:
        live = self._read(ctx)
        details = []
        if live["api"] is not None:
            details.append(f"HTTP API {live['api']['ApiId']}")
        details.extend(f"lambda permission {sid}" for sid in live["permissions"])
        return Change(self.id, Action.DELETE if details else Action.UNCHANGED, f"HTTP API {self.settings.function_name}", details,
                      empty=not details)

    def destroy(self, ctx: DeployContext, change: Change) -> None:
        live = self._read(ctx)
        v2 = ctx.aws.client("apigatewayv2")
        if live["api"] is not None:
            api_id = live["api"]["ApiId"]
            if self.settings.domain:
                from zappa_aws_apigw.domain import remove_api_mappings

                remove_api_mappings(v2, self.settings.domain, api_id, "apigw:http-api")
            try:
                v2.delete_api(ApiId=api_id)
            except Exception as exc:  # noqa: BLE001 - not found means absent; any other failure is raised as AwsError
                if not is_not_found(exc):
                    raise AwsError(f"apigw:http-api: could not delete HTTP API {api_id}: {exc}") from None
        permissions.remove_all(ctx.aws.client("lambda"), self.settings, live["permissions"], self.id)


def route_authorizers(v2: Any, api_id: str, routes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The authorizers the routes use, read one by one (moto has no ``GetAuthorizers`` for HTTP APIs)."""
    found = []
    for authorizer_id in sorted({r["AuthorizerId"] for r in routes if r.get("AuthorizerId")}):
        try:
            found.append(v2.get_authorizer(ApiId=api_id, AuthorizerId=authorizer_id))
        except Exception as exc:
            if not is_not_found(exc):
                raise
    return found


def _cors_of(api: dict[str, Any]) -> dict[str, Any] | None:
    cors = api.get("CorsConfiguration")
    return cors or None


def _our_integration(live: dict[str, Any], want: dict[str, Any]) -> dict[str, Any] | None:
    for integ in live["integrations"]:
        if (integ.get("IntegrationType") == "AWS_PROXY" and integ.get("IntegrationUri") == want["integration_uri"]
                and integ.get("PayloadFormatVersion") == "2.0"):
            return integ
    return None


def _wanted_permissions(settings: Any, want: dict[str, Any], api_id: str) -> dict[str, str]:
    auth = settings.authorizer  # an authorizer that is a function of this app
    own = want["authorizer"] is not None and bool(auth.function) and not auth.arn
    return permissions.wanted(want["function_arn"], want["region"], api_id, PERMISSION_PREFIX, authorizer=own)
