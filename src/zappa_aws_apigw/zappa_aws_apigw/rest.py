"""The REST API (v1) resource step: one CloudFormation stack per stage, then deployment, stage settings, the
Lambda permission and the API key with its usage plan.

The stack (named after the function, tagged ``ZappaProject``) holds the API, the ``{proxy+}`` resource, the
``ANY`` methods and the authorizer. After the stack, the step *converges* the live API on the settings with
boto3: whatever the stack should have made but did not (moto's CloudFormation ignores authorizers, method
authorization, binary media types, endpoint configuration and resource policies, and cannot build MOCK
integrations) is put directly, and the CORS ``OPTIONS`` methods are always put that way. On AWS the stack
already made everything, so that pass finds nothing to do.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from zappa_core.errors import AwsError
from zappa_core.plan import Action, Change, DeployContext, ResourceStep

from zappa_aws_apigw import common
from zappa_aws_apigw.common import AUTHORIZER_NAME, lambda_uri
from zappa_aws_apigw.template import rest_template

STACK_DONE = {"CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE", "IMPORT_COMPLETE"}
STACK_BROKEN = {"ROLLBACK_COMPLETE", "ROLLBACK_FAILED", "CREATE_FAILED", "DELETE_FAILED"}
PERMISSION_PREFIX = "zappa-apigw-rest-"


def function_arn_for(ctx: DeployContext) -> str:
    """The function's ARN from the ``core:function`` step, or derived from the settings when the function
    step has not produced it yet (planning a first deploy)."""
    out = ctx.outputs.get("core:function") or {}
    if out.get("function_arn"):
        return out["function_arn"]
    region = ctx.aws.client("apigateway").meta.region_name
    account = ctx.aws.account_id()
    return f"arn:aws:lambda:{region}:{account}:function:{ctx.settings.function_name}"


def rest_api_url(region: str, api_id: str, stage: str) -> str:
    return f"https://{api_id}.execute-api.{region}.amazonaws.com/{stage}"


def _normalise(template: Any) -> Any:
    if isinstance(template, str):
        template = json.loads(template)
    return json.loads(json.dumps(template, sort_keys=True))


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


def _patch_value(value: Any) -> str:
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


class RestApiStep(ResourceStep):
    """API Gateway REST API (v1) of the stage."""

    id = "apigw:rest-api"
    depends_on = ("core:function",)

    def __init__(self, settings: Any) -> None:
        self.settings = settings

    # -- reading ---------------------------------------------------------------------------------------

    def _stack_name(self) -> str:
        return self.settings.function_name

    def read(self, ctx: DeployContext) -> Live:
        live = Live()
        cfn = ctx.aws.client("cloudformation")
        apigw = ctx.aws.client("apigateway")
        name = self._stack_name()
        try:
            stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
        except Exception as exc:  # noqa: BLE001 - ValidationError 'Stack with id ... does not exist' means absent; any other failure is raised as AwsError
            if "does not exist" not in str(exc):
                raise _aws_error("read the CloudFormation stack", name, exc) from None
            stack = None
        if stack is not None and stack.get("StackStatus") != "DELETE_COMPLETE":
            live.stack_status = stack["StackStatus"]
            try:
                live.stack_template = _normalise(cfn.get_template(StackName=name)["TemplateBody"])
            except Exception:  # noqa: BLE001 - an unreadable template counts as drifted, so the stack is updated
                live.stack_template = None
            live.api_id = self._api_id_from_stack(cfn, name)
        if live.api_id is None:
            live.api_id = find_rest_api_id(apigw, self.settings.function_name)
        if live.api_id is not None:
            self._read_api(ctx, apigw, live)
        self._read_permissions(ctx, live)
        self._read_keys(apigw, live)
        return live

    @staticmethod
    def _api_id_from_stack(cfn: Any, name: str) -> str | None:
        try:
            summaries = cfn.list_stack_resources(StackName=name)["StackResourceSummaries"]
        except Exception:  # noqa: BLE001 - no stack resources: the API is then looked up by name
            return None
        for summary in summaries:
            # moto lists resources it ignored with no logical id: use .get
            if summary.get("LogicalResourceId") == "Api" and summary.get("PhysicalResourceId"):
                return summary["PhysicalResourceId"]
        return None

    def _read_api(self, ctx: DeployContext, apigw: Any, live: Live) -> None:
        try:
            live.api = apigw.get_rest_api(restApiId=live.api_id)
        except Exception as exc:  # noqa: BLE001 - not found means absent; any other failure is raised as AwsError
            if common.is_not_found(exc):
                live.api_id = None
                return
            raise _aws_error("read the REST API", live.api_id, exc) from None
        position = None
        while True:
            kwargs: dict[str, Any] = {"restApiId": live.api_id, "embed": ["methods"], "limit": 500}
            if position:
                kwargs["position"] = position
            page = apigw.get_resources(**kwargs)
            for item in page.get("items", []):
                live.resources[item["path"]] = item
            position = page.get("position")
            if not position:
                break
        live.authorizers = apigw.get_authorizers(restApiId=live.api_id).get("items", [])
        try:
            live.stage = apigw.get_stage(restApiId=live.api_id, stageName=self.settings.stage)
        except Exception as exc:  # noqa: BLE001 - not found means absent; any other failure is raised as AwsError
            if not common.is_not_found(exc):
                raise _aws_error("read the stage", self.settings.stage, exc) from None

    def _permission_target(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"FunctionName": self.settings.function_name}
        if self.settings.apigateway_lambda_qualifier:
            kwargs["Qualifier"] = self.settings.apigateway_lambda_qualifier
        return kwargs

    def _read_permissions(self, ctx: DeployContext, live: Live) -> None:
        live.permissions = read_permissions(ctx.aws.client("lambda"), self._permission_target())
        if self.settings.apigateway_lambda_qualifier:
            # statements of an earlier deploy without the qualifier are stale too
            for sid, stmt in read_permissions(ctx.aws.client("lambda"), {"FunctionName": self.settings.function_name}).items():
                live.permissions.setdefault(sid, dict(stmt, _unqualified=True))

    def _read_keys(self, apigw: Any, live: Live) -> None:
        name = self.settings.function_name
        live.usage_plan = find_usage_plan(apigw, name)
        if live.usage_plan is not None:
            live.usage_plan_keys = [k["id"] for k in apigw.get_usage_plan_keys(usagePlanId=live.usage_plan["id"]).get("items", [])]
        key_id = self.settings.api_key
        if key_id:
            try:
                live.api_key = apigw.get_api_key(apiKey=key_id, includeValue=False)
            except Exception as exc:  # noqa: BLE001 - not found means absent; any other failure is raised as AwsError
                if not common.is_not_found(exc):
                    raise _aws_error("read the API key", key_id, exc) from None
        else:
            live.api_key = find_api_key(apigw, name)

    # -- diffing ---------------------------------------------------------------------------------------

    def desired(self, ctx: DeployContext) -> Desired:
        region = ctx.aws.client("apigateway").meta.region_name
        return Desired(self.settings, function_arn_for(ctx), region)

    def diff(self, want: Desired, live: Live) -> tuple[list[str], dict[str, Any]]:
        """Human details and the work to do, in apply order."""
        details: list[str] = []
        work: dict[str, Any] = {}
        if live.stack_status is None or live.stack_status in STACK_BROKEN:
            work["stack"] = "recreate" if live.stack_status else "create"
            details.append(f"stack {self._stack_name()}: " + (
                f"{live.stack_status}, delete and create again" if live.stack_status else "create"))
        elif live.stack_status in STACK_DONE and live.api_id is None:
            # the API was deleted outside the stack (by hand): CloudFormation would not notice, so the
            # stack is made again, and with it the API
            work["stack"] = "recreate"
            details.append(f"stack {self._stack_name()}: its REST API is gone, delete and create again")
        elif live.stack_template != _normalise(want.template):
            work["stack"] = "update"
            details.extend(_template_details(live.stack_template, _normalise(want.template)))
        if live.api_id is not None and "stack" not in work:
            # after a stack change the convergence is computed from what the stack made, in apply
            ops = converge_ops(want, live)
            if ops:
                work["converge"] = ops
                details.extend(f"{label}: {detail}" for label, detail, _ in ops)
        stage_ops = None if live.stage is None else stage_patch_ops(want, live.stage)
        if live.stage is None:
            details.append(f"stage {want.stage}: create deployment")
            work["stage"] = "create"
        elif "stack" in work or work.get("converge"):
            details.append(f"stage {want.stage}: redeploy")
            work["stage"] = "redeploy"
        if stage_ops:
            work["stage_ops"] = stage_ops
            details.extend(f"stage setting {op['path']}: {op.get('value')}" for op in stage_ops if op.get("path"))
        perms = permission_work(self.settings, want, live)
        if perms["add"] or perms["remove"]:
            work["permissions"] = perms
            details.extend(f"lambda permission: add {sid}" for sid in perms["add"])
            details.extend(f"lambda permission: remove {sid}" for sid in perms["remove"])
        keys = key_work(self.settings, live)
        if keys:
            work["keys"] = keys
            details.extend(f"api key: {line}" for line in keys)
        return details, work

    # -- the step interface ----------------------------------------------------------------------------

    def plan(self, ctx: DeployContext) -> Change:
        if not common.uses_rest_api(self.settings):
            return self.plan_destroy(ctx)  # turned off (or switched to v2): remove what an earlier deploy made
        want = self.desired(ctx)
        live = self.read(ctx)
        details, work = self.diff(want, live)
        resource = f"REST API {self.settings.function_name}" + (f" ({live.api_id})" if live.api_id else "")
        if not work:
            action = Action.UNCHANGED
        elif live.api_id is None or work.get("stack") in ("create", "recreate"):
            action = Action.CREATE
        else:
            action = Action.UPDATE
        return Change(self.id, action, resource, details, data=work)

    def apply(self, ctx: DeployContext, change: Change) -> None:
        if not common.uses_rest_api(self.settings):
            return self.destroy(ctx, change)
        want = self.desired(ctx)
        live = self.read(ctx)
        _, work = self.diff(want, live)  # converge on what is there now, not on what the plan saw
        apigw = ctx.aws.client("apigateway")
        if "stack" in work:
            self._apply_stack(ctx, work["stack"], want)
            live = self.read(ctx)
            if live.api_id is None:
                raise AwsError(f"stack {self._stack_name()} made no REST API", hint="see the stack's events in the CloudFormation console")
            work["converge"] = converge_ops(want, live)
        for _label, _detail, fn in work.get("converge") or []:  # listed in the plan's details already
            fn(apigw, live.api_id)
        if work.get("stage") or work.get("converge") or "stack" in work:
            self._deploy(apigw, want, live)
            live.stage = apigw.get_stage(restApiId=live.api_id, stageName=want.stage)
        ops = stage_patch_ops(want, live.stage)
        if ops:
            apigw.update_stage(restApiId=live.api_id, stageName=want.stage, patchOperations=ops)
        live.permissions = read_permissions(ctx.aws.client("lambda"), self._permission_target())
        apply_permissions(ctx, self.settings, want, live, permission_work(self.settings, want, live))
        url = rest_api_url(want.region, live.api_id, want.stage)
        ctx.outputs[self.id] = {"api_id": live.api_id, "stage": want.stage, "url": url, "region": want.region}
        self._apply_keys(ctx, apigw, live)
        if not ctx.local:  # locally, the gateway URL is printed from the stage status instead
            ctx.echo(f"REST API: {url}")

    def _apply_stack(self, ctx: DeployContext, how: str, want: Desired) -> None:
        cfn = ctx.aws.client("cloudformation")
        name = self._stack_name()
        body = json.dumps(want.template, sort_keys=True)
        tags = [{"Key": k, "Value": v} for k, v in sorted(common.tags_of(self.settings).items())]
        if how == "recreate":
            ctx.echo(f"  stack {name} is failed or lost its REST API: deleting it and creating it again")
            delete_stack(cfn, name)
            how = "create"
        try:
            if how == "create":
                try:
                    cfn.create_stack(StackName=name, TemplateBody=body, Tags=tags)
                except Exception as exc:
                    if common.client_error_code(exc) != "AlreadyExistsException" or not adopted_stack(cfn, name, self.settings):
                        raise
                _wait(cfn, "stack_create_complete", name)
            else:
                try:
                    cfn.update_stack(StackName=name, TemplateBody=body, Tags=tags)
                except Exception as exc:
                    if "No updates are to be performed" not in str(exc):
                        raise
                    return
                _wait(cfn, "stack_update_complete", name)
        except AwsError:
            raise
        except Exception as exc:  # noqa: BLE001 - any other failure is raised as this step's AwsError
            raise _aws_error(f"{how} the CloudFormation stack", name, exc, _stack_failure(cfn, name)) from None

    def _deploy(self, apigw: Any, want: Desired, live: Live) -> None:
        s = self.settings
        kwargs: dict[str, Any] = {"restApiId": live.api_id, "stageName": want.stage, "description": "zappa deployment"}
        if live.stage is None:
            kwargs["cacheClusterEnabled"] = bool(s.cache_cluster_enabled)
            if s.cache_cluster_enabled:
                kwargs["cacheClusterSize"] = str(s.cache_cluster_size)
        apigw.create_deployment(**kwargs)

    def _apply_keys(self, ctx: DeployContext, apigw: Any, live: Live) -> None:
        s = self.settings
        name = s.function_name
        live_plan = find_usage_plan(apigw, name)
        if not s.api_key_required:
            remove_keys(apigw, s, live_plan)
            return
        stage_ref = {"apiId": live.api_id, "stage": s.stage}
        if live_plan is None:
            live_plan = apigw.create_usage_plan(name=name, description=f"zappa usage plan of {name}", apiStages=[stage_ref],
                                                tags=common.tags_of(s))
        else:
            stages = live_plan.get("apiStages") or []
            for old in stages:
                if old.get("apiId") != live.api_id or old.get("stage") != s.stage:
                    apigw.update_usage_plan(usagePlanId=live_plan["id"], patchOperations=[
                        {"op": "remove", "path": "/apiStages", "value": f"{old['apiId']}:{old['stage']}"}])
            if not any(o.get("apiId") == live.api_id and o.get("stage") == s.stage for o in stages):
                apigw.update_usage_plan(usagePlanId=live_plan["id"], patchOperations=[
                    {"op": "add", "path": "/apiStages", "value": f"{live.api_id}:{s.stage}"}])
        if s.api_key:
            key_id = s.api_key
        else:
            key = find_api_key(apigw, name)
            if key is None:
                key = apigw.create_api_key(name=name, description=f"zappa API key of {name}", enabled=True, tags=common.tags_of(s))
                ctx.echo(f"  created API key {key['id']} (read its value with: aws apigateway get-api-key --api-key {key['id']} --include-value)")
            key_id = key["id"]
        keys = [k["id"] for k in apigw.get_usage_plan_keys(usagePlanId=live_plan["id"]).get("items", [])]
        if key_id not in keys:
            apigw.create_usage_plan_key(usagePlanId=live_plan["id"], keyId=key_id, keyType="API_KEY")
        ctx.outputs.setdefault(self.id, {})["api_key_id"] = key_id
        ctx.echo(f"  API key id: {key_id}")

    def plan_destroy(self, ctx: DeployContext) -> Change:
        live = self.read(ctx)
        details = []
        if live.stack_status:
            details.append(f"stack {self._stack_name()} ({live.stack_status})")
        if live.api_id:
            details.append(f"REST API {live.api_id}")
        if live.usage_plan:
            details.append(f"usage plan {live.usage_plan['id']}")
        if live.api_key and not self.settings.api_key:
            details.append(f"API key {live.api_key['id']}")
        for sid in live.permissions:
            if sid.startswith(PERMISSION_PREFIX):
                details.append(f"lambda permission {sid}")
        action = Action.DELETE if details else Action.UNCHANGED
        return Change(self.id, action, f"REST API {self.settings.function_name}", details, data=live, empty=not details)

    def destroy(self, ctx: DeployContext, change: Change) -> None:
        live = self.read(ctx)
        apigw = ctx.aws.client("apigateway")
        cfn = ctx.aws.client("cloudformation")
        if live.api_id and self.settings.domain:
            remove_base_path_mappings(apigw, self.settings.domain, live.api_id)
        remove_keys(apigw, self.settings, live.usage_plan)
        if live.stack_status:
            delete_stack(cfn, self._stack_name())
        # moto's delete_stack leaves the RestApi behind (and a failed stack may have left one): delete it by id
        api_id = live.api_id or find_rest_api_id(apigw, self.settings.function_name)
        if api_id:
            try:
                apigw.delete_rest_api(restApiId=api_id)
            except Exception as exc:  # noqa: BLE001 - not found means absent; any other failure is raised as AwsError
                if not common.is_not_found(exc):
                    raise _aws_error("delete the REST API", api_id, exc) from None
        remove_permissions(ctx.aws.client("lambda"), self.settings, live.permissions)


# -- helpers -------------------------------------------------------------------------------------------


def _aws_error(what: str, resource: str | None, exc: Exception, extra: str = "") -> AwsError:
    message = f"apigw:rest-api: could not {what} ({resource}): {exc}"
    if extra:
        message += f"\n{extra}"
    return AwsError(message)


def _wait(cfn: Any, waiter: str, name: str) -> None:
    cfn.get_waiter(waiter).wait(StackName=name, WaiterConfig={"Delay": 3, "MaxAttempts": 200})


def _stack_failure(cfn: Any, name: str) -> str:
    try:
        events = cfn.describe_stack_events(StackName=name)["StackEvents"]
    except Exception:  # noqa: BLE001 - only adds detail to an error being raised
        return ""
    reasons = [f"  {e.get('LogicalResourceId')}: {e.get('ResourceStatusReason')}" for e in events
               if "FAILED" in str(e.get("ResourceStatus")) and e.get("ResourceStatusReason")]
    return "\n".join(reasons[:5])


def adopted_stack(cfn: Any, name: str, settings: Any) -> bool:
    """Whether the stack of this name that already exists is this stage's own (a create whose answer was lost
    and was retried, or a run beside this one): it carries the stage's tag. Another owner's stack of that
    name is an error."""
    try:
        stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
    except Exception as exc:
        if "does not exist" in str(exc):
            return False
        raise
    if stack.get("StackStatus") == "DELETE_COMPLETE":
        return False
    tags = {t.get("Key"): t.get("Value") for t in stack.get("Tags") or []}
    if tags.get(common.TAG_KEY) != settings.zappa_project_tag:
        raise AwsError(f"apigw:rest-api: a CloudFormation stack named {name} exists and is not this stage's "
                       f"(not tagged {common.TAG_KEY}={settings.zappa_project_tag})",
                       hint="delete or rename that stack; zappa names the stack after the function")
    return True


def delete_stack(cfn: Any, name: str) -> None:
    try:
        cfn.delete_stack(StackName=name)
        _wait(cfn, "stack_delete_complete", name)
    except Exception as exc:  # noqa: BLE001 - a missing stack is already deleted; any other failure is raised as AwsError
        if "does not exist" not in str(exc):
            raise _aws_error("delete the CloudFormation stack", name, exc, _stack_failure(cfn, name)) from None


def _template_details(old: Any, new: dict[str, Any]) -> list[str]:
    old_resources = (old or {}).get("Resources", {}) if isinstance(old, dict) else {}
    lines = []
    for logical, body in new.get("Resources", {}).items():
        if logical not in old_resources:
            lines.append(f"stack: add {logical}")
        elif old_resources[logical] != body:
            lines.append(f"stack: change {logical}")
    lines.extend(f"stack: remove {logical}" for logical in old_resources if logical not in new.get("Resources", {}))
    return lines or ["stack: template changed"]


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


def find_usage_plan(apigw: Any, name: str) -> dict[str, Any] | None:
    for page in apigw.get_paginator("get_usage_plans").paginate():
        for item in page.get("items", []):
            if item.get("name") == name:
                return item
    return None


def find_api_key(apigw: Any, name: str) -> dict[str, Any] | None:
    for page in apigw.get_paginator("get_api_keys").paginate(nameQuery=name, includeValues=False):
        for item in page.get("items", []):
            if item.get("name") == name:
                return item
    return None


def remove_keys(apigw: Any, settings: Any, plan: dict[str, Any] | None) -> None:
    """Delete the stage's usage plan (after its keys) and the API key zappa created (never a key the user
    named with ``api_key``)."""
    if plan is not None:
        for key in apigw.get_usage_plan_keys(usagePlanId=plan["id"]).get("items", []):
            apigw.delete_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"])
        for stage in plan.get("apiStages") or []:
            try:
                apigw.update_usage_plan(usagePlanId=plan["id"], patchOperations=[
                    {"op": "remove", "path": "/apiStages", "value": f"{stage['apiId']}:{stage['stage']}"}])
            except Exception:  # noqa: BLE001 - best effort: the usage plan is deleted next, and that call reports a real failure
                pass
        apigw.delete_usage_plan(usagePlanId=plan["id"])
    key = find_api_key(apigw, settings.function_name)
    if key is not None and key["id"] != settings.api_key:
        apigw.delete_api_key(apiKey=key["id"])


def key_work(settings: Any, live: Live) -> list[str]:
    lines = []
    if settings.api_key_required:
        if live.usage_plan is None:
            lines.append(f"create usage plan {settings.function_name}")
        elif live.api_id is None or not any(
            s.get("apiId") == live.api_id and s.get("stage") == settings.stage for s in live.usage_plan.get("apiStages") or []
        ):
            lines.append(f"attach usage plan {live.usage_plan['id']} to the stage")
        if live.api_key is None:
            lines.append("create API key" if not settings.api_key else f"API key {settings.api_key} not found")
        elif live.api_key["id"] not in live.usage_plan_keys:
            lines.append(f"add key {live.api_key['id']} to the usage plan")
    else:
        if live.usage_plan is not None:
            lines.append(f"remove usage plan {live.usage_plan['id']}")
        if live.api_key is not None and not settings.api_key:
            lines.append(f"remove API key {live.api_key['id']}")
    return lines


def remove_base_path_mappings(apigw: Any, domain: str, api_id: str) -> None:
    from zappa_aws_apigw.domain import base_path_mappings

    try:
        mappings = base_path_mappings(apigw, domain)
    except Exception as exc:  # noqa: BLE001 - not found means absent; any other failure is raised as AwsError
        if common.is_not_found(exc):
            return
        raise _aws_error("read the base path mappings", domain, exc) from None
    for mapping in mappings:
        if mapping.get("restApiId") == api_id:
            apigw.delete_base_path_mapping(domainName=domain, basePath=mapping.get("basePath") or "(none)")


# -- stage ---------------------------------------------------------------------------------------------


def stage_patch_ops(want: Desired, stage: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The ``update_stage`` operations that bring ``stage`` to the settings (empty when it matches)."""
    if stage is None:
        return []
    s = want.settings
    ops: list[dict[str, Any]] = []
    if bool(stage.get("cacheClusterEnabled")) != bool(s.cache_cluster_enabled):
        ops.append({"op": "replace", "path": "/cacheClusterEnabled", "value": _patch_value(bool(s.cache_cluster_enabled))})
    if s.cache_cluster_enabled and str(stage.get("cacheClusterSize")) != str(s.cache_cluster_size):
        ops.append({"op": "replace", "path": "/cacheClusterSize", "value": str(s.cache_cluster_size)})
    current = (stage.get("methodSettings") or {}).get("*/*")
    for key, value in want.method_settings().items():
        if current is None or current.get(key) != value:
            ops.append({"op": "replace", "path": f"/*/*/{METHOD_SETTING_PATHS[key]}", "value": _patch_value(value)})
    return ops


