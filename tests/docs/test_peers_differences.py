"""Every deliberate difference that ``nox -s peers`` accepts is explained in docs/runtime.md, and every failing
test it lists names one of them."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "peers"))

from differences import DIFFERENCES, FAILING  # noqa: E402


def test_every_difference_is_documented_and_used():
    page = (ROOT / "docs" / "runtime.md").read_text()
    used = {reason for tests in FAILING.values() for reason in tests.values()}
    assert used == set(DIFFERENCES)
    for key in DIFFERENCES:
        assert f"| `{key}` |" in page, key
