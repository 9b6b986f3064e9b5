"""The Lambda permission that lets the load balancer invoke the function (``elasticloadbalancing`` as
principal, the target group as source), on the managed alias when the core publishes one."""

from __future__ import annotations

import json
from typing import Any

from zappa_core.plan import DeployContext

from zappa_aws_alb.resources import error_code

ELB_PRINCIPAL = "elasticloadbalancing.amazonaws.com"


def function_target(ctx: DeployContext) -> str:
    """The ARN the target group invokes: the managed alias when the core publishes one, else the function."""
    out = ctx.outputs.get("core:function") or {}
    arn = out.get("qualified_arn") or out.get("function_arn")
    if arn:
        return arn
    try:
        return ctx.aws.client("lambda").get_function(FunctionName=ctx.function_name)["Configuration"]["FunctionArn"]
    except Exception as exc:
        if error_code(exc) != "ResourceNotFoundException":
            raise
    return ctx.arn("lambda", f"function:{ctx.function_name}")


def split_function_arn(arn: str) -> tuple[str, str | None]:
    """``arn:...:function:name[:qualifier]`` -> (unqualified ARN, qualifier)."""
    parts = arn.split(":")
    if len(parts) == 8:
        return ":".join(parts[:7]), parts[7]
    return arn, None


def statement_id(tg_name: str) -> str:
    return f"zappa-alb-{tg_name}"


def has_permission(lam: Any, target: str, tg_arn: str) -> bool:
    function, qualifier = split_function_arn(target)
    kwargs = {"FunctionName": function}
    if qualifier:
        kwargs["Qualifier"] = qualifier
    try:
        policy = json.loads(lam.get_policy(**kwargs)["Policy"])
    except Exception as exc:
        if error_code(exc) == "ResourceNotFoundException":
            return False
        raise
    for statement in policy.get("Statement", []):
        principal = statement.get("Principal", {})
        service = principal.get("Service") if isinstance(principal, dict) else principal
        source = statement.get("Condition", {}).get("ArnLike", {}).get("AWS:SourceArn")
        if service == ELB_PRINCIPAL and source == tg_arn:
            return True
    return False


def remove_permission(lam: Any, target: str, tg_name: str) -> None:
    function, qualifier = split_function_arn(target)
    kwargs = {"FunctionName": function, "StatementId": statement_id(tg_name)}
    if qualifier:
        kwargs["Qualifier"] = qualifier
    try:
        lam.remove_permission(**kwargs)
    except Exception as exc:
        if error_code(exc) != "ResourceNotFoundException":
            raise
