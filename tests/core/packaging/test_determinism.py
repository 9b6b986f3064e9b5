"""Same inputs, same bytes: what ``update`` relies on to skip an upload."""

# ruff: noqa: F401, F811  (pytest fixtures imported from pkgtest, a module of their own: see its docstring)

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
import zipfile
from pathlib import Path

from pkgtest import isolated_cache, make_project, package


def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_two_builds_are_byte_identical_and_a_one_line_change_is_not(make_project, package, tmp_path):
    project = make_project("flask_app")
    first = package(project, tmp_path / "a.zip")
    # Same files copied elsewhere, with new modification times: still the same bytes.
    time.sleep(0.01)
    copy = tmp_path / "elsewhere" / "project"
    shutil.copytree(project, copy)
    for path in copy.rglob("*"):
        os.utime(path)
    second = package(copy, tmp_path / "b.zip")
    assert first.code == second.code == 0, first.err + second.err
    assert first.zip.read_bytes() == second.zip.read_bytes()

    app = project / "app.py"
    app.write_text(app.read_text().replace('"flask"', '"flask!"'))
    changed = package(project, tmp_path / "c.zip")
    assert changed.code == 0
    assert sha(changed.zip) != sha(first.zip)
    info_a = json.loads(first.read("package_info.json"))
    info_c = json.loads(changed.read("package_info.json"))
    assert info_a["content_hash"] != info_c["content_hash"] and info_a["uuid"] != info_c["uuid"]


def test_an_unchanged_rebuild_says_so_and_keeps_the_file(make_project, package):
    project = make_project("flask_app")
    first = package(project)
    assert first.code == 0 and " written in " in first.out
    stat = first.zip.stat()
    again = package(project, first.zip)
    assert again.code == 0
    assert " unchanged in " in again.out
    assert first.zip.stat().st_mtime_ns == stat.st_mtime_ns  # not rewritten
    assert f"sha256 {sha(first.zip)[:12]}" in again.out


def test_a_deleted_package_comes_back_from_the_build_memo_byte_for_byte(make_project, package):
    """``delete_local_zip`` removes the zip after each deploy: the next build of the same inputs puts it
    back from the copy the memo keeps (a hard link, so no second copy on disk), and a tampered copy is
    never used."""
    project = make_project("flask_app")
    first = package(project)
    assert first.code == 0, first.err
    original = first.zip.read_bytes()
    first.zip.unlink()
    again = package(project, first.zip)
    assert again.code == 0, again.err
    assert again.zip.read_bytes() == original
    assert again.zip.stat().st_nlink == 2  # the memo's copy and this one are the same file
    assert f"sha256 {sha(again.zip)[:12]}" in again.out

    kept = list((Path(os.environ["ZAPPA_CACHE_DIR"]) / "builds").glob("*.archive"))
    assert len(kept) == 1
    again.zip.unlink()
    kept[0].write_bytes(b"tampered")
    third = package(project, first.zip)
    assert third.code == 0, third.err
    assert third.zip.read_bytes() == original  # compressed again, not the tampered copy
    assert kept[0].read_bytes() == original  # and the memo keeps the good bytes again


def test_entries_have_fixed_dates_and_modes(make_project, package):
    project = make_project("flask_app")
    script = project / "run.sh"
    script.write_text("#!/bin/sh\necho hi\n")
    script.chmod(0o775)
    (project / "app.py").chmod(0o600)
    build = package(project)
    with zipfile.ZipFile(build.zip) as archive:
        infos = archive.infolist()
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
    modes = {i.filename: (i.external_attr >> 16) & 0o777 for i in infos}
    assert modes["run.sh"] == 0o755
    assert modes["app.py"] == 0o644
    assert set(modes.values()) <= {0o644, 0o755}


def test_package_info_is_reproducible(make_project, package, monkeypatch):
    build = package(make_project("flask_app"))
    info = json.loads(build.read("package_info.json"))
    assert info["build_time"] is None  # a wall-clock time would change the bytes of every build
    names = [n for n in build.names() if n != "package_info.json"]
    assert len(info["content_hash"]) == 64 and names

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    stamped = package(build.project, build.zip.with_name("stamped.zip"))
    assert json.loads(stamped.read("package_info.json"))["build_time"] == "2023-11-14T22:13:20Z"
