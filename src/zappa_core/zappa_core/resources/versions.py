"""The function's published versions, the managed alias ``current`` that points at the live one and the provisioned
concurrency on it."""

from __future__ import annotations

from zappa_core.awserrors import error_code, is_not_found
from zappa_core.plan import DeployContext
from zappa_core.resources.util import ALIAS


def list_versions(ctx: DeployContext) -> list[dict]:
    lam = ctx.aws.client("lambda")
    versions: list[dict] = []
    for page in lam.get_paginator("list_versions_by_function").paginate(FunctionName=ctx.function_name):
        versions.extend(page.get("Versions", []))
    return versions


def published(versions: list[dict]) -> list[dict]:
    """Published versions, oldest first."""
    return sorted((v for v in versions if v.get("Version", "$LATEST").isdigit()), key=lambda v: int(v["Version"]))


def get_alias(ctx: DeployContext) -> dict | None:
    try:
        return ctx.aws.client("lambda").get_alias(FunctionName=ctx.function_name, Name=ALIAS)
    except Exception as exc:
        if is_not_found(exc):
            return None
        raise


def point_alias(ctx: DeployContext, version: str, exists: bool) -> None:
    """The alias on ``version`` alone: traffic split by an earlier rollout (or by hand) ends."""
    from zappa_core.rollout.state import IDLE_DESCRIPTION, set_alias

    lam = ctx.aws.client("lambda")
    if not exists:
        try:
            lam.create_alias(FunctionName=ctx.function_name, Name=ALIAS, FunctionVersion=version, Description=IDLE_DESCRIPTION)
            return
        except Exception as exc:
            if error_code(exc) != "ResourceConflictException":
                raise
    set_alias(lam, ctx.function_name, version)


def get_provisioned_concurrency(ctx: DeployContext) -> int | None:
    """The provisioned concurrency requested on the managed alias; ``None`` when it has none."""
    try:
        pc = ctx.aws.client("lambda").get_provisioned_concurrency_config(FunctionName=ctx.function_name, Qualifier=ALIAS)
    except Exception as exc:
        if is_not_found(exc):
            return None
        raise
    return pc.get("RequestedProvisionedConcurrentExecutions")
