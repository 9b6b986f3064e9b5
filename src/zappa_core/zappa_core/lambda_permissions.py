"""The statements of a Lambda function's resource policy that let an AWS service invoke it.

API Gateway, a load balancer's target group, S3, SNS, EventBridge, Cognito and Lex each need one before they
can invoke the function. Every plugin names its statements with a prefix of its own (``zappa-apigw-rest-``,
``zappa-alb-``, ``zappa-events-``), so reading the policy by prefix finds exactly the statements it owns,
including those of sources that were dropped from the settings since.

``function`` is a function name or ARN; ``qualifier`` an alias or version whose own policy is meant (the
unqualified function's policy otherwise). A function without a policy, or one that does not exist, has no
statements; revoking a statement that is gone is not an error.
"""

from __future__ import annotations

import json
from typing import Any

from zappa_core.awserrors import is_not_found

INVOKE = "lambda:InvokeFunction"


def _target(function: str, qualifier: str | None) -> dict[str, str]:
    return {"FunctionName": function, **({"Qualifier": qualifier} if qualifier else {})}


def statements(lam: Any, function: str, *, prefix: str = "", qualifier: str | None = None) -> dict[str, dict[str, Any]]:
    """``{Sid: statement}`` of the policy's statements whose Sid starts with ``prefix`` (every one for ``""``)."""
    try:
        policy = json.loads(lam.get_policy(**_target(function, qualifier))["Policy"])
    except Exception as exc:
        if is_not_found(exc):
            return {}
        raise
    return {str(s.get("Sid", "")): s for s in policy.get("Statement", []) if str(s.get("Sid", "")).startswith(prefix)}


def source_arn(statement: dict[str, Any]) -> str | None:
    """The ``AWS:SourceArn`` a statement is conditioned on (under ``ArnLike`` or ``ArnEquals``), or ``None``."""
    for operator in (statement.get("Condition") or {}).values():
        for key, value in (operator or {}).items():
            if key.lower() == "aws:sourcearn":
                return value
    return None


def principal(statement: dict[str, Any]) -> str:
    """The service a statement lets in (``"apigateway.amazonaws.com"``)."""
    value = statement.get("Principal") or {}
    return str(value.get("Service", "") if isinstance(value, dict) else value)


def grant(lam: Any, function: str, sid: str, service: str, source: str | None, *, qualifier: str | None = None,
          action: str = INVOKE, source_account: str | None = None, url_auth_type: str | None = None) -> None:
    """Add statement ``sid``: ``service`` may call ``action`` on the function for ``source`` (a source ARN;
    ``None`` for any), from ``source_account`` when given (an S3 bucket's ARN names no account).
    ``url_auth_type`` is the function URL auth type a ``lambda:InvokeFunctionUrl`` statement is for."""
    kwargs: dict[str, Any] = {**_target(function, qualifier), "StatementId": sid, "Action": action, "Principal": service}
    optional = {"SourceArn": source, "SourceAccount": source_account, "FunctionUrlAuthType": url_auth_type}
    kwargs.update({key: value for key, value in optional.items() if value})
    lam.add_permission(**kwargs)


def revoke(lam: Any, function: str, sid: str, *, qualifier: str | None = None) -> bool:
    """Remove statement ``sid``; returns whether it was there."""
    try:
        lam.remove_permission(**_target(function, qualifier), StatementId=sid)
    except Exception as exc:
        if is_not_found(exc):
            return False
        raise
    return True