# -- Lambda permission ---------------------------------------------------------------------------------


def read_permissions(lam: Any, target: dict[str, Any], prefix: str = PERMISSION_PREFIX) -> dict[str, dict[str, Any]]:
    """The statements of the function's policy whose Sid starts with ``prefix`` (the ones a step owns)."""
    try:
        policy = json.loads(lam.get_policy(**target)["Policy"])
    except Exception as exc:  # noqa: BLE001 - not found means absent; any other failure is raised as AwsError
        if common.is_not_found(exc):
            return {}
        raise _aws_error("read the function's policy", target.get("FunctionName"), exc) from None
    return {stmt.get("Sid", ""): stmt for stmt in policy.get("Statement", []) if str(stmt.get("Sid", "")).startswith(prefix)}


def _source_arn_of(stmt: dict[str, Any]) -> str | None:
    cond = stmt.get("Condition") or {}
    for op in ("ArnLike", "ArnEquals"):
        if op in cond:
            return cond[op].get("AWS:SourceArn")
    return None


def wanted_permissions(settings: Any, want: Desired, live: Live) -> dict[str, str]:
    """Sid -> source ARN of every permission API Gateway needs to invoke this stage's function."""
    if live.api_id is None:
        return {}
    account = common.account_of(want.function_arn)
    base = f"arn:aws:execute-api:{want.region}:{account}:{live.api_id}"
    wanted = {f"{PERMISSION_PREFIX}{live.api_id}": f"{base}/*"}
    auth = settings.authorizer
    if common.authorizer_type(settings) in ("TOKEN", "REQUEST") and auth.function and not auth.arn:
        # the authorizer is a function of this app: it needs its own permission
        wanted[f"{PERMISSION_PREFIX}auth-{live.api_id}"] = f"{base}/authorizers/*"
    return wanted


