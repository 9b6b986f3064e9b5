"""``zappa rollback``: make an earlier version of the stage's function live again."""

from __future__ import annotations

from typing import Any

from zappa_core.commands.stages import deploy_context, for_each_stage
from zappa_core.errors import AwsError, ZappaError


def rollback(ctx: Any, num_rollback: int = 1, **_: Any) -> int:
    return for_each_stage(ctx, "rollback", lambda s: rollback_stage(ctx, s, num_rollback))


def rollback_stage(ctx: Any, settings: Any, n: int) -> dict:
    """Make the version ``n`` before the live one live again.

    When that version's zip is still in the code bucket (``num_retained_versions`` zips are kept), its code
    is re-published: ``$LATEST`` and a new version run it and the alias moves there, so unqualified and
    aliased invocations agree. Otherwise only the alias moves. During a rollout, the rollout's new version is
    rolled back instead."""
    from zappa_core.awserrors import is_aws_error
    from zappa_core.engine import describe_aws_error
    from zappa_core.resources.code import remote_function, restore_code
    from zappa_core.resources.function import (
        FunctionStep,
        get_alias,
        list_versions,
        point_alias,
        published,
    )
    from zappa_core.resources.util import ALIAS
    from zappa_core.rollout.run import in_progress, roll_back

    dctx = deploy_context(ctx, settings, "rollback")
    name = settings.function_name
    try:
        if remote_function(dctx) is None:
            raise ZappaError(f"stage '{settings.stage}' is not deployed (no function {name})")
        alias = get_alias(dctx)
        rollout = in_progress(dctx, alias)
        if rollout is not None:  # a rollout in progress: its new version goes, whatever -n says
            outcome = roll_back(dctx, rollout, f"rolled back by hand at {rollout.weight:g}%")
            return {"stage": settings.stage, "function_name": name, "rolled_back_to": rollout.old,
                    "version": rollout.old, "previous": rollout.new, "republished": False, "rollout": outcome.to_json()}
        versions = published(list_versions(dctx))
        numbers = [v["Version"] for v in versions]
        live = alias.get("FunctionVersion") if alias else (numbers[-1] if numbers else None)
        if live not in numbers:
            raise ZappaError(f"cannot find the live version of {name}")
        index = numbers.index(live) - n
        if index < 0:
            raise ZappaError(f"cannot roll back {n} version(s): only {numbers.index(live)} earlier version(s) of "
                             f"{name} are retained", hint="num_retained_versions sets how many are kept")
        target = versions[index]
        lam = dctx.aws.client("lambda")
        has_zip = restore_code(dctx, target)
        if has_zip:
            new_version = lam.publish_version(FunctionName=name)["Version"]
            point_alias(dctx, new_version, exists=alias is not None)
            FunctionStep().prune(dctx)
            message = (f"Rolled back {name}: version {target['Version']}'s code is live again "
                       f"(as version {new_version}; $LATEST and alias '{ALIAS}')")
            live_now = new_version
        else:
            point_alias(dctx, target["Version"], exists=alias is not None)
            message = (f"Rolled back {name}: alias '{ALIAS}' -> version {target['Version']} (its zip is no longer in S3, "
                       f"so $LATEST still runs version {live}'s code)")
            live_now = target["Version"]
    except ZappaError:
        raise
    except Exception as exc:
        if not is_aws_error(exc):
            raise
        raise AwsError(f"rollback of {name} failed: {describe_aws_error(exc)}",
                       hint=f"run 'zappa status {settings.stage}' to see the versions") from exc
    ctx.echo(message)
    return {"stage": settings.stage, "function_name": name, "rolled_back_to": target["Version"], "version": live_now,
            "previous": live, "republished": has_zip}
