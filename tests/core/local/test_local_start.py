"""Start-up of the local AWS: the ports answer before moto has loaded, calls made meanwhile wait for it."""

from __future__ import annotations

import socket

import pytest

pytestmark = pytest.mark.e2e


def test_a_call_made_before_the_api_has_loaded_is_answered(tmp_path, aws_module_credentials):
    from zappa_core.local import moto_seam
    from zappa_core.local.server import LocalAws

    aws = LocalAws(scheduler=False, cache_dir=tmp_path).start(wait=False)
    try:
        endpoint = aws.aws_endpoint  # known at once: the port is bound
        identity = aws.state.aws.client("sts").get_caller_identity()  # queued until the API serves
        assert identity["Account"] == "123456789012"
        assert aws.ready and aws.loaded_seconds is not None
        assert aws.status()["api_ready"] is True and aws.aws_endpoint == endpoint
    finally:
        aws.stop()
        moto_seam.uninstall()


def test_a_port_in_use_is_a_clear_error_at_start(tmp_path):
    from zappa_core.local.server import LocalAws

    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen(1)
    try:
        with pytest.raises(OSError, match="in use"):
            LocalAws(port=taken.getsockname()[1], scheduler=False, cache_dir=tmp_path).start()
    finally:
        taken.close()


def test_stop_forgets_what_was_deployed(tmp_path, aws_module_credentials):
    """moto's state lives in this process; a stopped local AWS leaves none of it to the next one."""
    from zappa_core.local import moto_seam
    from zappa_core.local.server import LocalAws

    try:
        with LocalAws(scheduler=False, cache_dir=tmp_path) as first:
            first.state.aws.client("s3").create_bucket(Bucket="left-behind")
            assert "left-behind" in [b["Name"] for b in first.state.aws.client("s3").list_buckets()["Buckets"]]
        with LocalAws(scheduler=False, cache_dir=tmp_path) as second:
            assert "left-behind" not in [b["Name"] for b in second.state.aws.client("s3").list_buckets()["Buckets"]]
    finally:
        moto_seam.uninstall()