def permission_work(settings: Any, want: Desired, live: Live) -> dict[str, Any]:
    wanted = wanted_permissions(settings, want, live)
    add = {sid: arn for sid, arn in wanted.items()
           if sid not in live.permissions or live.permissions[sid].get("_unqualified") or _source_arn_of(live.permissions[sid]) != arn}
    remove = [sid for sid, stmt in live.permissions.items() if sid not in wanted or stmt.get("_unqualified") or sid in add]
    return {"add": add, "remove": remove}


def apply_permissions(ctx: DeployContext, settings: Any, want: Desired, live: Live, work: dict[str, Any]) -> None:
    lam = ctx.aws.client("lambda")
    for sid in work["remove"]:
        stmt = live.permissions.get(sid, {})
        target = {"FunctionName": settings.function_name}
        if settings.apigateway_lambda_qualifier and not stmt.get("_unqualified"):
            target["Qualifier"] = settings.apigateway_lambda_qualifier
        try:
            lam.remove_permission(StatementId=sid, **target)
        except Exception as exc:  # noqa: BLE001 - not found means absent; any other failure is raised as AwsError
            if not common.is_not_found(exc):
                raise _aws_error("remove the Lambda permission", sid, exc) from None
    target = {"FunctionName": settings.function_name}
    if settings.apigateway_lambda_qualifier:
        target["Qualifier"] = settings.apigateway_lambda_qualifier
    for sid, source_arn in work["add"].items():
        lam.add_permission(StatementId=sid, Action="lambda:InvokeFunction", Principal="apigateway.amazonaws.com",
                           SourceArn=source_arn, **target)


