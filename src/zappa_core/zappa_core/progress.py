"""Progress bars on stderr, sized to fit an 80-column terminal: the upload of a package and the writing of a
big zip. They are drawn only on a terminal (rich draws nothing elsewhere) and vanish when done."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

LABEL_WIDTH = 18
BAR_WIDTH = 20


def short_label(name: str) -> str:
    """``name`` (a file name or S3 key) cut to at most :data:`LABEL_WIDTH` characters: the last part of the
    path, and for a long one (a 64-hex content key) its start and its extension."""
    name = name.rsplit("/", 1)[-1]
    if len(name) <= LABEL_WIDTH:
        return name
    stem, dot, suffix = name.rpartition(".")
    if not dot or len(suffix) > 5:
        stem, suffix = name, ""
    tail = f"….{suffix}" if suffix else "…"
    return stem[: LABEL_WIDTH - len(tail)] + tail


def columns(verb: str, unit: str) -> list[Any]:
    """The columns of a bar: ``verb label``, the bar, then bytes done/total and speed, or files done/total."""
    from rich.progress import BarColumn, DownloadColumn, MofNCompleteColumn, TextColumn, TransferSpeedColumn

    text = TextColumn(f"  {verb} {{task.description:<{LABEL_WIDTH}}}")
    if unit == "bytes":
        return [text, BarColumn(bar_width=BAR_WIDTH), DownloadColumn(), TransferSpeedColumn()]
    return [text, BarColumn(bar_width=BAR_WIDTH), MofNCompleteColumn(), TextColumn("files")]


@contextlib.contextmanager
def bar(verb: str, name: str, total: int, unit: str = "bytes", show: bool = True) -> Iterator[Callable[[int], None]]:
    """Yields ``advance(n)``; with ``show``, a bar ``verb name`` of ``total`` bytes (or files) is drawn."""
    if not show:
        yield lambda n: None
        return
    from rich.progress import Progress

    from zappa_core.color import console

    with Progress(*columns(verb, unit), console=console(), transient=True, expand=False) as progress:
        task = progress.add_task(short_label(name), total=total)
        yield lambda n: progress.update(task, advance=n)
