"""The packaging context: what a ``zappa_build_package`` call needs besides the stage settings.

The provisioning commands (``deploy``, ``update``) and ``zappa package`` call
``pm.hook.zappa_build_package(settings=settings, context=PackageContext(...))``; plugins that contribute
files through ``zappa_package_include(settings, context)`` receive the same object.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zappa_core.errors import ZappaError


class PackagingError(ZappaError):
    """The package cannot be built (a missing Lambda wheel, a failing prebuild script, ...): exit 1."""

    exit_code = 1


def default_cache_dir() -> Path:
    """``$ZAPPA_CACHE_DIR``, else ``$XDG_CACHE_HOME/zappa``, else ``~/.cache/zappa``."""
    if os.environ.get("ZAPPA_CACHE_DIR"):
        return Path(os.environ["ZAPPA_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "zappa"


@dataclass
class PackageContext:
    """Inputs of one build, and what the build learned on the way.

    - ``project_dir``: the folder whose files are packaged (the folder of the settings file).
    - ``output``: where to write the zip; ``None`` means ``<project_dir>/.zappa/build/<function_name>.zip``.
    - ``quiet``: print nothing but errors; ``echo`` prints one line (the CLI's, or ``print``).
    - ``pm``: the plugin manager (blocked plugins' runtime modules are left out); ``command``: the CLI
      context handed to the ``zip`` callback (``None`` when called from code).
    - ``progress``: show spinners for long steps (pip downloads) when not quiet.
    - ``cache_dir``: the checked wheel cache (default: :func:`default_cache_dir`).

    Filled in during the build: ``entries`` (the files collected so far, by zip name, visible to
    ``zappa_package_include`` implementations), ``fetched`` (wheels that had to be downloaded),
    ``dependency_rule`` (which rule chose the dependencies), ``notes`` (warnings for the summary),
    ``manifest_extra`` (keys the builder adds to the manifest's settings, e.g. ``slim_archive``) and
    ``runtime_files`` (the zip names of the runtime's own files, which ship with their bytecode).
    """

    project_dir: Path
    output: Path | None = None
    quiet: bool = False
    echo: Callable[[str], None] = print
    pm: Any = None
    command: Any = None
    progress: bool = True
    cache_dir: Path | None = None
    entries: dict[str, Any] = field(default_factory=dict)
    fetched: list[str] = field(default_factory=list)
    dependency_rule: str = ""
    notes: list[str] = field(default_factory=list)
    manifest_extra: dict[str, Any] = field(default_factory=dict)
    runtime_files: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.project_dir = Path(self.project_dir).resolve()
        if self.output is not None:
            self.output = Path(self.output).resolve()
        if self.cache_dir is None:
            self.cache_dir = default_cache_dir()

    def say(self, message: str) -> None:
        if not self.quiet:
            self.echo(message)

    def warn(self, message: str) -> None:
        self.notes.append(message)
        if not self.quiet:
            self.echo(f"warning: {message}")

    @property
    def shows_progress(self) -> bool:
        """Spinners and bars are drawn: not quiet, progress not disabled, and stderr is a terminal."""
        import sys

        return not self.quiet and self.progress and sys.stderr.isatty()

    @contextlib.contextmanager
    def step(self, description: str) -> Iterator[None]:
        """A long step: a rich spinner on a terminal, nothing when quiet or not interactive."""
        if self.quiet or not self.progress:
            yield
            return
        from zappa_core.color import console as color_console

        console = color_console()
        if not console.is_terminal:
            yield
            return
        with console.status(description):
            yield
