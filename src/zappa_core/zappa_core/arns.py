"""ARNs: the partition a region belongs to, Lambda function ARNs, and the parts of an ARN.

An ARN begins with its partition: ``arn:aws:`` in the commercial regions, ``arn:aws-cn:`` in China
(``cn-north-1``) and ``arn:aws-us-gov:`` in GovCloud (``us-gov-west-1``). Every ARN zappa builds takes the
partition from the region here, so a stage in ``cn-north-1`` names its function, its API and its source ARNs
as AWS does there.
"""

from __future__ import annotations

from typing import Any


def partition_of(region: str | None) -> str:
    """``"aws"``, ``"aws-cn"`` or ``"aws-us-gov"``: the partition of ``region``."""
    region = region or ""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def build_arn(service: str, region: str, account: str, resource: str) -> str:
    """``arn:<partition of region>:<service>:<region>:<account>:<resource>``."""
    return f"arn:{partition_of(region)}:{service}:{region}:{account}:{resource}"


def function_arn(region: str, account: str, name: str, qualifier: str | None = None) -> str:
    """The ARN of Lambda function ``name`` (with ``:qualifier``, a version or alias, when given)."""
    return build_arn("lambda", region, account, f"function:{name}" + (f":{qualifier}" if qualifier else ""))


def split_function_arn(arn: str) -> tuple[str, str | None]:
    """``arn:...:function:name[:qualifier]`` -> (the unqualified ARN, the qualifier or ``None``)."""
    parts = arn.split(":")
    if len(parts) == 8:
        return ":".join(parts[:7]), parts[7]
    return arn, None


def arn_part(arn: str, index: int) -> str:
    """Part ``index`` of an ARN (2: the service, 3: the region, 4: the account); ``""`` when ``arn`` is not
    an ARN or has no such part."""
    parts = arn.split(":")
    return parts[index] if len(parts) > index and parts[0] == "arn" else ""


def arn_service(arn: str) -> str:
    """``arn:aws:sqs:us-east-1:123:q`` -> ``sqs``; ``""`` for anything else."""
    return arn_part(arn, 2)


def arn_region(arn: str) -> str:
    return arn_part(arn, 3)


def arn_account(arn: str) -> str:
    return arn_part(arn, 4)


def stage_function_arn(ctx: Any, *, qualified: bool = False) -> str:
    """The ARN of the stage's function in a deploy (``ctx``: the :class:`~zappa_core.plan.DeployContext`):
    the one the ``core:function`` step planned or made (with ``qualified``, its managed alias's when the core
    publishes one), else built from the stage's region and account (a step that runs without the core's)."""
    function = ctx.function
    if function is not None:
        return (function.qualified_arn if qualified else None) or function.function_arn
    return function_arn(ctx.region, ctx.account_id, ctx.function_name)
