"""Runtime tests: real packages built by ``zappa package``, served by long-lived ``python -I`` workers
(see :mod:`rtharness`)."""

from __future__ import annotations

import boto3
import pytest
from moto import mock_aws
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


@pytest.fixture(scope="module")
def s3():
    """One in-process moto S3 client per test module, with fake credentials; no endpoint or profile of the
    caller's environment reaches it. The module creates its own buckets."""
    with pytest.MonkeyPatch.context() as mp:
        for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_PROFILE"):
            mp.delenv(name, raising=False)
        mp.setenv("AWS_ACCESS_KEY_ID", "testing")
        mp.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        mp.setenv("AWS_DEFAULT_REGION", "us-east-1")
        with mock_aws():
            yield boto3.client("s3")
