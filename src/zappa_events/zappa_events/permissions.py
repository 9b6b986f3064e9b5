"""The function's resource policy: which AWS services may invoke it, for which source.

S3, SNS, EventBridge, Cognito and Lex need a statement in the function's policy before they can invoke
it. The events plugin names its statements ``zappa-events-<service>-<digest>``, so the policy also tells
which buckets and topics are wired to the function, even after they were dropped from the settings.
"""

from __future__ import annotations

from zappa_core.arns import arn_account
from zappa_core.plan import DeployContext

from zappa_core import lambda_permissions
from zappa_events.naming import PERMISSION_PREFIX, permission_id


def granted(ctx: DeployContext, principal: str | None = None) -> dict[str, str]:
    """``{statement id: source ARN}`` of this plugin's statements (for ``principal`` only, when given)."""
    return {sid: lambda_permissions.source_arn(statement) or "" for sid, statement in _statements(ctx, PERMISSION_PREFIX).items()
            if not principal or lambda_permissions.principal(statement) == principal}


def allowed_sources(ctx: DeployContext, principal: str) -> set[str]:
    """The source ARNs for which ``principal`` may invoke the function, whoever added the statement (this
    plugin, or Zappa with its random statement ids)."""
    return {source for statement in _statements(ctx).values()
            if lambda_permissions.principal(statement) == principal and (source := lambda_permissions.source_arn(statement))}


def _statements(ctx: DeployContext, prefix: str = "") -> dict[str, dict]:
    return lambda_permissions.statements(ctx.aws.client("lambda"), ctx.settings.function_name, prefix=prefix)


def grant(ctx: DeployContext, function_arn: str, principal: str, source_arn: str) -> str:
    """Allow ``principal`` to invoke the function for ``source_arn``; a no-op when already allowed."""
    sid = permission_id(ctx.settings.function_name, principal, source_arn)
    if sid in granted(ctx, principal):
        return sid
    account = arn_account(function_arn) if principal == "s3.amazonaws.com" else ""  # a bucket's ARN names no account: pin it
    lambda_permissions.grant(ctx.aws.client("lambda"), function_arn, sid, principal, source_arn,
                             source_account=account if account.isdigit() else None)
    return sid


def revoke(ctx: DeployContext, principal: str, source_arn: str) -> None:
    lambda_permissions.revoke(ctx.aws.client("lambda"), ctx.settings.function_name,
                              permission_id(ctx.settings.function_name, principal, source_arn))
