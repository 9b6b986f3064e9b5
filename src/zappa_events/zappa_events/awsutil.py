"""Small AWS helpers shared by the event-source steps."""

from __future__ import annotations

from zappa_core.errors import AwsError
from zappa_core.plan import DeployContext
from zappa_core.retry import is_not_found


def function_arn(ctx: DeployContext, *, required: bool = False) -> str | None:
    """The stage function's ARN: from the function step's outputs, else read from Lambda.

    ``None`` when the function does not exist yet (a first deploy being planned); with ``required`` that
    is an error naming the fix.
    """
    arn = (ctx.outputs.get("core:function") or {}).get("function_arn")
    if arn:
        return arn
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


def unqualified(arn: str) -> str:
    """``arn:aws:lambda:r:a:function:name[:qualifier]`` -> the ARN without the qualifier."""
    parts = arn.split(":")
    return ":".join(parts[:7])


def same_function(arn_a: str | None, arn_b: str | None) -> bool:
    return bool(arn_a and arn_b) and unqualified(arn_a) == unqualified(arn_b)


def arn_service(arn: str) -> str:
    """``arn:aws:sqs:us-east-1:123:q`` -> ``sqs``; ``""`` for anything else."""
    parts = arn.split(":")
    return parts[2] if len(parts) > 2 and parts[0] == "arn" else ""


def arn_region(arn: str) -> str:
    parts = arn.split(":")
    return parts[3] if len(parts) > 3 else ""


def resource_name(arn: str) -> str:
    """The last ``:``/``/`` part of an ARN (bucket, queue, topic, table or stream name)."""
    return arn.rsplit(":", 1)[-1].rsplit("/", 1)[-1]


def lambda_function_arn(ctx: DeployContext, name: str) -> str:
    """A function's ARN built from the stage's region and account, without calling Lambda."""
    region = ctx.aws.resolve_region()
    return f"arn:aws:lambda:{region}:{account(ctx)}:function:{name}"


def account(ctx: DeployContext) -> str:
    try:
        return ctx.aws.account_id()
    except Exception:  # noqa: BLE001 - no credentials to ask: a policy scoped by name is still least privilege
        return "*"
