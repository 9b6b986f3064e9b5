"""The commands plugins add to the CLI (``zappa_cli_commands``): each shown in listings at once, its plugin's code
imported only when it runs (or its own ``--help`` is asked for)."""

import importlib
from typing import Any

import typer

try:  # typer >= 0.29 vendors click as typer._click; older typer uses click itself
    from typer import _click as click
except ImportError:  # pragma: no cover
    import click  # type: ignore[no-redef]

from zappa_core.cli import BUILTIN_COMMANDS, MARKUP
from zappa_core.errors import PluginError


def _lazy_command(record: Any) -> Any:
    """A click command that shows ``record.help`` in listings and imports the plugin's command only when it
    runs (or its own ``--help`` is asked for). ``record.app`` is ``"module:attribute"``."""

    base = getattr(typer.core, "TyperCommand", click.Command)  # typer >= 0.29's click.Command is abstract

    class LazyCommand(base):  # type: ignore[misc, valid-type]
        def __init__(self) -> None:
            super().__init__(record.name, help=record.help or None, short_help=record.help or None,
                             context_settings={"ignore_unknown_options": True, "allow_extra_args": True})

        def target(self) -> Any:
            module_name, _, attribute = str(record.app).partition(":")
            target = importlib.import_module(module_name)
            for part in filter(None, attribute.split(".")):
                target = getattr(target, part)
            return _as_click(record.name, target, record.help)

        def make_context(self, info_name: Any, args: Any, parent: Any = None, **extra: Any) -> Any:
            return self.target().make_context(info_name, args, parent=parent, **extra)

    return LazyCommand()


def _as_click(name: str, app: Any, help: str = "") -> Any:
    """A click command for a plugin's ``typer.Typer``, plain function or click command."""
    if isinstance(app, click.Command):
        return app
    if isinstance(app, typer.Typer):
        sub = app
    else:
        sub = typer.Typer(rich_markup_mode=MARKUP, add_completion=False)
        sub.command(name, help=help or None)(app)
    command = typer.main.get_command(sub)
    if isinstance(app, typer.Typer) and help and not command.help:
        command.help = help
    return command


def add_plugin_commands(group: Any, pm: Any) -> None:
    """Add the ``zappa_cli_commands`` records of every plugin to the click group ``group``."""
    from zappa_core.plugins import collect_records

    for record in collect_records(pm, "zappa_cli_commands", key="name"):
        if record.name in BUILTIN_COMMANDS:
            raise PluginError(f"plugin '{record.plugin}' adds a command '{record.name}', which is a built-in command",
                              hint=f"rename the plugin's command, or set ZAPPA_DISABLE_PLUGINS={record.plugin}")
        command = _lazy_command(record) if isinstance(record.app, str) else _as_click(record.name, record.app, record.help)
        group.add_command(command, record.name)
