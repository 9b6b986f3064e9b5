"""``zappa promote``: end a rollout in progress now, giving the new version all the traffic."""

from __future__ import annotations

from typing import Any

from zappa_core.commands.stages import deploy_context, for_each_stage, read_aws
from zappa_core.errors import ZappaError


def promote(ctx: Any, **_: Any) -> int:
    return for_each_stage(ctx, "promote", lambda s: promote_stage(ctx, s))


def promote_stage(ctx: Any, settings: Any) -> dict:
    from zappa_core.resources.util import ALIAS
    from zappa_core.rollout.run import in_progress, promote

    dctx = deploy_context(ctx, settings, "promote")
    rollout = read_aws("reading the rollout", lambda: in_progress(dctx))
    if rollout is None:
        raise ZappaError(f"stage '{settings.stage}' has no rollout in progress: alias '{ALIAS}' sends all its traffic "
                         "to one version", hint=f"'zappa status {settings.stage}' shows the live version")
    outcome = read_aws("promoting", lambda: promote(dctx, rollout, f"promoted by hand at {rollout.weight:g}%"))
    return {"stage": settings.stage, "function_name": settings.function_name, **outcome.to_json()}
