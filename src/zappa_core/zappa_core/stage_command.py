"""Plugin commands that act on stages the way the built-in ones do (``zappa_cli_commands``).

A plugin's command takes the shared stage options (``STAGE``, ``--all``, ``-s``, ``-q``, ``-j``, ``--local``)
with these annotations and hands its work to :func:`run_stage_command`, which validates the stages first
(every settings problem reported at once, exit 2, before any AWS call) and gives the work a
:class:`~zappa_core.context.CommandContext` on the plugin manager the command line was built with::

    from zappa_core.stage_command import AllStages, Json, Local, Quiet, SettingsFile, Stage, run_stage_command

    def warm(stage: Stage = None, all_stages: AllStages = False, settings_file: SettingsFile = None,
             quiet: Quiet = False, json: Json = False, local: Local = False) -> None:
        \"\"\"Invoke the stage's function once.\"\"\"
        run_stage_command(do_warm, stage, all_stages, settings_file, quiet, json, local)
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import typer

from zappa_core.cli import AllStages, Json, Local, Quiet, SettingsFile, Stage, click
from zappa_core.context import CommandContext

__all__ = ["AllStages", "Json", "Local", "Quiet", "SettingsFile", "Stage", "run_stage_command"]


def _plugin_manager() -> Any:
    """The manager the running command line was built with (``zappa`` passes it as the click context's
    ``obj``); a new one when the command runs outside it."""
    current = importlib.import_module(f"{click.__name__}.globals").get_current_context(silent=True)
    pm = current.find_root().obj if current is not None else None
    if pm is None:
        from zappa_core.plugins import get_plugin_manager

        pm = get_plugin_manager()
    return pm


def run_stage_command(work: Callable[..., int | None], stage: str | None, all_stages: bool = False,
                      settings_file: str | None = None, quiet: bool = False, json: bool = False, local: bool = False,
                      **options: Any) -> None:
    """Validate the stages asked for, then run ``work(ctx, **options)``; a non-zero result is the exit code."""
    ctx = CommandContext(pm=_plugin_manager(), stage=stage, all_stages=all_stages, settings_file=settings_file,
                         quiet=quiet, json=json, local=local, options=options)
    ctx.stages()
    code = work(ctx, **options)
    if code:
        raise typer.Exit(code)
