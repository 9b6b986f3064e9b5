"""A new code package reuses what the one unpacked before it already has: same bytes, same file (a hard link),
with the bytecode a worker compiled for it; everything else is unpacked fresh."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

from zappa_core.local.sandbox import extract


def package(files: dict[str, str | bytes], modes: dict[str, int] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = ((modes or {}).get(name, 0o644)) << 16
            archive.writestr(info, text)
    return buffer.getvalue()


def run_app(task_root: Path) -> str:
    """Import the package's app as a worker does (bytecode written next to the sources)."""
    done = subprocess.run([sys.executable, "-E", "-c", "import app; print(app.VALUE, app.helper())"], cwd=task_root,
                          capture_output=True, text=True, check=True)
    return done.stdout.strip()


FIRST = {"app.py": "from lib.tool import helper\nVALUE = 'one'\n", "lib/__init__.py": "",
         "lib/tool.py": "def helper():\n    return 'tool'\n"}


def test_unchanged_files_are_linked_with_their_bytecode_and_the_changed_one_is_new(tmp_path):
    lock = threading.Lock()
    first = extract(package(FIRST), tmp_path, lock)
    assert run_app(first) == "one tool"
    compiled = next((first / "lib" / "__pycache__").glob("tool.*.pyc"))

    # the same size, other bytes: only a comparison of the content tells them apart
    second = extract(package(dict(FIRST, **{"app.py": FIRST["app.py"].replace("one", "two")})), tmp_path, lock)
    assert second != first
    assert os.path.samefile(second / "lib" / "tool.py", first / "lib" / "tool.py")
    assert os.path.samefile(second / "lib" / "__pycache__" / compiled.name, compiled)
    assert not os.path.samefile(second / "app.py", first / "app.py")
    assert run_app(second) == "two tool"
    # the linked bytecode was valid: the import kept it instead of compiling the module again
    assert os.path.samefile(second / "lib" / "__pycache__" / compiled.name, compiled)
    assert run_app(first) == "one tool"  # the earlier version still runs its own code


def test_a_file_whose_mode_changed_is_unpacked_anew(tmp_path):
    lock = threading.Lock()
    files = {"app.py": "VALUE = 1\n", "run.sh": "#!/bin/sh\necho hi\n"}
    first = extract(package(files), tmp_path, lock)
    second = extract(package(dict(files, app="x"), {"run.sh": 0o755}), tmp_path, lock)
    assert os.path.samefile(second / "app.py", first / "app.py")
    assert not os.path.samefile(second / "run.sh", first / "run.sh")
    assert os.stat(second / "run.sh").st_mode & 0o777 == 0o755
    assert os.stat(first / "run.sh").st_mode & 0o777 == 0o644


def test_a_name_that_climbs_out_is_never_linked_and_unpacks_inside(tmp_path):
    lock = threading.Lock()
    (tmp_path / "code").mkdir()
    outside = tmp_path / "secret.py"
    outside.write_text("X = 1\n")
    first = extract(package({"app.py": "A = 1\n"}), tmp_path / "code", lock)
    second = extract(package({"app.py": "A = 1\n", "../../secret.py": "X = 1\n"}), tmp_path / "code", lock)
    assert os.path.samefile(second / "app.py", first / "app.py")
    assert (second / "secret.py").read_text() == "X = 1\n"  # zipfile's sanitised name, inside the folder
    assert not os.path.samefile(second / "secret.py", outside)
    assert outside.stat().st_nlink == 1


def test_bytecode_shipped_in_the_package_is_linked_with_its_unchanged_source_in_either_order(tmp_path):
    from zappa_core.packaging.bytecode import compile_pyc

    compiled = f"lib/__pycache__/tool.{sys.implementation.cache_tag}.pyc"
    files = dict(FIRST, **{compiled: compile_pyc(FIRST["lib/tool.py"].encode(), "/var/task/lib/tool.py")})
    for order, names in (("bytecode first", sorted(files)), ("source first", sorted(files, reverse=True))):
        lock = threading.Lock()
        root = tmp_path / order
        first = extract(package({name: files[name] for name in names}), root, lock)
        assert run_app(first) == "one tool"
        changed = dict(files, **{"app.py": FIRST["app.py"].replace("one", "two")})
        second = extract(package({name: changed[name] for name in names}), root, lock)
        assert os.path.samefile(second / compiled, first / compiled)
        assert os.path.samefile(second / "lib" / "tool.py", first / "lib" / "tool.py")
        assert run_app(second) == "two tool"
