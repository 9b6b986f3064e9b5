"""Small AWS helpers shared by the event-source steps."""

from __future__ import annotations

from zappa_core.arns import split_function_arn
from zappa_core.awserrors import is_not_found
from zappa_core.errors import AwsError
from zappa_core.plan import DeployContext


def function_arn(ctx: DeployContext, *, required: bool = False) -> str | None:
    """The stage function's ARN: from the function step's outputs, else read from Lambda.

    ``None`` when the function does not exist yet (a first deploy being planned); with ``required`` that
    is an error naming the fix.
    """
    if ctx.function is not None:
        return ctx.function.function_arn
    name = ctx.settings.function_name
    try:
        return ctx.aws.client("lambda").get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    except Exception as exc:
        if not is_not_found(exc):
            raise
    if required:
        raise AwsError(f"the function '{name}' does not exist, so its events cannot be wired",
                       hint="deploy the stage first: zappa deploy " + ctx.settings.stage)
    return None


def same_function(arn_a: str | None, arn_b: str | None) -> bool:
    """Whether two ARNs name one function (whatever their qualifiers)."""
    return bool(arn_a and arn_b) and split_function_arn(arn_a)[0] == split_function_arn(arn_b)[0]


def resource_name(arn: str) -> str:
    """The last ``:``/``/`` part of an ARN (bucket, queue, topic, table or stream name)."""
    return arn.rsplit(":", 1)[-1].rsplit("/", 1)[-1]


def account(ctx: DeployContext) -> str:
    try:
        return ctx.aws.account_id()
    except Exception:  # noqa: BLE001 - no credentials to ask: a policy scoped by name is still least privilege
        return "*"
