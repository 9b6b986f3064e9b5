"""Running a command on one stage or on ``--all`` of them (a failed stage does not stop the others; a
summary is printed and the exit code is 1 when any failed), with the deploy context each stage's work gets.

Settings were validated by the CLI before the command runs, so a settings problem never reaches AWS.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any

from zappa_core import receipts
from zappa_core.errors import AwsError, UsageError, ZappaError
from zappa_core.plan import DeployContext


def show_progress(ctx: Any) -> bool:
    return not (ctx.quiet or ctx.json or ctx.options.get("disable_progress")) and sys.stderr.isatty()


def deploy_context(ctx: Any, settings: Any, command: str, **options: Any) -> DeployContext:
    return DeployContext(settings=settings, aws=ctx.aws(settings), pm=ctx.pm, command=command, local=ctx.local,
                         echo=ctx.echo, options={"settings_file": getattr(ctx, "settings_file", None), **options},
                         progress=show_progress(ctx))


def apply_overrides(ctx: Any, settings: Any) -> None:
    app_function = ctx.options.get("app_function")
    if app_function:
        core = settings.section("core")
        if core is not None:
            core.app_function = app_function


def for_each_stage(ctx: Any, action: str, run: Callable[[Any], dict | None]) -> int:
    """Run ``run(settings)`` for every stage asked for; with several stages, continue past failures and
    print a per-stage summary. Returns the exit code."""
    stages = ctx.stages()
    if action not in receipts.LEAVES_STAGES_AS_THEY_ARE:
        for settings in stages:  # a settings file named with -s may be another project's
            receipts.forget(str(settings.project_dir), settings.stage)
    if len(stages) == 1:
        result = run(stages[0])
        if ctx.json and result is not None:
            ctx.emit_json(result)
        return 0
    results: list[dict] = []
    reasons: dict[str, str] = {}  # the whole message on one line (its first line may say only which step failed)
    failed = 0
    for settings in stages:
        started = time.perf_counter()
        try:
            out = run(settings) or {}
            results.append({"stage": settings.stage, "ok": True, "seconds": round(time.perf_counter() - started, 2), **out})
        except ZappaError as exc:
            failed += 1
            print(f"Error: stage '{settings.stage}': {exc}", file=sys.stderr)
            reasons[settings.stage] = " ".join(exc.message.split())
            results.append({"stage": settings.stage, "ok": False, "error": str(exc),
                            "seconds": round(time.perf_counter() - started, 2)})
    if ctx.json:
        ctx.emit_json(results)
    else:
        ctx.echo(f"\n{action} summary:")
        for r in results:
            ctx.echo(f"  {r['stage']:<20} {'ok' if r['ok'] else 'FAILED'}  {r['seconds']:.1f}s"
                     + ("" if r["ok"] else f"  {reasons[r['stage']]}"))
    return 1 if failed else 0


def stage_status_from_plugins(dctx: DeployContext) -> dict[str, Any]:
    """Merge every plugin's ``zappa_stage_status``; ``urls`` dicts are merged key by key."""
    from zappa_core.engine import command_line

    merged: dict[str, Any] = {"urls": {}}
    parts = read_aws("reading the stage's URLs",
                     lambda: dctx.pm.hook.zappa_stage_status(settings=dctx.settings, context=dctx),
                     hint=f"nothing is lost: run '{command_line(dctx.command, dctx.settings.stage, dctx)}' again")
    for part in parts or []:
        if not isinstance(part, dict):
            continue
        for key, value in part.items():
            if isinstance(value, dict) and isinstance(merged.get(key), dict):
                merged[key].update(value)
            else:
                merged[key] = value
    return merged


def read_aws(what: str, fn: Callable[[], Any], hint: str | None = None) -> Any:
    """A read before any step runs: transient errors retried, AWS errors turned into AwsError."""
    from zappa_core.awserrors import is_aws_error
    from zappa_core.engine import describe_aws_error
    from zappa_core.retry import retry

    try:
        return retry(fn, attempts=4)
    except Exception as exc:
        if is_aws_error(exc):
            raise AwsError(f"{what}: {describe_aws_error(exc)}",
                           hint=hint or "nothing is lost: run the command again; it continues from what exists") from exc
        raise


def require_bucket(settings: Any) -> None:
    if not settings.s3_bucket:
        raise UsageError(f"stage '{settings.stage}': 's3_bucket' is not set", hint="add \"s3_bucket\": \"<a bucket name>\" to the stage")
