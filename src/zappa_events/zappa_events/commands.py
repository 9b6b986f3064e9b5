"""``zappa schedule`` and ``zappa unschedule`` (added by this plugin through ``zappa_cli_commands``): wire or
unwire the stage's events, and nothing else.

Both run only this plugin's resource steps (schedules, event sources of every installed type, Cognito, Lex,
async resources) through the plan/apply engine, so they are idempotent: a second run finds everything in
place and changes nothing. ``deploy``, ``update`` and ``undeploy`` run the same steps with the rest of the
stage.
"""

from __future__ import annotations

from typing import Any

from zappa_core.stage_command import AllStages, Json, Local, Quiet, SettingsFile, Stage, run_stage_command

from zappa_events.plugin import event_steps


def _run(ctx: Any, *, destroy: bool) -> int:
    from zappa_core.engine import Engine, plan_json
    from zappa_core.plan import DeployContext

    plans = []
    for settings in ctx.stages():
        dctx = DeployContext(settings=settings, aws=ctx.aws(settings), pm=ctx.pm,
                             command="unschedule" if destroy else "schedule", local=ctx.local, echo=ctx.echo)
        plan = Engine(dctx, steps=event_steps(settings, ctx.pm)).run(destroy=destroy)
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


def schedule(stage: Stage = None, all_stages: AllStages = False, settings_file: SettingsFile = None, quiet: Quiet = False,
             json: Json = False, local: Local = False) -> None:
    """Create or update the stage's schedules and event sources (idempotent)."""
    run_stage_command(lambda ctx: _run(ctx, destroy=False), stage, all_stages, settings_file, quiet, json, local)


def unschedule(stage: Stage = None, all_stages: AllStages = False, settings_file: SettingsFile = None, quiet: Quiet = False,
               json: Json = False, local: Local = False) -> None:
    """Remove the stage's schedules and event sources (idempotent)."""
    run_stage_command(lambda ctx: _run(ctx, destroy=True), stage, all_stages, settings_file, quiet, json, local)
