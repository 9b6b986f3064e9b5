"""The function's resource policy: which AWS services may invoke it, for which source.

S3, SNS, EventBridge, Cognito and Lex need a statement in the function's policy before they can invoke
it. The events plugin names its statements ``zappa-events-<service>-<digest>``, so the policy also tells
which buckets and topics are wired to the function, even after they were dropped from the settings.
"""

from __future__ import annotations

import json
from typing import Any

from zappa_core.plan import DeployContext
from zappa_core.retry import is_not_found

from zappa_events.naming import PERMISSION_PREFIX, permission_id


def granted(ctx: DeployContext, principal: str | None = None) -> dict[str, str]:
    """``{statement id: source ARN}`` of this plugin's statements (for ``principal`` only, when given)."""
    client = ctx.aws.client("lambda")
    try:
        policy = json.loads(client.get_policy(FunctionName=ctx.settings.function_name)["Policy"])
    except Exception as exc:
        if is_not_found(exc):
            return {}
        raise
    found: dict[str, str] = {}
    for statement in policy.get("Statement", []):
        sid = statement.get("Sid", "")
        if not sid.startswith(PERMISSION_PREFIX):
            continue
        service = (statement.get("Principal") or {}).get("Service", "")
        if principal and service != principal:
            continue
        found[sid] = _source_arn(statement.get("Condition") or {})
    return found


def _source_arn(condition: dict[str, Any]) -> str:
    for operator in condition.values():
        for key, value in (operator or {}).items():
            if key.lower() == "aws:sourcearn":
                return value
    return ""


def grant(ctx: DeployContext, function_arn: str, principal: str, source_arn: str) -> str:
    """Allow ``principal`` to invoke the function for ``source_arn``; a no-op when already allowed."""
    sid = permission_id(ctx.settings.function_name, principal, source_arn)
    if sid in granted(ctx, principal):
        return sid
    kwargs: dict[str, Any] = {"FunctionName": function_arn, "StatementId": sid, "Action": "lambda:InvokeFunction",
                              "Principal": principal, "SourceArn": source_arn}
    if principal == "s3.amazonaws.com":  # bucket ARNs carry no account: pin it
        arn_account = function_arn.split(":")[4]
        if arn_account.isdigit():
            kwargs["SourceAccount"] = arn_account
    ctx.aws.client("lambda").add_permission(**kwargs)
    return sid


def revoke(ctx: DeployContext, principal: str, source_arn: str) -> None:
    sid = permission_id(ctx.settings.function_name, principal, source_arn)
    try:
        ctx.aws.client("lambda").remove_permission(FunctionName=ctx.settings.function_name, StatementId=sid)
    except Exception as exc:
        if not is_not_found(exc):
            raise
