"""The parts of the ``zappa`` command line that every command shares: the options of the stage commands (Zappa's
names), shell completion of stage names, the colour mode and the help formatting. Plugins' stage commands
(:mod:`zappa_core.stage_command`) take the same options."""

import enum
from typing import Annotated

import typer

try:  # typer >= 0.29 vendors click as typer._click; older typer uses click itself
    from typer import _click as click
except ImportError:  # pragma: no cover
    import click  # type: ignore[no-redef]

__all__ = ["MARKUP", "AllStages", "AppFunction", "ColorMode", "DisableProgress", "Json", "Local", "NoVenv", "Quiet",
           "SettingsFile", "Stage", "click", "complete_stage"]


class ColorMode(str, enum.Enum):
    auto = "auto"
    always = "always"
    never = "never"


# Plain click help: rich formatting costs ~50 ms of imports per run and adds nothing a user needs.
MARKUP = None


def complete_stage(ctx: typer.Context, incomplete: str) -> list[str]:
    """Shell completion of a stage argument: the stage names of the settings file (``-s`` if given)."""
    from pathlib import Path

    from zappa_core.settings.files import find_settings_file, load_file

    given = ctx.params.get("settings_file")
    path = Path(given) if given else find_settings_file(Path.cwd())
    try:
        stages = list(load_file(path).data) if path else []
    except Exception:  # noqa: BLE001 - a broken file completes nothing; the command itself reports it
        return []
    return [stage for stage in stages if stage.startswith(incomplete)]


# Options shared by the stage commands (Zappa's env_parser).
Stage = Annotated[str | None, typer.Argument(help="Stage name from the settings file.", show_default=False,
                                             autocompletion=complete_stage)]
AllStages = Annotated[bool, typer.Option("--all", help="Run for every stage in the settings file.")]
SettingsFile = Annotated[str | None, typer.Option("-s", "--settings_file", "--settings-file", help="Settings file to use (default: zappa_settings.json|yml|yaml|toml).")]
Quiet = Annotated[bool, typer.Option("-q", "--quiet", help="Print only errors.")]
Json = Annotated[bool, typer.Option("-j", "--json", help="Machine-readable JSON output.")]
Local = Annotated[bool, typer.Option("--local", envvar="ZAPPA_LOCAL", help="Use the local AWS started by 'zappa local start'.")]
AppFunction = Annotated[str | None, typer.Option("-a", "--app_function", "--app-function", help="Override 'app_function' for this run.")]
DisableProgress = Annotated[bool, typer.Option("--disable_progress", "--disable-progress", help="No progress bars.")]
NoVenv = Annotated[bool, typer.Option("--no_venv", "--no-venv", help="Accepted for compatibility; no virtualenv is required.")]