def remove_permissions(lam: Any, settings: Any, permissions: dict[str, dict[str, Any]]) -> None:
    for sid, stmt in permissions.items():
        target = {"FunctionName": settings.function_name}
        if settings.apigateway_lambda_qualifier and not stmt.get("_unqualified"):
            target["Qualifier"] = settings.apigateway_lambda_qualifier
        try:
            lam.remove_permission(StatementId=sid, **target)
        except Exception as exc:  # noqa: BLE001 - not found means absent; any other failure is raised as AwsError
            if not common.is_not_found(exc):
                raise _aws_error("remove the Lambda permission", sid, exc) from None


# -- converging the live API on the settings -----------------------------------------------------------


def converge_ops(want: Desired, live: Live) -> list[tuple[str, str, Any]]:
    """``(label, detail, fn(apigw, api_id))`` for every difference between the live API and the settings
    that the stack did not settle. Empty on AWS after a stack create/update; on moto it fills its gaps."""
    ops: list[tuple[str, str, Any]] = []
    api = live.api or {}
    props = want.template["Resources"]["Api"]["Properties"]
    patch: list[dict[str, Any]] = []
    notes: list[str] = []  # what the patch does, in the words of the settings
    if (api.get("description") or "") != props["Description"]:
        patch.append({"op": "replace", "path": "/description", "value": props["Description"]})
        notes.append("description")
    has_binary = "*/*" in (api.get("binaryMediaTypes") or [])
    if want.settings.binary_support and not has_binary:
        patch.append({"op": "add", "path": "/binaryMediaTypes/*~1*", "value": "*/*"})
        notes.append("binary media types: */*")
    elif not want.settings.binary_support and has_binary:
        patch.append({"op": "remove", "path": "/binaryMediaTypes/*~1*", "value": "*/*"})
        notes.append("binary media types: none")
    want_types = list(want.settings.endpoint_configuration or ["EDGE"])
    live_types = list((api.get("endpointConfiguration") or {}).get("types") or ["EDGE"])
    if want_types != live_types:
        patch.append({"op": "replace", "path": f"/endpointConfiguration/types/{live_types[0]}", "value": want_types[0]})
        notes.append(f"endpoint type: {live_types[0]} -> {want_types[0]}")
    if ("Policy" in props) != bool(api.get("policy")):
        patch.append({"op": "replace", "path": "/policy", "value": json.dumps(props["Policy"]) if "Policy" in props else ""})
        notes.append("resource policy" if "Policy" in props else "no resource policy")
    if patch:
        ops.append(("api", ", ".join(notes),
                    lambda apigw, api_id, patch=patch: apigw.update_rest_api(restApiId=api_id, patchOperations=patch)))

    # the authorizer
    want_auth = want.authorizer
    live_auth = live.authorizer
    holder: dict[str, Any] = {"id": live_auth.get("id") if live_auth else None}
    if want_auth is not None:
        if live_auth is None:
            def create_auth(apigw: Any, api_id: str, want_auth: dict = want_auth) -> None:
                holder["id"] = create_authorizer(apigw, api_id, want_auth)
            ops.append(("authorizer", f"create {want_auth['type']}", create_auth))
        else:
            patch_auth = [{"op": "replace", "path": f"/{k}", "value": str(v)} for k, v in want_auth.items()
                          if k not in ("name", "providerARNs") and live_auth.get(k) != v]
            if want_auth.get("providerARNs") is not None and live_auth.get("providerARNs") != want_auth["providerARNs"]:
                def recreate_auth(apigw: Any, api_id: str, want_auth: dict = want_auth, old: str = live_auth["id"]) -> None:
                    _detach_authorizer(apigw, api_id, live, old)
                    apigw.delete_authorizer(restApiId=api_id, authorizerId=old)
                    holder["id"] = create_authorizer(apigw, api_id, want_auth)
                ops.append(("authorizer", "replace (provider ARNs changed)", recreate_auth))
            elif patch_auth:
                ops.append(("authorizer", ", ".join(p["path"].lstrip("/") for p in patch_auth),
                            lambda apigw, api_id, p=patch_auth, a=live_auth["id"]: apigw.update_authorizer(restApiId=api_id, authorizerId=a, patchOperations=p)))

    # the proxy methods
    auth_type = common.method_authorization(want.settings)
    for path in ("/", "/{proxy+}"):
        resource = live.resources.get(path)
        if resource is None:
            continue  # made by the stack; a missing one means the stack is wrong, which the template diff shows
        method = (resource.get("resourceMethods") or {}).get("ANY")
        integration = (method or {}).get("methodIntegration") or {}
        wrong = []
        if method is None:
            wrong.append("missing")
        else:
            if method.get("authorizationType") != auth_type:
                wrong.append(f"authorizationType {method.get('authorizationType')} -> {auth_type}")
            if bool(method.get("apiKeyRequired")) != bool(want.settings.api_key_required):
                wrong.append(f"apiKeyRequired -> {bool(want.settings.api_key_required)}")
            if want_auth is not None and (not method.get("authorizerId") or method.get("authorizerId") != holder["id"]):
                wrong.append("authorizer")
            if want_auth is None and method.get("authorizerId"):
                wrong.append("authorizer removed")
            if integration.get("type") != "AWS_PROXY" or integration.get("uri") != want.integration_uri:
                wrong.append("integration")
        if wrong:
            ops.append((f"method ANY {path}", ", ".join(wrong),
                        lambda apigw, api_id, rid=resource["id"], present=method is not None, path=path:
                        _put_proxy_method(apigw, api_id, rid, present, path, want, auth_type, holder)))
        cors_method = (resource.get("resourceMethods") or {}).get("OPTIONS")
        if want.cors is not None and not _cors_matches(cors_method, want.cors):
            ops.append((f"method OPTIONS {path}", "CORS preflight",
                        lambda apigw, api_id, rid=resource["id"], present=cors_method is not None:
                        _put_cors_method(apigw, api_id, rid, present, want.cors)))
        elif want.cors is None and cors_method is not None:
            ops.append((f"method OPTIONS {path}", "remove CORS preflight",
                        lambda apigw, api_id, rid=resource["id"]: apigw.delete_method(restApiId=api_id, resourceId=rid, httpMethod="OPTIONS")))

    if want_auth is None and live_auth is not None:
        ops.append(("authorizer", "remove",
                    lambda apigw, api_id, a=live_auth["id"]: apigw.delete_authorizer(restApiId=api_id, authorizerId=a)))
    return ops


