"""The REST API (v1) resource step: one CloudFormation stack per stage, then deployment, stage settings, the
Lambda permission and the API key with its usage plan.

The stack (named after the function, tagged ``ZappaProject``) holds the API, the ``{proxy+}`` resource, the
``ANY`` methods and the authorizer. After the stack, the step *converges* the live API on the settings with
boto3 (:mod:`zappa_aws_apigw.rest.converge`): whatever the stack should have made but did not (moto's
CloudFormation ignores authorizers, method authorization, binary media types, endpoint configuration and
resource policies, and cannot build MOCK integrations) is put directly, and the CORS ``OPTIONS`` methods are
always put that way. On AWS the stack already made everything, so that pass finds nothing to do.
"""

from __future__ import annotations

from typing import Any

from zappa_core.arns import stage_function_arn
from zappa_core.awserrors import is_not_found
from zappa_core.errors import AwsError
from zappa_core.plan import Action, Change, DeployContext, ResourceStep

from zappa_aws_apigw import common, permissions
from zappa_aws_apigw.rest.converge import converge_ops
from zappa_aws_apigw.rest.keys import apply_keys, key_work, read_keys, remove_keys
from zappa_aws_apigw.rest.model import (
    Desired,
    Live,
    aws_error,
    find_rest_api_id,
    rest_api_url,
    stage_patch_ops,
)
from zappa_aws_apigw.rest.permissions import PERMISSION_PREFIX, permission_work
from zappa_aws_apigw.rest.stack import (
    STACK_BROKEN,
    STACK_DONE,
    api_id_from_stack,
    apply_stack,
    delete_stack,
    normalise,
    stack_name,
    template_details,
)


class RestApiStep(ResourceStep):
    """API Gateway REST API (v1) of the stage."""

    id = "apigw:rest-api"
    follows_code = False
    depends_on = ("core:function",)

    def __init__(self, settings: Any) -> None:
        self.settings = settings

    # -- reading ---------------------------------------------------------------------------------------

    def _stack_name(self) -> str:
        return stack_name(self.settings)

    def read(self, ctx: DeployContext) -> Live:
        live = Live()
        cfn = ctx.aws.client("cloudformation")
        apigw = ctx.aws.client("apigateway")
        name = self._stack_name()
        try:
            stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
        except Exception as exc:  # noqa: BLE001 - ValidationError 'Stack with id ... does not exist' means absent; any other failure is raised as AwsError
            if "does not exist" not in str(exc):
                raise aws_error("read the CloudFormation stack", name, exc) from None
            stack = None
        if stack is not None and stack.get("StackStatus") != "DELETE_COMPLETE":
            live.stack_status = stack["StackStatus"]
            try:
                live.stack_template = normalise(cfn.get_template(StackName=name)["TemplateBody"])
            except Exception:  # noqa: BLE001 - an unreadable template counts as drifted, so the stack is updated
                live.stack_template = None
            live.api_id = api_id_from_stack(cfn, name)
        if live.api_id is None:
            live.api_id = find_rest_api_id(apigw, self.settings.function_name)
        if live.api_id is not None:
            self._read_api(ctx, apigw, live)
        self._read_permissions(ctx, live)
        read_keys(apigw, self.settings, live)
        return live

    def _read_api(self, ctx: DeployContext, apigw: Any, live: Live) -> None:
        try:
            live.api = apigw.get_rest_api(restApiId=live.api_id)
        except Exception as exc:  # noqa: BLE001 - not found means absent; any other failure is raised as AwsError
            if is_not_found(exc):
                live.api_id = None
                return
            raise aws_error("read the REST API", live.api_id, exc) from None
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
            if not is_not_found(exc):
                raise aws_error("read the stage", self.settings.stage, exc) from None

    def _read_permissions(self, ctx: DeployContext, live: Live) -> None:
        live.permissions = permissions.read(ctx.aws.client("lambda"), self.settings, PERMISSION_PREFIX, self.id)

    # -- diffing ---------------------------------------------------------------------------------------

    def desired(self, ctx: DeployContext) -> Desired:
        region = ctx.aws.client("apigateway").meta.region_name
        return Desired(self.settings, stage_function_arn(ctx), region)

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
        elif live.stack_template != normalise(want.template):
            work["stack"] = "update"
            details.extend(template_details(live.stack_template, normalise(want.template)))
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
        add, remove = permission_work(self.settings, want, live)
        if add or remove:
            work["permissions"] = (add, remove)
            details.extend(f"lambda permission: add {sid}" for sid in add)
            details.extend(f"lambda permission: remove {sid}" for sid in remove)
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
            apply_stack(ctx, self.settings, work["stack"], want)
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
        self._read_permissions(ctx, live)
        add, remove = permission_work(self.settings, want, live)
        permissions.apply(ctx.aws.client("lambda"), self.settings, live.permissions, add, remove, self.id)
        url = rest_api_url(want.region, live.api_id, want.stage)
        ctx.outputs[self.id] = {"api_id": live.api_id, "stage": want.stage, "url": url, "region": want.region}
        key_id = apply_keys(ctx, apigw, self.settings, live)
        if key_id is not None:
            ctx.outputs[self.id]["api_key_id"] = key_id
        if not ctx.local:  # locally, the gateway URL is printed from the stage status instead
            ctx.echo(f"REST API: {url}")

    def _deploy(self, apigw: Any, want: Desired, live: Live) -> None:
        s = self.settings
        kwargs: dict[str, Any] = {"restApiId": live.api_id, "stageName": want.stage, "description": "zappa deployment"}
        if live.stage is None:
            kwargs["cacheClusterEnabled"] = bool(s.cache_cluster_enabled)
            if s.cache_cluster_enabled:
                kwargs["cacheClusterSize"] = str(s.cache_cluster_size)
        apigw.create_deployment(**kwargs)

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
                if not is_not_found(exc):
                    raise aws_error("delete the REST API", api_id, exc) from None
        permissions.remove_all(ctx.aws.client("lambda"), self.settings, live.permissions, self.id)


def remove_base_path_mappings(apigw: Any, domain: str, api_id: str) -> None:
    from zappa_aws_apigw.domain import base_path_mappings

    try:
        mappings = base_path_mappings(apigw, domain)
    except Exception as exc:  # noqa: BLE001 - not found means absent; any other failure is raised as AwsError
        if is_not_found(exc):
            return
        raise aws_error("read the base path mappings", domain, exc) from None
    for mapping in mappings:
        if mapping.get("restApiId") == api_id:
            apigw.delete_base_path_mapping(domainName=domain, basePath=mapping.get("basePath") or "(none)")

