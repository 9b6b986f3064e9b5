"""When output is coloured: ``--color auto|always|never``, ``NO_COLOR`` and the terminal.

The rules, in order (those of https://no-color.org and of most command-line tools):

1. a command's own flag (``tail --no-color`` / ``--force-color``, ``invoke --no-color``);
2. ``zappa --color always`` or ``never``;
3. ``NO_COLOR`` set to anything non-empty: no colour;
4. ``auto``: colour when the stream is a terminal whose ``TERM`` is not ``dumb``.

Spinners and progress bars are a separate matter (they need a terminal on stderr, see ``--disable_progress``);
when colour is off they are drawn without it.
"""

from __future__ import annotations

import os
import sys
from typing import Any, TextIO

MODES = ("auto", "always", "never")
_mode = "auto"


def set_mode(mode: str) -> None:
    """Set the ``--color`` mode for this process (the CLI does it once per run)."""
    global _mode
    if mode not in MODES:
        raise ValueError(f"--color must be one of {', '.join(MODES)}, not {mode!r}")
    _mode = mode


def mode() -> str:
    return _mode


def enabled(stream: TextIO | None = None, flag: bool | None = None) -> bool:
    """Whether to colour what is written to ``stream`` (stdout by default); ``flag`` is a command's own
    ``--force-color`` (True) or ``--no-color`` (False), None when not given."""
    if flag is not None:
        return flag
    if _mode != "auto":
        return _mode == "always"
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("TERM") == "dumb":
        return False
    stream = stream or sys.stdout
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def console(stderr: bool = True) -> Any:
    """A rich console for spinners and progress bars that follows these rules."""
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    if enabled(stream):
        return Console(stderr=stderr)
    return Console(stderr=stderr, color_system=None, no_color=True)


def style(text: str, code: str, on: bool) -> str:
    """``text`` in the ANSI SGR style ``code`` (``"31"`` red, ``"1"`` bold...) when ``on``."""
    return f"\033[{code}m{text}\033[0m" if on else text


def hoist_color_option(args: list[str]) -> list[str]:
    """``zappa tail dev --color never`` means ``zappa --color never tail dev``: move a ``--color`` given after
    the command (before any ``--``) to the front, where the command line defines it."""
    out: list[str] = []
    front: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            out += args[i:]
            break
        if out and arg.startswith("--color="):
            front.append(arg)
        elif out and arg == "--color" and i + 1 < len(args) and args[i + 1] in MODES:
            front += [arg, args[i + 1]]
            i += 1
        else:
            out.append(arg)
        i += 1
    return front + out