def create_authorizer(apigw: Any, api_id: str, want: dict[str, Any]) -> str:
    created = apigw.create_authorizer(restApiId=api_id, **want)
    expression = want.get("identityValidationExpression")
    if expression and created.get("identityValidationExpression") != expression:
        # moto drops the expression on create (it keeps it on update)
        apigw.update_authorizer(restApiId=api_id, authorizerId=created["id"], patchOperations=[
            {"op": "replace", "path": "/identityValidationExpression", "value": expression}])
    return created["id"]


def _detach_authorizer(apigw: Any, api_id: str, live: Live, authorizer_id: str) -> None:
    for resource in live.resources.values():
        method = (resource.get("resourceMethods") or {}).get("ANY")
        if method and method.get("authorizerId") == authorizer_id:
            apigw.delete_method(restApiId=api_id, resourceId=resource["id"], httpMethod="ANY")


def _put_proxy_method(apigw: Any, api_id: str, resource_id: str, present: bool, path: str, want: Desired,
                      auth_type: str, holder: dict[str, Any]) -> None:
    if present:
        try:
            apigw.delete_method(restApiId=api_id, resourceId=resource_id, httpMethod="ANY")
        except Exception as exc:
            if not common.is_not_found(exc):
                raise
    kwargs: dict[str, Any] = {"restApiId": api_id, "resourceId": resource_id, "httpMethod": "ANY",
                              "authorizationType": auth_type, "apiKeyRequired": bool(want.settings.api_key_required)}
    if want.authorizer is not None and holder.get("id"):
        kwargs["authorizerId"] = holder["id"]
    if path != "/":
        kwargs["requestParameters"] = {"method.request.path.proxy": True}
    apigw.put_method(**kwargs)
    integration: dict[str, Any] = {"restApiId": api_id, "resourceId": resource_id, "httpMethod": "ANY", "type": "AWS_PROXY",
                                   "integrationHttpMethod": "POST", "uri": want.integration_uri, "passthroughBehavior": "NEVER"}
    if path != "/":
        integration["requestParameters"] = {"integration.request.path.proxy": "method.request.path.proxy"}
        integration["cacheKeyParameters"] = ["method.request.path.proxy"]
        integration["cacheNamespace"] = resource_id
    apigw.put_integration(**integration)


