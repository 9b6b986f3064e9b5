"""``slim_handler``: the project archive fetched from S3 (moto, in process) and extracted safely.

The archives are real gzip tarballs built here, with members a hostile or broken build could hold: ``..``,
absolute names, links leaving the folder, devices, FIFOs.
"""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import tarfile

import pytest
from zappa_runtime.coldstart import s3_client
from zappa_runtime.slim import (
    DONE_MARKER,
    ArchiveMismatchError,
    ArchiveSpaceError,
    UnsafeArchiveError,
    extract_tar_stream,
    load_slim_archive,
)

BUCKET = "slim-bucket"
KEY = "app-dev_current_project.tar.gz"
URL = f"s3://{BUCKET}/{KEY}"


def member(name: str, data: bytes = b"", **fields) -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o644
    for field, value in fields.items():
        setattr(info, field, value)
    if info.type != tarfile.REGTYPE:
        info.size = 0
    return info, data


def tarball(*members: tuple[tarfile.TarInfo, bytes]) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as tar:
        for info, data in members:
            tar.addfile(info, io.BytesIO(data) if info.type == tarfile.REGTYPE else None)
    return out.getvalue()


GOOD = tarball(
    member("app.py", b"VALUE = 'from the archive'\n"),
    member("pkg", type=tarfile.DIRTYPE, mode=0o755),
    member("pkg/__init__.py", b""),
    member("pkg/data.txt", b"hello"),
    member("pkg/alias.txt", type=tarfile.SYMTYPE, linkname="data.txt"),
    member("pkg/hard.txt", type=tarfile.LNKTYPE, linkname="pkg/data.txt"),
)


def extract(data: bytes, dest) -> None:
    extract_tar_stream(io.BytesIO(data), str(dest))


def test_a_plain_archive_is_extracted_with_its_in_folder_links(tmp_path):
    extract(GOOD, tmp_path)
    assert (tmp_path / "app.py").read_text() == "VALUE = 'from the archive'\n"
    assert (tmp_path / "pkg" / "alias.txt").is_symlink()
    assert (tmp_path / "pkg" / "alias.txt").read_text() == "hello"
    assert (tmp_path / "pkg" / "hard.txt").read_text() == "hello"


@pytest.mark.parametrize(
    "bad, message",
    [
        (member("../evil.py", b"x"), "escapes the project folder ('..')"),
        (member("pkg/../../evil.py", b"x"), "escapes the project folder ('..')"),
        (member("/tmp/evil.py", b"x"), "has an absolute path"),
        (member("link", type=tarfile.SYMTYPE, linkname="/etc/passwd"), "points to an absolute path '/etc/passwd'"),
        (member("link", type=tarfile.SYMTYPE, linkname="../outside"), "points outside the project folder"),
        (member("pkg/link", type=tarfile.SYMTYPE, linkname="../../outside"), "points outside the project folder"),
        (member("hard", type=tarfile.LNKTYPE, linkname="../outside"), "points outside the project folder"),
        (member("hard", type=tarfile.LNKTYPE, linkname="/etc/passwd"), "points to an absolute path"),
        (member("null", type=tarfile.CHRTYPE, devmajor=1, devminor=3), "is not a regular file, folder or link"),
        (member("disk", type=tarfile.BLKTYPE, devmajor=8, devminor=0), "is not a regular file, folder or link"),
        (member("pipe", type=tarfile.FIFOTYPE), "is not a regular file, folder or link"),
    ],
    ids=["dotdot", "nested-dotdot", "absolute", "symlink-absolute", "symlink-up", "nested-symlink-up",
         "hardlink-up", "hardlink-absolute", "char-device", "block-device", "fifo"],
)
def test_unsafe_members_are_refused_and_nothing_lands_outside(tmp_path, bad, message):
    dest = tmp_path / "project"
    dest.mkdir()
    with pytest.raises(UnsafeArchiveError, match=message.replace("(", r"\(").replace(")", r"\)")):
        extract(tarball(member("ok.py", b"1"), bad), dest)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["project"]
    assert not (tmp_path / "evil.py").exists()
    assert not any(p.is_symlink() or p.is_char_device() or p.is_block_device() or p.is_fifo()
                   for p in dest.rglob("*"))


