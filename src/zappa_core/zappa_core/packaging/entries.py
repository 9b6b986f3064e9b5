"""One file of a package: its name in the archive, its mode and where its bytes come from."""

from __future__ import annotations

import hashlib
import stat
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

FILE_MODE = 0o644
EXEC_MODE = 0o755


@dataclass(frozen=True)
class Entry:
    """``arcname`` is a POSIX path relative to the archive root; ``read()`` returns the bytes.

    ``origin`` says where it came from, for messages: ``project``, ``dependency <name>``, ``plugin <name>``.
    ``source`` is the file its bytes are read from (a wheel for a wheel's member), when there is one.
    """

    arcname: str
    read: Callable[[], bytes]
    mode: int = FILE_MODE
    origin: str = "project"
    size_hint: int = 0
    source: Path | None = None


def file_entry(arcname: str, path: Path, origin: str, st_mode: int | None = None, size: int = 0) -> Entry:
    """An entry read from ``path``; ``st_mode`` and ``size`` from a ``stat`` the caller already made."""
    if st_mode is None:
        st = path.stat()
        st_mode, size = st.st_mode, st.st_size
    mode = EXEC_MODE if st_mode & (stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH) else FILE_MODE
    return Entry(arcname, path.read_bytes, mode, origin, size, path)


def data_entry(arcname: str, data: bytes, origin: str, mode: int = FILE_MODE) -> Entry:
    return Entry(arcname, lambda: data, EXEC_MODE if mode & 0o111 else FILE_MODE, origin, len(data))


class WheelReader:
    """Open wheels once per build and hand out entries that read their members."""

    def __init__(self) -> None:
        self._open: dict[Path, zipfile.ZipFile] = {}

    def archive(self, path: Path) -> zipfile.ZipFile:
        if path not in self._open:
            self._open[path] = zipfile.ZipFile(path)
        return self._open[path]

    def entry(self, arcname: str, wheel: Path, member: zipfile.ZipInfo, origin: str) -> Entry:
        archive = self.archive(wheel)
        unix_mode = member.external_attr >> 16
        mode = EXEC_MODE if unix_mode & 0o111 else FILE_MODE
        return Entry(arcname, lambda: archive.read(member), mode, origin, member.file_size, wheel)

    def close(self) -> None:
        for archive in self._open.values():
            archive.close()
        self._open.clear()


def content_hash(entries: Iterable[Entry]) -> str:
    """sha256 over the sorted (name, mode, sha256 of bytes) of ``entries``: what the package holds,
    independent of how it is compressed."""
    digest = hashlib.sha256()
    for entry in sorted(entries, key=lambda e: e.arcname):
        data = entry.read()
        digest.update(f"{entry.arcname}\0{entry.mode:o}\0{hashlib.sha256(data).hexdigest()}\n".encode())
    return digest.hexdigest()


def merge(layers: Iterable[Iterable[Entry]]) -> tuple[dict[str, Entry], list[str]]:
    """Merge groups of entries, later groups winning; returns the entries by name and clash messages.

    The builder passes dependencies, then the project, then plugin includes: the runtime's ``handler.py``
    replaces a project file of that name, and a project module shadows a dependency's, as on ``sys.path``.
    """
    merged: dict[str, Entry] = {}
    clashes: list[str] = []
    for group in layers:
        for entry in group:
            previous = merged.get(entry.arcname)
            if previous is not None and previous.origin != entry.origin:
                clashes.append(f"{entry.arcname}: {entry.origin} replaces {previous.origin}")
            merged[entry.arcname] = entry
    return merged, clashes