def _cors_matches(method: dict[str, Any] | None, headers: dict[str, str]) -> bool:
    if not method:
        return False
    integration = method.get("methodIntegration") or {}
    if integration.get("type") != "MOCK":
        return False
    response = (integration.get("integrationResponses") or {}).get("200") or {}
    want = {f"method.response.header.{k}": f"'{v}'" for k, v in headers.items()}
    return (response.get("responseParameters") or {}) == want


def _put_cors_method(apigw: Any, api_id: str, resource_id: str, present: bool, headers: dict[str, str]) -> None:
    if present:
        try:
            apigw.delete_method(restApiId=api_id, resourceId=resource_id, httpMethod="OPTIONS")
        except Exception as exc:
            if not common.is_not_found(exc):
                raise
    apigw.put_method(restApiId=api_id, resourceId=resource_id, httpMethod="OPTIONS", authorizationType="NONE", apiKeyRequired=False)
    apigw.put_method_response(restApiId=api_id, resourceId=resource_id, httpMethod="OPTIONS", statusCode="200",
                              responseModels={"application/json": "Empty"},
                              responseParameters={f"method.response.header.{k}": False for k in headers})
    apigw.put_integration(restApiId=api_id, resourceId=resource_id, httpMethod="OPTIONS", type="MOCK",
                          integrationHttpMethod="OPTIONS", passthroughBehavior="WHEN_NO_MATCH",
                          requestTemplates={"application/json": '{"statusCode": 200}'})
    apigw.put_integration_response(restApiId=api_id, resourceId=resource_id, httpMethod="OPTIONS", statusCode="200",
                                   responseTemplates={"application/json": ""},
                                   responseParameters={f"method.response.header.{k}": f"'{v}'" for k, v in headers.items()})
