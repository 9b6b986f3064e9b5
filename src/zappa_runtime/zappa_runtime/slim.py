"""``slim_handler``: fetch the project archive from S3 at cold start and extract it safely into ``/tmp/<project>``.

Every member is checked before it is written: no absolute names, no ``..``, no link that points outside the
project folder, no devices or FIFOs (and, where Python has it, tarfile's ``data`` filter on top). A bad archive
raises :class:`UnsafeArchiveError` and nothing of it is used; an archive whose SHA-256 is not the one
recorded in the manifest raises :class:`ArchiveMismatchError`.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tarfile
from collections.abc import Callable
from typing import IO, Any

DONE_MARKER = ".zappa-slim-archive"


class UnsafeArchiveError(RuntimeError):
    """A member of the slim archive would land outside the project folder (path traversal) or is not a plain
    file, folder or in-folder link."""


def slim_folder(settings: dict) -> str:
    base = os.environ.get("ZAPPA_SLIM_ROOT") or "/tmp"
    project = str(settings.get("project_name") or "project").replace("/", "_").replace("\\", "_").lstrip(".")
    return os.path.join(base, project or "project")


class ArchiveMismatchError(RuntimeError):
    """The archive in S3 is not the one this package was built with (its SHA-256 differs from the manifest's).

    The S3 key is the same for every deployment, so an older version of the function (a rollback, an alias)
    would otherwise run whatever project was uploaded last."""


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


def load_slim_archive(settings: dict, s3_client_factory: Callable[[dict], Any]) -> str:
    """Make sure the project archive is extracted; return its folder (to put first on ``sys.path``).

    When the manifest holds ``slim_archive_sha256`` (``zappa package`` writes it), the downloaded archive must
    have that digest: another build's archive raises :class:`ArchiveMismatchError` and is not used. A folder
    already extracted in this sandbox (warm ``/tmp``) is reused only when it came from the same URL and digest.
    """
    from zappa_runtime.runtime import parse_s3_url

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
    bucket, key = parse_s3_url(url)
    body = _HashingReader(s3_client_factory(settings).get_object(Bucket=bucket, Key=key)["Body"])
    partial = f"{folder}.partial-{os.getpid()}"
    shutil.rmtree(partial, ignore_errors=True)
    os.makedirs(partial)
    try:
        extract_tar_stream(body, partial)
        got = body.drain()
        if expected and got != expected:
            raise ArchiveMismatchError(
                f"slim archive {url} does not match the package (sha256 {got}, the package expects {expected}): "
                "it was overwritten by another deployment; redeploy this version or update the function"
            )
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    with open(os.path.join(partial, DONE_MARKER), "w", encoding="utf-8") as fh:
        fh.write(stamp)
    shutil.rmtree(folder, ignore_errors=True)
    os.replace(partial, folder)
    return folder


def check_member(member: tarfile.TarInfo, dest: str) -> None:
    """Raise :class:`UnsafeArchiveError` unless ``member`` stays inside ``dest``."""
    name = member.name
    if not name or name.startswith(("/", "\\")) or os.path.isabs(name) or (len(name) > 1 and name[1] == ":"):
        raise UnsafeArchiveError(f"slim archive member {name!r} has an absolute path")
    parts = name.replace("\\", "/").split("/")
    if ".." in parts:
        raise UnsafeArchiveError(f"slim archive member {name!r} escapes the project folder ('..')")
    real_dest = os.path.realpath(dest)
    target = os.path.realpath(os.path.join(real_dest, name))
    if target != real_dest and not target.startswith(real_dest + os.sep):
        raise UnsafeArchiveError(f"slim archive member {name!r} escapes the project folder")
    if member.issym() or member.islnk():
        link = member.linkname
        if os.path.isabs(link):
            raise UnsafeArchiveError(f"slim archive link {name!r} points to an absolute path {link!r}")
        base = os.path.dirname(target) if member.issym() else real_dest
        resolved = os.path.realpath(os.path.join(base, link))
        if resolved != real_dest and not resolved.startswith(real_dest + os.sep):
            raise UnsafeArchiveError(f"slim archive link {name!r} points outside the project folder ({link!r})")
    elif not (member.isfile() or member.isdir()):
        raise UnsafeArchiveError(f"slim archive member {name!r} is not a regular file, folder or link")


def extract_tar_stream(fileobj: IO[bytes], dest: str) -> None:
    """Extract a (gzip) tar stream into ``dest``, member by member, refusing any unsafe member."""
    data_filter = getattr(tarfile, "data_filter", None)
    with tarfile.open(fileobj=fileobj, mode="r|*") as tar:
        for member in tar:
            check_member(member, dest)
            if data_filter is not None:
                try:
                    tar.extract(member, dest, filter="data")
                except tarfile.FilterError as exc:
                    raise UnsafeArchiveError(f"slim archive member {member.name!r} refused: {exc}") from exc
            else:  # pragma: no cover - Pythons without the extraction filters
                member.mode &= 0o755
                tar.extract(member, dest)
