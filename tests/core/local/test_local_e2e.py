"""The issue's end-to-end: local start -> deploy the example -> HTTP -> invoke -> tail -> undeploy -> stop.

Runs the CLI in this process (as the console script does), with a guard that fails on any attempt to reach
a real AWS host, on a copy of examples/hello.
"""

from __future__ import annotations

import json
import shutil
import socket
import urllib.parse
import urllib.request

import pytest
from zappa_core.local_state import process_alive, read_state

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.needs_plugins]


@pytest.fixture
def no_real_aws(monkeypatch):
    """Name lookups of AWS hosts fail the test (packaging may still reach the package index)."""
    real = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        name = host.decode() if isinstance(host, bytes) else str(host)
        if "amazonaws" in name or name.endswith(("aws.amazon.com", ".on.aws", "amazontrust.com")):
            raise AssertionError(f"{name} looked up in local mode")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def test_deploy_the_example_to_the_local_aws_and_use_it(tmp_path, repo_root, zappa, no_real_aws, monkeypatch):
    for key in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "ZAPPA_LOCAL_ENDPOINT"):
        monkeypatch.delenv(key, raising=False)
    project = tmp_path / "hello"
    shutil.copytree(repo_root / "examples" / "hello", project, ignore=shutil.ignore_patterns(".zappa", "__pycache__"))
    zappa(project, "local", "start")
    pid = read_state(project)["pid"]
    try:
        zappa(project, "deploy", "dev", "--local")
        status = json.loads(zappa(project, "status", "dev", "--local", "--json").out)
        url = status["urls"]["api"]
        assert url.startswith(read_state(project)["gateway_endpoint"])

        with urllib.request.urlopen(url, timeout=60) as response:
            assert response.status == 200
            assert json.loads(response.read()) == {"message": "Hello from zappa!", "path": "/"}

        payload = bytes(range(256)) * 16 + b"\x00\xff\xfe"
        request = urllib.request.Request(url + "echo", data=payload, method="POST",
                                         headers={"Content-Type": "application/octet-stream"})
        with urllib.request.urlopen(request, timeout=60) as response:
            assert response.status == 200 and response.read() == payload

        invoked = zappa(project, "invoke", "dev", "app.tick", "--local").out
        assert '"ticked": true' in invoked

        # --qualifier runs the version it names: its invocation logs to a stream of that version, as on AWS.
        import boto3

        kwargs = {"endpoint_url": read_state(project)["aws_endpoint"], "region_name": "us-east-1",
                  "aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
        version = boto3.client("lambda", **kwargs).publish_version(FunctionName="hello-dev")["Version"]

        def streams():
            found = boto3.client("logs", **kwargs).describe_log_streams(logGroupName="/aws/lambda/hello-dev")
            return {s["logStreamName"].split("]")[0].split("[")[1] for s in found["logStreams"]}

        assert streams() == {"$LATEST"}
        qualified = zappa(project, "invoke", "dev", "app.tick", "--qualifier", version, "--local").out
        assert '"ticked": true' in qualified and streams() == {"$LATEST", version}
        missing = zappa(project, "invoke", "dev", "app.tick", "--qualifier", "99", "--local", check=False)
        assert missing.code == 1 and streams() == {"$LATEST", version}

        logs = zappa(project, "tail", "dev", "--local", "--disable-keep-open").out
        # the access line names the path the client used: the API's prefix (/<api id>/dev/) included
        assert "tick" in logs and f"GET {urllib.parse.urlsplit(url).path} HTTP/1.1" in logs

        zappa(project, "undeploy", "dev", "--local", "--yes")
        gone = zappa(project, "status", "dev", "--local", "--json", check=False)
        assert gone.code != 0
    finally:
        stopped = zappa(project, "local", "stop", check=False)
    assert stopped.code == 0
    assert not process_alive(pid)
    assert not (project / ".zappa" / "local.json").exists()
