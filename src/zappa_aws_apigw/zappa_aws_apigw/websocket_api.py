"""The WebSocket API resource step (``websocket_handler_module``): an API Gateway v2 WebSocket API named
``<function>-ws`` (Zappa's name) with its route selection expression, one ``AWS_PROXY`` integration, the
``$connect``, ``$disconnect``, ``$default`` and custom routes, an auto-deployed stage named after the Zappa
stage, the Lambda permission, and an inline policy on the execution role that lets the function manage the
connections of this API only (``execute-api:ManageConnections``). Made with boto3 (``apigatewayv2``); found
again by name and the ``ZappaProject`` tag."""

from __future__ import annotations

from typing import Any

from zappa_core.arns import arn_account, build_arn, stage_function_arn
from zappa_core.awserrors import error_code, is_not_found
from zappa_core.errors import AwsError
from zappa_core.plan import Action, Change, DeployContext, ResourceStep

from zappa_aws_apigw import common, permissions
from zappa_aws_apigw.template import DESCRIPTION

PERMISSION_PREFIX = "zappa-apigw-ws-"
POLICY_NAME = "zappa-websocket-connections"
BUILT_IN_ROUTES = ("$connect", "$disconnect", "$default")


def websocket_api_name(settings: Any) -> str:
    return f"{settings.function_name}-ws"


def websocket_url(region: str, api_id: str, stage: str) -> str:
    return f"wss://{api_id}.execute-api.{region}.amazonaws.com/{stage}"


def wanted_routes(settings: Any) -> list[str]:
    return [*BUILT_IN_ROUTES, *settings.websocket_routes]


def connections_arn(region: str, account: str, api_id: str, stage: str) -> str:
    """The management API's resources of one stage of one API: ``POST``/``GET``/``DELETE @connections/<id>``."""
    return build_arn("execute-api", region, account, f"{api_id}/{stage}/*/@connections/*")


def find_websocket_api(v2: Any, settings: Any) -> dict[str, Any] | None:
    """The stage's WebSocket API: tagged with its ``ZappaProject`` first, else one of the same name (adopted)."""
    from zappa_aws_apigw.httpapi import find_v2_api

    return find_v2_api(v2, websocket_api_name(settings), "WEBSOCKET", settings.zappa_project_tag)


class WebSocketApiStep(ResourceStep):
    """API Gateway WebSocket API of the stage."""

    id = "apigw:websocket-api"
    follows_code = False
    depends_on = ("core:function",)

    def __init__(self, settings: Any) -> None:
        self.settings = settings

    @property
    def enabled(self) -> bool:
        return bool(self.settings.websocket_handler_module)

    def _read(self, ctx: DeployContext) -> dict[str, Any]:
        v2 = ctx.aws.client("apigatewayv2")
        api = find_websocket_api(v2, self.settings)
        live: dict[str, Any] = {"api": api, "integrations": [], "routes": [], "stages": [], "policy": None}
        if api is not None:
            live["integrations"] = v2.get_integrations(ApiId=api["ApiId"]).get("Items", [])
            live["routes"] = v2.get_routes(ApiId=api["ApiId"]).get("Items", [])
            live["stages"] = v2.get_stages(ApiId=api["ApiId"]).get("Items", [])
        live["permissions"] = permissions.read(ctx.aws.client("lambda"), self.settings, PERMISSION_PREFIX, self.id)
        live["policy"] = self._read_policy(ctx)
        return live

    def _role_name(self) -> str | None:
        if not self.settings.manage_roles:
            return None  # the user's role: they grant execute-api:ManageConnections themselves (docs/websockets.md)
        from zappa_core.resources.role import role_name_of

        return role_name_of(self.settings)

    def _read_policy(self, ctx: DeployContext) -> dict[str, Any] | None:
        role = self._role_name()
        if role is None:
            return None
        try:
            return ctx.aws.client("iam").get_role_policy(RoleName=role, PolicyName=POLICY_NAME)["PolicyDocument"]
        except Exception as exc:  # noqa: BLE001 - not found means absent; any other failure is raised as AwsError
            if is_not_found(exc) or error_code(exc) == "NoSuchEntity":
                return None
            raise AwsError(f"{self.id}: could not read the role policy {POLICY_NAME}: {exc}") from None

    def _want(self, ctx: DeployContext) -> dict[str, Any]:
        s = self.settings
        region = ctx.aws.client("apigatewayv2").meta.region_name
        function_arn = stage_function_arn(ctx)
        return {
            "region": region,
            "function_arn": function_arn,
            "account": arn_account(function_arn),
            "description": s.apigateway_description or DESCRIPTION,
            "selection": s.websocket_route_selection_expression,
            "integration_uri": common.lambda_uri(region, common.invoke_arn(s, function_arn)),
            "routes": wanted_routes(s),
        }

    def _policy_document(self, want: dict[str, Any], api_id: str) -> dict[str, Any]:
        return {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": ["execute-api:ManageConnections"],
            "Resource": [connections_arn(want["region"], want["account"], api_id, self.settings.stage)]}]}

    def _diff(self, want: dict[str, Any], live: dict[str, Any]) -> list[str]:
        api = live["api"]
        if api is None:
            return [f"create WebSocket API, integration, routes {', '.join(want['routes'])} and stage {self.settings.stage}"]
        out = []
        if (api.get("Description") or "") != want["description"]:
            out.append("description")
        if api.get("RouteSelectionExpression") != want["selection"]:
            out.append(f"route selection expression -> {want['selection']}")
        integ = _our_integration(live, want)
        if integ is None:
            out.append("integration")
        routes = {r.get("RouteKey"): r for r in live["routes"]}
        for key in want["routes"]:
            if key not in routes:
                out.append(f"route {key}")
            elif integ is None or routes[key].get("Target") != f"integrations/{integ['IntegrationId']}":
                out.append(f"route {key} target")
        out += [f"remove route {key}" for key in routes if key not in want["routes"]]
        if not any(st.get("StageName") == self.settings.stage for st in live["stages"]):
            out.append(f"stage {self.settings.stage}")
        add, remove = permissions.difference(self._wanted_permissions(want, api["ApiId"]), live["permissions"])
        out += [f"lambda permission {sid}" for sid in add]
        out += [f"remove lambda permission {sid}" for sid in remove if sid not in add]
        if self._role_name() is not None and live["policy"] != self._policy_document(want, api["ApiId"]):
            out.append(f"role policy {POLICY_NAME}")
        return out

    def _wanted_permissions(self, want: dict[str, Any], api_id: str) -> dict[str, str]:
        return permissions.wanted(want["function_arn"], want["region"], api_id, PERMISSION_PREFIX, authorizer=False)

    def plan(self, ctx: DeployContext) -> Change:
        if not self.enabled:
            return self.plan_destroy(ctx)
        want, live = self._want(ctx), self._read(ctx)
        details = self._diff(want, live)
        action = Action.CREATE if live["api"] is None else (Action.UPDATE if details else Action.UNCHANGED)
        api_id = live["api"]["ApiId"] if live["api"] else None
        return Change(self.id, action, f"WebSocket API {websocket_api_name(self.settings)}" + (f" ({api_id})" if api_id else ""), details)

    def apply(self, ctx: DeployContext, change: Change) -> None:
        if not self.enabled:
            return self.destroy(ctx, change)
        want, live = self._want(ctx), self._read(ctx)
        try:
            api_id = self._converge(ctx, want, live)
        except AwsError:
            raise
        except Exception as exc:  # noqa: BLE001 - any other failure is raised as this step's AwsError
            raise AwsError(f"{self.id}: could not converge WebSocket API {websocket_api_name(self.settings)}: {exc}") from None
        url = websocket_url(want["region"], api_id, self.settings.stage)
        ctx.outputs[self.id] = {"api_id": api_id, "url": url, "region": want["region"], "stage": self.settings.stage}
        if not ctx.local:  # locally, the gateway URL is printed from the stage status instead
            ctx.echo(f"WebSocket URL: {url}")
        from zappa_aws_apigw.websocket_domain import unbound_domain_hint

        hint = unbound_domain_hint(ctx.aws.client("apigatewayv2"), self.settings, api_id)
        if hint:
            ctx.echo(hint)

    def _converge(self, ctx: DeployContext, want: dict[str, Any], live: dict[str, Any]) -> str:
        s = self.settings
        v2 = ctx.aws.client("apigatewayv2")
        api = live["api"]
        if api is None:
            api = v2.create_api(Name=websocket_api_name(s), ProtocolType="WEBSOCKET", Description=want["description"],
                                RouteSelectionExpression=want["selection"], Tags=common.tags_of(s))
        elif (api.get("Description") or "") != want["description"] or api.get("RouteSelectionExpression") != want["selection"]:
            v2.update_api(ApiId=api["ApiId"], Description=want["description"], RouteSelectionExpression=want["selection"])
        api_id = api["ApiId"]
        integ = _our_integration(live, want)
        if integ is None:
            integ = v2.create_integration(ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=want["integration_uri"],
                                          IntegrationMethod="POST")
        target = f"integrations/{integ['IntegrationId']}"
        routes = {r.get("RouteKey"): r for r in live["routes"]}
        for key in want["routes"]:
            if key not in routes:
                v2.create_route(ApiId=api_id, RouteKey=key, Target=target)
            elif routes[key].get("Target") != target:
                v2.update_route(ApiId=api_id, RouteId=routes[key]["RouteId"], Target=target)
        for key, route in routes.items():
            if key not in want["routes"]:
                v2.delete_route(ApiId=api_id, RouteId=route["RouteId"])
        for old in live["integrations"]:
            if old["IntegrationId"] != integ["IntegrationId"]:
                v2.delete_integration(ApiId=api_id, IntegrationId=old["IntegrationId"])
        if not any(st.get("StageName") == s.stage for st in live["stages"]):
            v2.create_stage(ApiId=api_id, StageName=s.stage, AutoDeploy=True, Tags=common.tags_of(s))
        add, remove = permissions.difference(self._wanted_permissions(want, api_id), live["permissions"])
        permissions.apply(ctx.aws.client("lambda"), s, live["permissions"], add, remove, self.id)
        role = self._role_name()
        document = self._policy_document(want, api_id)
        if role is not None and live["policy"] != document:
            import json

            ctx.aws.client("iam").put_role_policy(RoleName=role, PolicyName=POLICY_NAME, PolicyDocument=json.dumps(document))
        return api_id

    def plan_destroy(self, ctx: DeployContext) -> Change:
        live = self._read(ctx)
        details = []
        if live["api"] is not None:
            from zappa_aws_apigw.domain import mapped_domains

            details.append(f"WebSocket API {live['api']['ApiId']}")
            v2 = ctx.aws.client("apigatewayv2")
            details += [f"API mapping of {name}" for name in mapped_domains(v2, live["api"]["ApiId"], self.id)]
        details += [f"lambda permission {sid}" for sid in live["permissions"]]
        if live["policy"] is not None:
            details.append(f"role policy {POLICY_NAME}")
        return Change(self.id, Action.DELETE if details else Action.UNCHANGED, f"WebSocket API {websocket_api_name(self.settings)}",
                      details, empty=not details)

    def destroy(self, ctx: DeployContext, change: Change) -> None:
        live = self._read(ctx)
        if live["api"] is not None:
            from zappa_aws_apigw.domain import remove_all_api_mappings

            remove_all_api_mappings(ctx.aws.client("apigatewayv2"), live["api"]["ApiId"], self.id)
            try:
                ctx.aws.client("apigatewayv2").delete_api(ApiId=live["api"]["ApiId"])
            except Exception as exc:  # noqa: BLE001 - not found means absent; any other failure is raised as AwsError
                if not is_not_found(exc):
                    raise AwsError(f"{self.id}: could not delete WebSocket API {live['api']['ApiId']}: {exc}") from None
        permissions.remove_all(ctx.aws.client("lambda"), self.settings, live["permissions"], self.id)
        role = self._role_name()
        if live["policy"] is not None and role is not None:
            try:
                ctx.aws.client("iam").delete_role_policy(RoleName=role, PolicyName=POLICY_NAME)
            except Exception as exc:  # noqa: BLE001 - gone already is fine
                if not (is_not_found(exc) or error_code(exc) == "NoSuchEntity"):
                    raise AwsError(f"{self.id}: could not remove the role policy {POLICY_NAME}: {exc}") from None


def _our_integration(live: dict[str, Any], want: dict[str, Any]) -> dict[str, Any] | None:
    for integ in live["integrations"]:
        if integ.get("IntegrationType") == "AWS_PROXY" and integ.get("IntegrationUri") == want["integration_uri"]:
            return integ
    return None


SKIPPED_FOLDERS = {"__pycache__", "node_modules", "venv", "env", "site-packages"}


def unnamed_handler_modules(project_dir: Any, limit: int = 2000) -> list[str]:
    """Modules of the project that import ``zappa.websocket`` (Zappa creates a WebSocket API for the first one it
    finds when ``websocket_handler_module`` is not set; this tool never guesses, so the package step names them)."""
    import os
    import re
    from pathlib import Path

    pattern = re.compile(r"^\s*(from\s+zappa\.websocket\s+import|import\s+zappa\.websocket)", re.MULTILINE)
    found, seen = [], 0
    root = Path(project_dir)
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_FOLDERS and not d.startswith("."))
        for name in sorted(files):
            if not name.endswith(".py"):
                continue
            seen += 1
            if seen > limit:
                return found
            path = Path(folder, name)
            try:
                text = path.read_text(encoding="utf-8", errors="ignore")
            except OSError:
                continue
            if "zappa.websocket" in text and pattern.search(text):
                parts = path.relative_to(root).with_suffix("").parts
                found.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return found
