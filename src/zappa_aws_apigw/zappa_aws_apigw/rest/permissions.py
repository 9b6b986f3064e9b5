"""The Lambda permissions API Gateway needs to invoke the stage's function: the statements a step owns are
found by their Sid prefix, granted for each source ARN and revoked (with or without the qualifier an earlier
deploy used)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from zappa_core.plan import DeployContext

from zappa_aws_apigw import common
from zappa_aws_apigw.rest.model import aws_error

if TYPE_CHECKING:
    from zappa_aws_apigw.rest.model import Desired, Live

PERMISSION_PREFIX = "zappa-apigw-rest-"


def read_permissions(lam: Any, target: dict[str, Any], prefix: str = PERMISSION_PREFIX) -> dict[str, dict[str, Any]]:
    """The statements of the function's policy whose Sid starts with ``prefix`` (the ones a step owns)."""
    try:
        policy = json.loads(lam.get_policy(**target)["Policy"])
    except Exception as exc:  # noqa: BLE001 - not found means absent; any other failure is raised as AwsError
        if common.is_not_found(exc):
            return {}
        raise aws_error("read the function's policy", target.get("FunctionName"), exc) from None
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
                raise aws_error("remove the Lambda permission", sid, exc) from None
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
                raise aws_error("remove the Lambda permission", sid, exc) from None
