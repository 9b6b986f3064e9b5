"""The README's `nox -s tests` on a machine without Debian's pebble: the session finds it, fetches it, or the
Let's Encrypt tests skip with one line saying why (never an error)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
import noxfile  # noqa: E402


def test_without_pebble_or_apt_the_tests_are_told_why(tmp_path):
    empty_path = str(tmp_path / "bin")  # neither pebble nor apt-get nor dpkg-deb
    env = noxfile.pebble_environment(empty_path, tmp_path / "cache")
    assert env == {"ZAPPA_TESTS_NO_PEBBLE": "Debian's pebble is not on PATH and could not be fetched "
                                            "(apt-get and dpkg-deb are not available)"}


def test_a_package_fetched_before_is_put_first_on_path(tmp_path):
    bin_dir = tmp_path / "cache" / "root" / "usr" / "bin"
    bin_dir.mkdir(parents=True)
    for program in noxfile.PEBBLE_PROGRAMS:
        (bin_dir / program).write_text("")  # stands in for the files dpkg-deb unpacked on an earlier run
    env = noxfile.pebble_environment("/nowhere", tmp_path / "cache")
    assert env == {"PATH": f"{bin_dir}{os.pathsep}/nowhere"}


def test_pebble_already_on_path_needs_nothing(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for program in noxfile.PEBBLE_PROGRAMS:
        (bin_dir / program).write_text("#!/bin/sh\n")
        (bin_dir / program).chmod(0o755)
    assert noxfile.pebble_environment(str(bin_dir), tmp_path / "cache") == {}


@pytest.mark.slow
def test_lets_encrypt_tests_skip_with_one_line_when_pebble_is_missing(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "ZAPPA_"))}
    env["PATH"] = str(tmp_path)  # no pebble on it
    env["ZAPPA_TESTS_NO_PEBBLE"] = "Debian's pebble is not on PATH and could not be fetched (apt-get: E: no network)"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
         "tests/certs/test_certs_letsencrypt.py", "tests/certs/test_certs_txt_records.py"],
        cwd=REPO, env=env, capture_output=True, text=True, check=False, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = [line for line in result.stdout.splitlines() if line.startswith("SKIPPED")]
    assert len(lines) == 1, result.stdout
    assert "Let's Encrypt tests: Debian's pebble is not on PATH and could not be fetched (apt-get: E: no network)" \
        in lines[0]
    assert " passed, 1 skipped in " in result.stdout and "error" not in result.stdout.lower()
