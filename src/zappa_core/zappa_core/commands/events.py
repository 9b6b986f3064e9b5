"""``zappa schedule`` and ``zappa unschedule``: wire or unwire the stage's events, and nothing else.

Both run only the events plugin's resource steps (schedules, event sources of every installed type,
Cognito, Lex, async resources) through the plan/apply engine, so they are idempotent: a second run finds
everything in place and changes nothing. ``deploy``, ``update`` and ``undeploy`` run the same steps with the
rest of the stage.
"""

from __future__ import annotations

from typing import Any

from zappa_core.errors import UsageError


def _event_steps(ctx: Any, settings: Any) -> list[Any]:
    try:
        from zappa_events.plugin import event_steps
    except ImportError:
        raise UsageError("schedules and event sources come from the 'events' plugin, which is not installed",
                         hint='pip install "zappa-ng[events]"') from None
    if ctx.pm.get_plugin("events") is None:
        raise UsageError("the 'events' plugin is disabled (ZAPPA_DISABLE_PLUGINS)")
    return event_steps(settings, ctx.pm)


def _run(ctx: Any, *, destroy: bool) -> int:
    from zappa_core.engine import Engine, plan_json
    from zappa_core.plan import DeployContext

    plans = []
    for settings in ctx.stages():
        dctx = DeployContext(settings=settings, aws=ctx.aws(settings), pm=ctx.pm,
                             command="unschedule" if destroy else "schedule", local=ctx.local, echo=ctx.echo)
        engine = Engine(dctx, steps=_event_steps(ctx, settings))
        plan = engine.run(destroy=destroy)
        plans.append(plan)
        if not plan.has_changes:
            ctx.echo(f"Stage '{settings.stage}': the events are already {'removed' if destroy else 'in place'}; nothing to do.")
            continue
        for item in plan.pending:
            for line in item.change.details:
                ctx.echo(f"    {line}")
        ctx.echo(f"Stage '{settings.stage}': events {'unscheduled' if destroy else 'scheduled'}.")
    if ctx.json:
        print(plan_json(plans))
    return 0


def schedule(ctx, **options):
    return _run(ctx, destroy=False)


def unschedule(ctx, **options):
    return _run(ctx, destroy=True)
