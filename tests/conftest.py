"""Shared test configuration. Fixtures for plugin authors live in ``zappa_core.testing`` (a pytest plugin)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
# Real Lambda event samples (see tests/runtime/events/SOURCE.md), shared by every test folder.
EVENTS = REPO / "tests" / "runtime" / "events"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


@pytest.fixture(scope="session")
def run_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A ``ZAPPA_CACHE_DIR`` for this whole run, shared by the xdist workers (their base folders' parent).

    Packaging the same dependencies gives the same files, so only the first build pays pip's download of a
    Lambda wheel and the bytecode compilation of a framework; the cache's writes are atomic, so workers can
    share it. It starts empty at each run, so no user's cache is read."""
    base = tmp_path_factory.getbasetemp()
    return (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "zappa-cache"


@pytest.fixture
def shared_cache(run_cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``ZAPPA_CACHE_DIR`` set to :func:`run_cache_dir` for this test: for end-to-end tests whose packages have
    dependencies (Flask, Django...). Tests of the cache itself keep a cache of their own (``tmp_path``)."""
    monkeypatch.setenv("ZAPPA_CACHE_DIR", str(run_cache_dir))
    return run_cache_dir
