"""The REST API's usage plan and API key (``api_key_required``, ``api_key``): found by the function's name,
planned, made and removed."""

from __future__ import annotations

from typing import Any

from zappa_core.awserrors import is_not_found
from zappa_core.plan import DeployContext

from zappa_aws_apigw import common
from zappa_aws_apigw.rest.model import Live, aws_error


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


def read_keys(apigw: Any, settings: Any, live: Live) -> None:
    """Fill ``live`` with the stage's usage plan, its keys and the API key (the one named by ``api_key``, else
    the one zappa made)."""
    name = settings.function_name
    live.usage_plan = find_usage_plan(apigw, name)
    if live.usage_plan is not None:
        live.usage_plan_keys = [k["id"] for k in apigw.get_usage_plan_keys(usagePlanId=live.usage_plan["id"]).get("items", [])]
    key_id = settings.api_key
    if key_id:
        try:
            live.api_key = apigw.get_api_key(apiKey=key_id, includeValue=False)
        except Exception as exc:  # noqa: BLE001 - not found means absent; any other failure is raised as AwsError
            if not is_not_found(exc):
                raise aws_error("read the API key", key_id, exc) from None
    else:
        live.api_key = find_api_key(apigw, name)


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


def apply_keys(ctx: DeployContext, apigw: Any, settings: Any, live: Live) -> str | None:
    """Make the usage plan and API key the settings ask for (or remove them); returns the key's id."""
    s = settings
    name = s.function_name
    live_plan = find_usage_plan(apigw, name)
    if not s.api_key_required:
        remove_keys(apigw, s, live_plan)
        return None
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
    ctx.echo(f"  API key id: {key_id}")
    return key_id
