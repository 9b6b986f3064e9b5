"""Runtime tests: real packages built by ``zappa package``, served by long-lived ``python -I`` workers
(see :mod:`rtharness`)."""

from __future__ import annotations

import pytest
from rtharness import Worker, build_package


@pytest.fixture(scope="session")
def lambda_app(tmp_path_factory):
    """``lambda_app(name)`` → the :class:`Worker` serving the built package of ``apps/<name>``."""
    workers: dict[str, Worker] = {}

    def get(name: str) -> Worker:
        if name not in workers:
            workdir = tmp_path_factory.mktemp(f"lambda-{name}")
            folder = build_package(name, workdir)
            workers[name] = Worker(folder, name, workdir)
        return workers[name]

    yield get
    for worker in workers.values():
        worker.close()
