"""The Lambda permissions API Gateway needs to invoke the stage's function.

One statement per API, ``<prefix><api id>``, and one more, ``<prefix>auth-<api id>``, when the authorizer is a
function of the app; the prefix names the kind of API (``zappa-apigw-rest-``, ``zappa-apigw-http-``). With
``apigateway_lambda_qualifier`` (or, for a stage that deploys gradually, the alias ``current``) they sit on that alias's policy, and statements an earlier deploy left on the
unqualified function are stale: they are read too (marked ``_unqualified``) so that they are removed.
"""

from __future__ import annotations

from typing import Any

from zappa_core.arns import arn_account, build_arn
from zappa_core.errors import AwsError

from zappa_aws_apigw import common
from zappa_core import lambda_permissions

SERVICE = "apigateway.amazonaws.com"


def _error(step: str, what: str, resource: str, exc: Exception) -> AwsError:
    return AwsError(f"{step}: could not {what} ({resource}): {exc}")


def read(lam: Any, settings: Any, prefix: str, step: str) -> dict[str, dict[str, Any]]:
    """``{Sid: statement}`` of the statements of ``prefix`` that exist."""
    name, qualifier = settings.function_name, common.lambda_qualifier(settings)
    found: dict[str, dict[str, Any]] = {}
    for where in ([qualifier, None] if qualifier else [None]):
        try:
            statements = lambda_permissions.statements(lam, name, prefix=prefix, qualifier=where)
        except Exception as exc:  # noqa: BLE001 - not found means none; any other failure is raised as AwsError
            raise _error(step, "read the function's policy", name, exc) from None
        for sid, statement in statements.items():
            found.setdefault(sid, statement if where or not qualifier else dict(statement, _unqualified=True))
    return found


def wanted(function_arn: str, region: str, api_id: str, prefix: str, *, authorizer: bool) -> dict[str, str]:
    """``{Sid: source ARN}`` of every statement API ``api_id`` needs (``authorizer``: the authorizer is a
    function of the app, which API Gateway invokes as well)."""
    base = build_arn("execute-api", region, arn_account(function_arn), api_id)
    out = {f"{prefix}{api_id}": f"{base}/*"}
    if authorizer:
        out[f"{prefix}auth-{api_id}"] = f"{base}/authorizers/*"
    return out


def difference(want: dict[str, str], live: dict[str, dict[str, Any]]) -> tuple[dict[str, str], list[str]]:
    """``(statements to add, Sids to remove)``: a statement for another source, or a stale unqualified one,
    is removed and added again."""
    add = {sid: arn for sid, arn in want.items()
           if sid not in live or live[sid].get("_unqualified") or lambda_permissions.source_arn(live[sid]) != arn}
    remove = [sid for sid, statement in live.items() if sid not in want or statement.get("_unqualified") or sid in add]
    return add, remove


def apply(lam: Any, settings: Any, live: dict[str, dict[str, Any]], add: dict[str, str], remove: list[str],
          step: str) -> None:
    name, qualifier = settings.function_name, common.lambda_qualifier(settings)
    for sid in remove:
        where = None if live.get(sid, {}).get("_unqualified") else qualifier
        try:
            lambda_permissions.revoke(lam, name, sid, qualifier=where)
        except Exception as exc:  # noqa: BLE001 - any failure but "not found" is raised as AwsError
            raise _error(step, "remove the Lambda permission", sid, exc) from None
    for sid, source in add.items():
        lambda_permissions.grant(lam, name, sid, SERVICE, source, qualifier=qualifier)


def remove_all(lam: Any, settings: Any, live: dict[str, dict[str, Any]], step: str) -> None:
    apply(lam, settings, live, {}, list(live), step)
