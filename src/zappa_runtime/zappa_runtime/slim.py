"""``slim_handler``: fetch the project archive from S3 at cold start and extract it safely into ``/tmp/<project>``,
once per container (a warm ``/tmp`` holding the same archive is reused).

Every member is checked before it is written: no absolute names, no ``..``, no link that points outside the
project folder, no devices or FIFOs (and, where Python has it, tarfile's ``data`` filter on top). A bad archive
raises :class:`UnsafeArchiveError` and nothing of it is used; an archive whose SHA-256 is not the one
recorded in the manifest raises :class:`ArchiveMismatchError`; a project larger than ``/tmp`` (the stage's
``ephemeral_storage``, or the space free there) raises :class:`ArchiveSpaceError` before anything is downloaded.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tarfile
import time
from collections.abc import Callable
from typing import IO, Any, cast

DONE_MARKER = ".zappa-slim-archive"


class UnsafeArchiveError(RuntimeError):
    """A member of the slim archive would land outside the project folder (path traversal) or is not a plain
    file, folder or in-folder link."""


class ArchiveSpaceError(RuntimeError):
    """The project does not fit into ``/tmp`` (Lambda's ``ephemeral_storage``)."""


MIB = 1024 * 1024


def slim_root() -> str:
    """``/tmp`` on Lambda (the local executor gives each worker a ``/tmp`` of its own through ``TMPDIR``)."""
    return os.environ.get("ZAPPA_SLIM_ROOT") or os.environ.get("TMPDIR") or "/tmp"


def slim_folder(settings: dict[str, Any]) -> str:
    base = slim_root()
    project = str(settings.get("project_name") or "project").replace("/", "_").replace("\\", "_").lstrip(".")
    return os.path.join(base, project or "project")


class ArchiveMismatchError(RuntimeError):
    """The archive in S3 is not the one this package was built with (its SHA-256 differs from the manifest's).

    The key is content-addressed (``<function>/<sha256>.tar.gz``), so this means the object was replaced or
    damaged in S3; the function must not run a project it was not built with."""


class _HashingReader:
    """A read-only stream that hashes what is read through it."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.digest.update(data)
        return data

    def drain(self) -> str:
        """Read what the tar reader left (padding, gzip trailer); the hex digest of the whole object."""
        while self.read(1 << 16):
            pass
        return self.digest.hexdigest()


def load_slim_archive(settings: dict[str, Any], s3_client_factory: Callable[[dict[str, Any]], Any]) -> str:
    """Make sure the project archive is extracted; return its folder (to put first on ``sys.path``).

    When the manifest holds ``slim_archive_sha256`` (``zappa package`` writes it), the downloaded archive must
    have that digest: another build's archive raises :class:`ArchiveMismatchError` and is not used. A folder
    already extracted in this sandbox (warm ``/tmp``) is reused only when it came from the same URL and digest.
    """
    from zappa_runtime.coldstart import parse_s3_url

    url = settings.get("slim_archive")
    if not url:
        raise RuntimeError("slim_handler is on but the manifest has no 'slim_archive' (s3://bucket/key.tar.gz)")
    expected = settings.get("slim_archive_sha256") or ""
    stamp = f"{url}\n{expected}" if expected else url
    folder = slim_folder(settings)
    marker = os.path.join(folder, DONE_MARKER)
    try:
        with open(marker, encoding="utf-8") as fh:
            if fh.read() == stamp:
                return folder  # a warm /tmp from an earlier init of this sandbox
    except OSError:
        pass
    started = time.perf_counter()
    bucket, key = parse_s3_url(url)
    shutil.rmtree(folder, ignore_errors=True)  # another build's project: its space is needed
    unpacked = int(settings.get("slim_archive_unpacked") or 0)
    check_space(settings, unpacked)
    body = _HashingReader(s3_client_factory(settings).get_object(Bucket=bucket, Key=key)["Body"])
    partial = f"{folder}.partial-{os.getpid()}"
    shutil.rmtree(partial, ignore_errors=True)
    os.makedirs(partial)
    try:
        extract_tar_stream(cast("IO[bytes]", body), partial, limit=unpacked or None)  # a stream: read() is enough
        got = body.drain()
        if expected and got != expected:
            raise ArchiveMismatchError(
                f"slim archive {url} does not match the package (sha256 {got}, the package expects {expected}): "
                "the object was replaced in S3; run 'zappa update' to upload the project archive again"
            )
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    with open(os.path.join(partial, DONE_MARKER), "w", encoding="utf-8") as fh:
        fh.write(stamp)
    shutil.rmtree(folder, ignore_errors=True)
    os.replace(partial, folder)
    logging.getLogger("zappa.runtime").info(
        "slim_handler: project archive %s (%.1f MiB unpacked) extracted into %s in %.0f ms",
        url, unpacked / MIB, folder, (time.perf_counter() - started) * 1000)
    return folder


def check_space(settings: dict[str, Any], unpacked: int) -> None:
    """Raise :class:`ArchiveSpaceError` when ``unpacked`` bytes cannot fit into ``/tmp``: more than the stage's
    ``ephemeral_storage`` (the size of Lambda's ``/tmp``) or more than is free there now."""
    if not unpacked:
        return
    size_mib = int((settings.get("ephemeral_storage") or {}).get("Size") or 512)
    base = slim_root()
    free = shutil.disk_usage(base).free
    if unpacked <= size_mib * MIB and unpacked <= free:
        return
    need_mib = -(-unpacked // MIB)
    where = (f"ephemeral_storage is {size_mib} MiB" if unpacked > size_mib * MIB
             else f"{base} has {free // MIB} MiB free")
    suggestion = min(10240, max(need_mib + 128, size_mib * 2))
    raise ArchiveSpaceError(
        f"slim_handler: the project unpacks to {need_mib} MiB and does not fit into {base} ({where}); "
        f'set "ephemeral_storage": {{"Size": {suggestion}}} in the stage\'s settings (512 to 10240 MiB)'
    )


class _Extractor:
    """Writes the members of one archive into ``dest`` (a folder of its own), checking each one first.

    The real path of each member's folder is resolved once and remembered (until a link is written, which
    could change it): resolving every member's full path costs more than extracting it."""

    def __init__(self, dest: str) -> None:
        self.dest = dest
        self.real_dest = os.path.realpath(dest)
        self._folders: dict[str, str] = {}
        self._made: set[str] = set()

    def _inside(self, path: str) -> bool:
        return path == self.real_dest or path.startswith(self.real_dest + os.sep)

    def _real_folder(self, folder: str) -> str:
        real = self._folders.get(folder)
        if real is None:
            real = self._folders[folder] = os.path.realpath(os.path.join(self.real_dest, folder))
        return real

    def check(self, member: tarfile.TarInfo) -> str:
        """The real path ``member`` would be written to; :class:`UnsafeArchiveError` unless it stays inside."""
        name = member.name
        if not name or name.startswith(("/", "\\")) or os.path.isabs(name) or (len(name) > 1 and name[1] == ":"):
            raise UnsafeArchiveError(f"slim archive member {name!r} has an absolute path")
        parts = name.replace("\\", "/").split("/")
        if ".." in parts:
            raise UnsafeArchiveError(f"slim archive member {name!r} escapes the project folder ('..')")
        folder = self._real_folder("/".join(p for p in parts[:-1] if p not in ("", ".")))
        target = os.path.join(folder, parts[-1]) if parts[-1] not in ("", ".") else folder
        if not self._inside(folder) or not self._inside(target):
            raise UnsafeArchiveError(f"slim archive member {name!r} escapes the project folder")
        if member.issym() or member.islnk():
            link = member.linkname
            if os.path.isabs(link):
                raise UnsafeArchiveError(f"slim archive link {name!r} points to an absolute path {link!r}")
            base = folder if member.issym() else self.real_dest
            if not self._inside(os.path.realpath(os.path.join(base, link))):
                raise UnsafeArchiveError(f"slim archive link {name!r} points outside the project folder ({link!r})")
        elif not (member.isfile() or member.isdir()):
            raise UnsafeArchiveError(f"slim archive member {name!r} is not a regular file, folder or link")
        return target

    def _makedirs(self, folder: str) -> None:
        if folder not in self._made:
            os.makedirs(folder, exist_ok=True)
            self._made.add(folder)

    def write(self, tar: tarfile.TarFile, member: tarfile.TarInfo, target: str) -> None:
        """Write one checked member: plain modes only (no setuid, group or world write), never through a link."""
        if member.isdir():
            self._makedirs(target)
            return
        self._makedirs(os.path.dirname(target))
        if os.path.lexists(target):
            os.unlink(target)  # a later member of the same name wins; a link there is replaced, not followed
        if member.issym():
            os.symlink(member.linkname, target)
            self._folders.clear()  # a link may change where names below it resolve
            self._made.clear()
        elif member.islnk():
            os.link(os.path.join(self.real_dest, member.linkname), target)
        else:
            source = tar.extractfile(member)
            if source is None:  # check() lets through only files, folders and links, handled above
                raise UnsafeArchiveError(f"slim archive member {member.name!r} is not a regular file")
            descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0),
                                 (member.mode & 0o755) | 0o600)
            with os.fdopen(descriptor, "wb") as out:
                shutil.copyfileobj(source, out, 1 << 20)


def check_member(member: tarfile.TarInfo, dest: str) -> None:
    """Raise :class:`UnsafeArchiveError` unless ``member`` stays inside ``dest``."""
    _Extractor(dest).check(member)


def extract_tar_stream(fileobj: IO[bytes], dest: str, limit: int | None = None) -> None:
    """Extract a (gzip) tar stream into ``dest``, member by member, refusing any unsafe member, and any
    archive whose files add up to more than ``limit`` bytes (the size its manifest recorded)."""
    extractor = _Extractor(dest)
    total = 0
    with tarfile.open(fileobj=fileobj, mode="r|*") as tar:
        for member in tar:
            target = extractor.check(member)
            total += member.size if member.isfile() else 0
            if limit is not None and total > limit:
                raise UnsafeArchiveError(f"slim archive holds more than the {limit} bytes its manifest records "
                                         f"(at {member.name!r}): not the archive this package was built with")
            extractor.write(tar, member, target)