def test_a_chain_of_links_cannot_escape(tmp_path):
    dest = tmp_path / "project"
    dest.mkdir()
    chain = tarball(member("up", type=tarfile.SYMTYPE, linkname="."),
                    member("up/out", type=tarfile.SYMTYPE, linkname=".."))
    with pytest.raises(UnsafeArchiveError, match="points outside the project folder"):
        extract(chain, dest)
    assert not (dest / "out").exists()


def test_a_member_written_through_a_link_to_the_outside_is_refused(tmp_path):
    dest = tmp_path / "project"
    dest.mkdir()
    (tmp_path / "outside").mkdir()
    (dest / "sub").symlink_to(tmp_path / "outside")  # the real path of each member is checked, not its name
    with pytest.raises(UnsafeArchiveError, match="escapes the project folder"):
        extract(tarball(member("sub/evil.py", b"x")), dest)
    assert list((tmp_path / "outside").iterdir()) == []


@pytest.fixture(scope="module")
def archive_bucket(s3):
    """The bucket of the archives, in the module's moto S3; each test empties it first."""
    s3.create_bucket(Bucket=BUCKET)
    return s3


@pytest.fixture
def bucket(archive_bucket):
    for item in archive_bucket.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        archive_bucket.delete_object(Bucket=BUCKET, Key=item["Key"])
    return archive_bucket


@pytest.fixture
def slim_root(tmp_path, monkeypatch):
    monkeypatch.setenv("ZAPPA_SLIM_ROOT", str(tmp_path))
    return tmp_path


SETTINGS = {"project_name": "app", "slim_archive": URL}


def test_the_archive_is_fetched_from_s3_once_per_sandbox(bucket, slim_root):
    bucket.put_object(Bucket=BUCKET, Key=KEY, Body=GOOD)
    folder = load_slim_archive(SETTINGS, s3_client)
    assert folder == str(slim_root / "app")
    assert (slim_root / "app" / "app.py").read_text() == "VALUE = 'from the archive'\n"
    assert (slim_root / "app" / DONE_MARKER).is_file()
    # a second init in the same sandbox (warm /tmp) reuses the folder, even when S3 no longer answers
    bucket.delete_object(Bucket=BUCKET, Key=KEY)
    assert load_slim_archive(SETTINGS, s3_client) == folder
    assert sorted(p.name for p in slim_root.iterdir()) == ["app"]


def test_an_unsafe_archive_is_refused_whole_and_leaves_nothing(bucket, slim_root):
    bucket.put_object(Bucket=BUCKET, Key=KEY, Body=tarball(member("app.py", b"1"), member("../evil.py", b"x")))
    with pytest.raises(UnsafeArchiveError):
        load_slim_archive(SETTINGS, s3_client)
    assert list(slim_root.iterdir()) == []


def test_an_archive_that_is_not_the_one_packaged_is_refused(bucket, slim_root):
    # an object replaced in S3 (or damaged) is not the project this package was built with
    bucket.put_object(Bucket=BUCKET, Key=KEY, Body=GOOD)
    settings = dict(SETTINGS, slim_archive_sha256=hashlib.sha256(b"another build").hexdigest())
    with pytest.raises(ArchiveMismatchError, match="does not match the package"):
        load_slim_archive(settings, s3_client)
    assert list(slim_root.iterdir()) == []
    settings["slim_archive_sha256"] = hashlib.sha256(GOOD).hexdigest()
    assert (slim_root / "app" / "app.py").exists() is False
    assert os.path.isfile(os.path.join(load_slim_archive(settings, s3_client), "app.py"))


