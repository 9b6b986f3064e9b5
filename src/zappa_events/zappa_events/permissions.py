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
    return {sid: source for sid, service, source in _statements(ctx)
            if sid.startswith(PERMISSION_PREFIX) and (not principal or service == principal)}


def allowed_sources(ctx: DeployContext, principal: str) -> set[str]:
    """The source ARNs for which ``principal`` may invoke the function, whoever added the statement (this
    plugin, or Zappa with its random statement ids)."""
    return {source for _sid, service, source in _statements(ctx) if service == principal and source}


def _statements(ctx: DeployContext) -> list[tuple[str, str, str]]:
    """``(statement id, service principal, source ARN)`` of every statement of the function's policy."""
    client = ctx.aws.client("lambda")
    try:
        policy = json.loads(client.get_policy(FunctionName=ctx.settings.function_name)["Policy"])
    except Exception as exc:
        if is_not_found(exc):
            return []
        raise
    return [(statement.get("Sid", ""), _service(statement.get("Principal")), _source_arn(statement.get("Condition") or {}))
            for statement in policy.get("Statement", [])]


def _service(principal: Any) -> str:
    return principal.get("Service", "") if isinstance(principal, dict) else ""


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
