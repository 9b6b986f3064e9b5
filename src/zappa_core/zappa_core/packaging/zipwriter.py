"""Deterministic archives: sorted names, fixed timestamps, owners and modes, so the same files give the
same bytes and the same sha256 on every build."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import shutil
import tarfile
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from zappa_core.packaging.entries import Entry

ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip can hold
TAR_MTIME = 315532800  # the same instant (1980-01-01T00:00:00Z) for the slim tarball
LEVEL = 6
BIG_ARCHIVE_FILES = 1000
KEEP_AT_MOST = 128 * 1024 * 1024  # the build memo keeps a copy of archives up to this size  # writing takes a second or more from here on: worth a progress bar
# Already-compressed formats are stored, not deflated again: same size, less time.
STORED_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".ico", ".gz", ".bz2", ".xz", ".zst",
                   ".zip", ".whl", ".woff", ".woff2", ".mp3", ".mp4", ".pdf")


@dataclass(frozen=True)
class Written:
    path: Path
    sha256: str
    size: int
    files: int
    unpacked: int
    unchanged: bool


def file_sha256(path: Path) -> str | None:
    try:
        with open(path, "rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except (FileNotFoundError, IsADirectoryError):
        return None


def _zip_bytes(entries: list[Entry], out, advance: Callable[[int], None]) -> int:
    unpacked = 0
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=LEVEL) as archive:
        for entry in entries:
            info = zipfile.ZipInfo(entry.arcname, ZIP_DATE)
            info.create_system = 3  # Unix, so the mode bits below are honoured
            info.external_attr = (0o100000 | entry.mode) << 16
            stored = entry.arcname.lower().endswith(STORED_SUFFIXES)
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            data = entry.read()
            unpacked += len(data)
            archive.writestr(info, data, compresslevel=None if stored else LEVEL)
            advance(1)
    return unpacked


def _tar_gz_bytes(entries: list[Entry], out, advance: Callable[[int], None]) -> int:
    unpacked = 0
    with gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=0, compresslevel=LEVEL) as gz, \
            tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for entry in entries:
            data = entry.read()
            unpacked += len(data)
            info = tarfile.TarInfo(entry.arcname)
            info.size = len(data)
            info.mtime = TAR_MTIME
            info.mode = entry.mode
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            tar.addfile(info, io.BytesIO(data))
            advance(1)
    return unpacked


def _fingerprint(entries: list[Entry], kind: str) -> str:
    """What determines the archive's bytes: the entries' names, modes and contents, the format and the
    compressor (zlib's version and level)."""
    import platform
    import zlib

    from zappa_core.packaging.entries import content_hash

    return hashlib.sha256(f"{content_hash(entries)}|{kind}|{LEVEL}|{zlib.ZLIB_RUNTIME_VERSION}|"
                          f"{platform.python_version()}|v1".encode()).hexdigest()


def _memo_path(memo_dir: Path, path: Path) -> Path:
    return memo_dir / f"{hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:32]}.json"


def _kept_path(memo_dir: Path, path: Path) -> Path:
    return _memo_path(memo_dir, path).with_suffix(".archive")


def _recall(memo_dir: Path | None, path: Path, fingerprint: str, count: int) -> Written | None:
    """The archive at ``path`` when a previous build of the same fingerprint wrote exactly its bytes, put
    back from the copy the memo keeps when ``path`` is gone or holds other bytes (``delete_local_zip``
    removes it after each deploy)."""
    if memo_dir is None:
        return None
    try:
        memo = json.loads(_memo_path(memo_dir, path).read_text())
    except (OSError, ValueError):
        return None
    if memo.get("fingerprint") != fingerprint:
        return None
    unchanged = file_sha256(path) == memo.get("sha256")
    if not unchanged:
        kept = _kept_path(memo_dir, path)
        if file_sha256(kept) != memo.get("sha256") or not _place(kept, path):
            return None
    return Written(path, memo["sha256"], path.stat().st_size, count, memo.get("unpacked", 0), unchanged)


def _place(source: Path, target: Path) -> bool:
    """``target`` holds ``source``'s bytes (a hard link where possible, else a copy), replaced atomically."""
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp.unlink(missing_ok=True)
        try:
            os.link(source, tmp)
        except OSError:
            shutil.copyfile(source, tmp)
        os.replace(tmp, target)
        return True
    except OSError:
        tmp.unlink(missing_ok=True)
        return False


def _remember(memo_dir: Path | None, written: Written, fingerprint: str) -> None:
    if memo_dir is None:
        return
    memo = _memo_path(memo_dir, written.path)
    try:
        memo.parent.mkdir(parents=True, exist_ok=True)
        tmp = memo.with_name(f".{memo.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"fingerprint": fingerprint, "sha256": written.sha256, "unpacked": written.unpacked,
                                   "path": str(written.path)}))
        os.replace(tmp, memo)
        kept = _kept_path(memo_dir, written.path)
        if written.size > KEEP_AT_MOST or not _place(written.path, kept):
            kept.unlink(missing_ok=True)
    except OSError:
        pass  # a read-only cache only costs speed


def write_archive(path: Path, entries: Iterable[Entry], kind: str = "zip", memo_dir: Path | None = None,
                  progress: bool = False) -> Written:
    """Write ``entries`` as a zip (or ``kind="tar.gz"``) to ``path``, atomically.

    With ``progress``, an archive of at least :data:`BIG_ARCHIVE_FILES` files shows a bar on the terminal.

    When ``path`` already holds exactly these bytes it is left untouched and ``unchanged`` is true. With
    ``memo_dir``, a build whose fingerprint (names, modes, contents, compressor) matches the one that
    wrote the file's current bytes skips compressing altogether.
    """
    ordered = sorted(entries, key=lambda e: e.arcname)
    fingerprint = _fingerprint(ordered, kind) if memo_dir is not None else ""
    recalled = _recall(memo_dir, path, fingerprint, len(ordered))
    if recalled is not None:
        return recalled
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        from zappa_core.progress import bar

        with open(tmp, "wb") as out, bar("writing", path.name, len(ordered), unit="files",
                                         show=progress and len(ordered) >= BIG_ARCHIVE_FILES) as advance:
            unpacked = (_zip_bytes if kind == "zip" else _tar_gz_bytes)(ordered, out, advance)
        sha = file_sha256(tmp)
        unchanged = file_sha256(path) == sha
        if unchanged:
            tmp.unlink()
        else:
            os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    written = Written(path, sha, path.stat().st_size, len(ordered), unpacked, unchanged)
    _remember(memo_dir, written, fingerprint)
    return written
