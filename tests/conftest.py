"""Shared test configuration. Fixtures for plugin authors live in ``zappa_core.testing`` (a pytest plugin)."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
# Real Lambda event samples (see tests/runtime/events/SOURCE.md), shared by every test folder.
EVENTS = REPO / "tests" / "runtime" / "events"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO
