"""Bytecode compiled at package time, so that a cold start imports instead of compiling.

Lambda's ``/var/task`` is read-only: a module shipped as source only is compiled again at every cold start.
A ``.py`` gets ``__pycache__/<name>.cpython-3X.pyc`` beside it, the source kept for tracebacks, in PEP 552's
hash-based form, which does not depend on timestamps (the zip's are fixed):

- the runtime's own modules, in every package: *checked*, so Python reads and hashes the source before it
  uses the bytecode, and a source changed after the build (the console's code editor, a ``zip`` callback)
  is compiled as it is; for a few dozen files that costs nothing measurable;
- with ``compile_bytecode``, every module (the runtime's included): *unchecked*, so the import system uses the
  bytecode without reading or even stating the source, for the thousands of files of a framework.

Bytecode is specific to a Python minor version, so it is compiled only when the building interpreter's version
is the target's. Compiled files are kept in the build cache under the source's hash, so an update recompiles
only what changed.
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


def compile_pyc(source: bytes, filename: str, checked: bool = False) -> bytes | None:
    """The hash-based ``.pyc`` bytes of ``source``, or None when it does not compile (a template or a file for
    another Python that happens to end in ``.py``: it ships as it is, as Python would load it)."""
    from importlib._bootstrap_external import _code_to_hash_pyc  # the format importlib itself writes

    try:
        code = compile(source, filename, "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        return None
    return bytes(_code_to_hash_pyc(code, importlib.util.source_hash(source), checked=checked))


class BytecodeCache:
    """Compiled files under ``folder``, keyed by the file name, the source's hash and the kind of bytecode."""

    def __init__(self, folder: Path | None, checked: bool = False) -> None:
        self.folder = folder
        self.checked = checked

    def get(self, arcname: str, source: bytes) -> bytes | None:
        kind = b"checked\0" if self.checked else b""  # no zip name holds a NUL: the two kinds never share a key
        key = hashlib.sha256(kind + arcname.encode() + b"\0" + source).hexdigest()
        path = self.folder / key[:2] / f"{key}.pyc" if self.folder is not None else None
        if path is not None:
            try:
                return path.read_bytes() or None
            except OSError:
                pass
        data = compile_pyc(source, TASK_ROOT + arcname, self.checked)
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
                  wanted: Callable[[str], bool] | None = None, checked: bool = False) -> list[Entry]:
    """``entries`` and, for each ``.py`` among them (those whose name ``wanted`` accepts, if given), its
    compiled ``.pyc`` (when it compiles)."""
    cache = BytecodeCache(cache_dir / "bytecode" / cache_tag(python) if cache_dir is not None else None, checked)
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