def test_a_warm_folder_of_another_build_is_replaced(bucket, slim_root):
    bucket.put_object(Bucket=BUCKET, Key=KEY, Body=GOOD)
    load_slim_archive(dict(SETTINGS, slim_archive_sha256=hashlib.sha256(GOOD).hexdigest()), s3_client)
    newer = tarball(member("app.py", b"VALUE = 'newer'\n"))
    bucket.put_object(Bucket=BUCKET, Key=KEY, Body=newer)
    folder = load_slim_archive(dict(SETTINGS, slim_archive_sha256=hashlib.sha256(newer).hexdigest()), s3_client)
    assert sorted(os.listdir(folder)) == [DONE_MARKER, "app.py"]
    assert (slim_root / "app" / "app.py").read_text() == "VALUE = 'newer'\n"


def test_a_missing_archive_or_url_is_a_clear_error(bucket, slim_root):
    with pytest.raises(RuntimeError, match="no 'slim_archive'"):
        load_slim_archive({"project_name": "app"}, s3_client)
    with pytest.raises(bucket.exceptions.NoSuchKey):
        load_slim_archive(SETTINGS, s3_client)
    assert list(slim_root.iterdir()) == []


BIG = tarball(member("app.py", b"VALUE = 1\n"), member("data.bin", b"\0" * (2 * 1024 * 1024)))
BIG_UNPACKED = 2 * 1024 * 1024 + len(b"VALUE = 1\n")


def test_a_project_larger_than_ephemeral_storage_is_refused_before_downloading(bucket, slim_root):
    # nothing is in S3: a download would fail with NoSuchKey instead
    settings = dict(SETTINGS, slim_archive_unpacked=BIG_UNPACKED, ephemeral_storage={"Size": 1})
    with pytest.raises(ArchiveSpaceError, match=r"unpacks to 3 MiB .*ephemeral_storage is 1 MiB.*\"Size\": "):
        load_slim_archive(settings, s3_client)
    assert list(slim_root.iterdir()) == []


@pytest.fixture
def small_tmp(tmp_path):
    """A real 1 MiB filesystem (tmpfs) standing in for a /tmp that is almost full."""
    folder = tmp_path / "small"
    folder.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(folder)], capture_output=True,
                          check=False)
    if done.returncode != 0:
        pytest.skip(f"a tmpfs cannot be mounted here: {done.stderr.decode().strip()}")
    yield folder
    subprocess.run(["umount", str(folder)], check=False)


def test_a_project_larger_than_the_free_space_of_tmp_is_refused(bucket, small_tmp, monkeypatch):
    monkeypatch.setenv("ZAPPA_SLIM_ROOT", str(small_tmp))
    bucket.put_object(Bucket=BUCKET, Key=KEY, Body=BIG)
    settings = dict(SETTINGS, slim_archive_unpacked=BIG_UNPACKED, slim_archive_sha256=hashlib.sha256(BIG).hexdigest())
    with pytest.raises(ArchiveSpaceError, match=r"does not fit into .* MiB free\)"):
        load_slim_archive(settings, s3_client)
    assert list(small_tmp.iterdir()) == []


def test_an_archive_larger_than_its_manifest_says_is_refused_while_extracting(bucket, slim_root):
    bucket.put_object(Bucket=BUCKET, Key=KEY, Body=BIG)
    with pytest.raises(UnsafeArchiveError, match="more than the 100 bytes its manifest records"):
        load_slim_archive(dict(SETTINGS, slim_archive_unpacked=100), s3_client)
    assert list(slim_root.iterdir()) == []


def test_the_sandbox_tmp_is_used_when_no_root_is_given(bucket, tmp_path, monkeypatch):
    # the local executor gives each worker a /tmp of its own through TMPDIR (Lambda: /tmp)
    monkeypatch.delenv("ZAPPA_SLIM_ROOT", raising=False)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    bucket.put_object(Bucket=BUCKET, Key=KEY, Body=GOOD)
    assert load_slim_archive(SETTINGS, s3_client) == str(tmp_path / "app")
