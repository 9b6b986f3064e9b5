"""``zappa undeploy``: remove everything the stage owns, found from AWS by name and tags."""

from __future__ import annotations

import sys
import time
from typing import Any

from zappa_core.commands.stages import deploy_context, for_each_stage
from zappa_core.errors import ZappaError


def _confirm(question: str) -> bool:
    try:
        print(question, end=" ", flush=True)
        answer = sys.stdin.readline()
    except (EOFError, OSError):
        return False
    return answer.strip().lower() in ("y", "yes")


def undeploy(ctx: Any, remove_logs: bool = False, yes: bool = False, **_: Any) -> int:
    from zappa_core.engine import Engine

    def run(settings: Any) -> dict:
        if not yes and not _confirm(f"Are you sure you want to undeploy stage '{settings.stage}' "
                                    f"({settings.function_name})? [y/n]"):
            raise ZappaError("undeploy cancelled: nothing was removed", hint="pass --yes to skip the question")
        started = time.perf_counter()
        dctx = deploy_context(ctx, settings, "undeploy", remove_logs=remove_logs)
        engine = Engine(dctx)
        result = engine.plan(destroy=True)
        ctx.echo(f"Undeploying {settings.function_name} ({len(result.pending)} resource(s) to remove)")
        engine.apply(result)
        seconds = time.perf_counter() - started
        ctx.echo(f"Done: stage '{settings.stage}' removed ({seconds:.1f}s)" if result.has_changes
                 else f"Nothing to remove: stage '{settings.stage}' is not deployed")
        return {"stage": settings.stage, "removed": [c.to_json() for c in result.changes if c.changes_something],
                "kept": [c.to_json() for c in result.changes if not c.changes_something], "seconds": round(seconds, 3)}

    return for_each_stage(ctx, "undeploy", run)
