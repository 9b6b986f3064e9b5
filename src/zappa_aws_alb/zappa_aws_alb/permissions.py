"""The Lambda permission that lets the stage's target group invoke the function.

The load balancer checks it when the target is registered, so it is granted first. The statement is
``zappa-alb-<target group name>``, on the policy of the target the group invokes (the core's managed alias
when it publishes one, else the function).
"""

from __future__ import annotations

from typing import Any

from zappa_core.arns import split_function_arn
from zappa_core.awserrors import error_code

from zappa_core import lambda_permissions

ELB_PRINCIPAL = "elasticloadbalancing.amazonaws.com"


def statement_id(tg_name: str) -> str:
    return f"zappa-alb-{tg_name}"


def has_permission(lam: Any, target: str, tg_arn: str) -> bool:
    """Whether some statement already lets the load balancer invoke ``target`` for target group ``tg_arn``."""
    function, qualifier = split_function_arn(target)
    return any(lambda_permissions.principal(s) == ELB_PRINCIPAL and lambda_permissions.source_arn(s) == tg_arn
               for s in lambda_permissions.statements(lam, function, qualifier=qualifier).values())


def grant(lam: Any, target: str, tg_name: str, tg_arn: str) -> None:
    function, qualifier = split_function_arn(target)
    sid = statement_id(tg_name)
    try:
        lambda_permissions.grant(lam, function, sid, ELB_PRINCIPAL, tg_arn, qualifier=qualifier)
    except Exception as exc:
        if error_code(exc) != "ResourceConflictException":
            raise
        revoke(lam, target, tg_name)  # a stale statement for an older target group of the same name
        lambda_permissions.grant(lam, function, sid, ELB_PRINCIPAL, tg_arn, qualifier=qualifier)


def revoke(lam: Any, target: str, tg_name: str) -> None:
    function, qualifier = split_function_arn(target)
    lambda_permissions.revoke(lam, function, statement_id(tg_name), qualifier=qualifier)
