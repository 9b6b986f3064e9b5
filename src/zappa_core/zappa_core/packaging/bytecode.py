"""``compile_bytecode``: ``.pyc`` files compiled at package time, so that a cold start imports instead of compiling.

Lambda's ``/var/task`` is read-only: a module shipped as source only is compiled again at every cold start.
Each ``.py`` of the package gets ``__pycache__/<name>.cpython-3X.pyc`` beside it, the source kept for tracebacks.
The bytecode is *unchecked-hash* (PEP 552): it does not depend on timestamps (the zip's are fixed), and the
import system uses it without reading or stating the source. Bytecode is specific to a Python minor version, so
it is compiled only when the building interpreter's version is the target's. Compiled files are kept in the
build cache under the source's hash, so an update recompiles only what changed.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

from zappa_core.packaging.entries import FILE_MODE, Entry

TASK_ROOT = "/var/task/"  # where Lambda unpacks the zip: the file name the bytecode records


def cache_tag(python: tuple[int, int]) -> str:
    return f"cpython-{python[0]}{python[1]}"


def can_compile_for(python: tuple[int, int]) -> bool:
    return sys.implementation.name == "cpython" and tuple(sys.version_info[:2]) == tuple(python)


def pyc_name(arcname: str, python: tuple[int, int]) -> str:
    folder, _, name = arcname.rpartition("/")
    return f"{folder + '/' if folder else ''}__pycache__/{name[:-3]}.{cache_tag(python)}.pyc"


def compile_unchecked(source: bytes, filename: str) -> bytes | None:
    """The unchecked-hash ``.pyc`` bytes of ``source``, or None when it does not compile (a template or a
    file for another Python that happens to end in ``.py``: it ships as it is, as Python would load it)."""
    from importlib._bootstrap_external import _code_to_hash_pyc  # the format importlib itself writes

    try:
        code = compile(source, filename, "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        return None
    return bytes(_code_to_hash_pyc(code, importlib.util.source_hash(source), checked=False))


class BytecodeCache:
    """Compiled files under ``folder``, keyed by the file name and the source's hash."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder

    def get(self, arcname: str, source: bytes) -> bytes | None:
        key = hashlib.sha256(arcname.encode() + b"\0" + source).hexdigest()
        path = self.folder / key[:2] / f"{key}.pyc" if self.folder is not None else None
        if path is not None:
            try:
                return path.read_bytes() or None
            except OSError:
                pass
        data = compile_unchecked(source, TASK_ROOT + arcname)
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")  # two builds at once: one file each
                tmp.write_bytes(data or b"")  # an empty file remembers "does not compile"
                tmp.replace(path)
            except OSError:
                pass  # a read-only cache only costs time
        return data


def with_bytecode(entries: Iterable[Entry], python: tuple[int, int], cache_dir: Path | None,
                  wanted: Callable[[str], bool] | None = None) -> list[Entry]:
    """``entries`` and, for each ``.py`` among them (those whose name ``wanted`` accepts, if given), its
    compiled ``.pyc`` (when it compiles)."""
    cache = BytecodeCache(cache_dir / "bytecode" / cache_tag(python) if cache_dir is not None else None)
    out = list(entries)
    names = {entry.arcname for entry in out}
    compiled: list[Entry] = []
    for entry in out:
        if not entry.arcname.endswith(".py") or (wanted is not None and not wanted(entry.arcname)):
            continue
        target = pyc_name(entry.arcname, python)
        if target in names:
            continue
        data = cache.get(entry.arcname, entry.read())
        if data is not None:
            compiled.append(Entry(target, lambda data=data: data, FILE_MODE, entry.origin, len(data), entry.source))
    return out + compiled
