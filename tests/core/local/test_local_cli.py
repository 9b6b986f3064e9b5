"""`zappa local start/status/stop/logs` end to end: a real background process, and nothing left behind."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from local_zip import make_zip
from zappa_core.local_state import process_alive, read_state, state_path

pytestmark = pytest.mark.e2e

def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def test_start_status_invoke_stop_leaves_nothing_behind(tmp_path, zappa):
    started = json.loads(zappa(tmp_path, "local", "start", "--json").out)
    pid = started["pid"]
    try:
        assert started["running"] and started["ready_seconds"] < 10
        assert started["aws_endpoint"].startswith("http://127.0.0.1:")
        assert read_state(tmp_path)["pid"] == pid
        again = zappa(tmp_path, "local", "start")
        assert "already running" in again.out

        # A function deployed to it runs in a worker process of the local AWS.
        import boto3

        kwargs = {"endpoint_url": started["aws_endpoint"], "region_name": "us-east-1",
                  "aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
        role = boto3.client("iam", **kwargs).create_role(RoleName="r", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        lam = boto3.client("lambda", **kwargs)
        lam.create_function(FunctionName="f", Runtime="python3.11", Role=role, Handler="app.handler",
                            Code={"ZipFile": make_zip({"app.py": "import os\ndef handler(e, c):\n    return os.getpid()\n"})})
        worker = json.loads(lam.invoke(FunctionName="f")["Payload"].read())
        assert worker in children_of(pid)

        status = json.loads(zappa(tmp_path, "local", "status", "--json").out)
        assert status["running"] and status["pid"] == pid
        assert [w["pid"] for w in status["workers"]] == [worker]
        with urllib.request.urlopen(started["gateway_endpoint"] + "/") as response:
            assert json.loads(response.read()) == {"front_doors": []}
        assert "local AWS ready" in zappa(tmp_path, "local", "logs").out

        stopped = zappa(tmp_path, "local", "stop")
        assert f"pid {pid}" in stopped.out
        assert not process_alive(pid) and not process_alive(worker)
        assert not state_path(tmp_path).exists()
        status = zappa(tmp_path, "local", "status", "--json", check=False)
        assert status.code == 1 and json.loads(status.out)["running"] is False
    finally:
        if process_alive(pid):
            os.kill(pid, 9)


def test_stop_never_kills_a_process_that_is_not_the_local_aws(tmp_path, zappa):
    bystander = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        state_path(tmp_path).parent.mkdir(parents=True)
        state_path(tmp_path).write_text(json.dumps({"pid": bystander.pid, "token": "t",
                                                    "aws_endpoint": "http://127.0.0.1:9", "gateway_endpoint": "http://127.0.0.1:9"}))
        result = zappa(tmp_path, "local", "stop")
        assert "stale" in result.out
        time.sleep(0.2)
        assert bystander.poll() is None
        assert not state_path(tmp_path).exists()
    finally:
        bystander.kill()
        bystander.wait()


def test_stop_and_status_when_nothing_runs(tmp_path, zappa):
    assert "not running" in zappa(tmp_path, "local", "stop").out
    result = zappa(tmp_path, "local", "status", check=False)
    assert result.code == 1 and "not running" in result.out


def test_commands_with_local_need_a_running_local_aws(tmp_path):
    from zappa_core.errors import UsageError
    from zappa_core.local_state import local_endpoint

    with pytest.raises(UsageError, match="not running"):
        local_endpoint(tmp_path)
