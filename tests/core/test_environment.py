"""The original Zappa in the same environment: the CLI says so, with the fix, instead of failing strangely."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ZAPPA = str(Path(sys.executable).parent / "zappa")


@pytest.mark.slow
def test_the_original_zappa_beside_this_one_is_named_with_the_fix(tmp_path):
    original = tmp_path / "original"  # the real zappa 0.63.0 from the package index, first on the path
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(original),
                    "zappa==0.63.0"], check=True, capture_output=True, timeout=300)
    env = dict(os.environ, PYTHONPATH=str(original), ZAPPA_CACHE_DIR=str(tmp_path / "cache"))
    result = subprocess.run([ZAPPA, "plugins"], cwd=tmp_path, env=env, capture_output=True, text=True, check=False,
                            timeout=120)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "Error: the original Zappa (zappa 0.63.0) is installed in this environment too: it and zappa-ng both install "
        "a 'zappa' import package and a 'zappa' command, and overwrite each other's files",
        "  hint: pip uninstall zappa, then pip install --force-reinstall --no-deps zappa-ng-events zappa-ng-aws-apigw "
        "zappa-ng-core (which restores zappa.asynchronous, zappa.websocket and the command); or keep each in its own virtualenv"]
    alone = subprocess.run([ZAPPA, "plugins"], cwd=tmp_path, env=dict(env, PYTHONPATH=""), capture_output=True,
                           text=True, check=False, timeout=120)
    assert alone.returncode == 0 and "zappa-ng-core" in alone.stdout
