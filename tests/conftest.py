"""Shared test configuration. Fixtures for plugin authors live in ``zappa_core.testing`` (a pytest plugin)."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
EVENTS = REPO.parent / "shared" / "events"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO
