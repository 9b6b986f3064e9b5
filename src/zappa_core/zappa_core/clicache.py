"""A cache of the top-level ``zappa --help`` text, so that ``zappa --help`` needs no typer, no plugin import
and no entry-point scan.

Building the full command line means importing typer (about 100 ms here), pluggy and ``importlib.metadata``
and every installed plugin. The top-level help only depends on what is installed, so the text rendered by
typer is stored, keyed by a fingerprint that changes whenever anything that could change it changes (the
approach of stevedore's entry-point cache):

- the interpreter (``sys.executable``), ``sys.path`` and the modification time of every ``sys.path`` folder
  (installing or removing a distribution adds or removes a ``*.dist-info`` folder there);
- the modification time of the core's CLI module and of every plugin module that was loaded;
- ``ZAPPA_DISABLE_PLUGINS``, the zappa-ng-core version and the help width (the terminal's columns, at most 80).

A miss (or ``ZAPPA_NO_CACHE=1``) builds the real typer app, prints its help and stores it. The cache lives in
``$ZAPPA_CACHE_DIR``, else ``$XDG_CACHE_HOME/zappa``, else ``~/.cache/zappa``; failing to write it is silent.
This module imports only the standard library's cheapest modules.
"""

from __future__ import annotations

import os
import sys
from typing import Any

FORMAT = 1


def help_width() -> int:
    """The width click formats help for: the terminal's columns (``COLUMNS`` first), at most 80."""
    columns = 0
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (AttributeError, ValueError, OSError):
            columns = 80
    return min(columns or 80, 80)


def cache_dir() -> str:
    explicit = os.environ.get("ZAPPA_CACHE_DIR")
    if explicit:
        return explicit
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "zappa")


def _cache_file() -> str:
    import zlib

    tag = zlib.crc32(f"{sys.executable}|{sys.prefix}".encode()) & 0xFFFFFFFF
    return os.path.join(cache_dir(), f"cli-help-{tag:08x}.json")


def _mtime(path: str) -> int:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return -1


def fingerprint() -> list:
    from zappa_core import __version__

    return [
        FORMAT,
        __version__,
        sys.executable,
        os.environ.get("ZAPPA_DISABLE_PLUGINS", ""),
        help_width(),
        [[p, _mtime(p or ".")] for p in sys.path],
    ]


def enabled() -> bool:
    return not os.environ.get("ZAPPA_NO_CACHE")


def cached_help() -> str | None:
    """The stored top-level help text when it is still valid, else ``None``."""
    if not enabled():
        return None
    import json

    try:
        with open(_cache_file(), encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        return None
    if data.get("key") != fingerprint():
        return None
    for path, mtime in data.get("files", []):
        if _mtime(path) != mtime:
            return None
    text = data.get("help")
    return text if isinstance(text, str) else None


def store_help(text: str, files: list[str]) -> None:
    """Store the top-level help text, valid while the fingerprint and ``files`` are unchanged."""
    if not enabled():
        return
    import json
    import tempfile

    target = _cache_file()
    data = {"key": fingerprint(), "files": [[f, _mtime(f)] for f in sorted(set(files))], "help": text}
    try:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(target), prefix=".cli-help-")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh)
        os.replace(tmp, target)
    except OSError:
        pass


def help_sources(pm: Any) -> list[str]:
    """Source files whose change must invalidate the cached ``--help`` text: the command line's modules, the
    core's ``__init__`` and every registered plugin's module."""
    import inspect

    here = os.path.dirname(__file__)
    files = [os.path.join(here, name) for name in ("cli.py", "cli_options.py", "cli_plugins.py")]
    files.append(sys.modules["zappa_core"].__file__ or "")
    for _name, plugin in pm.list_name_plugin():
        try:
            files.append(inspect.getfile(plugin if inspect.ismodule(plugin) else type(plugin)))
        except (TypeError, OSError):
            continue
    return [f for f in files if f]
