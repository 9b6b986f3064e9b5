"""Gradual deploys end to end on the local AWS, through the CLI, with real HTTP on 127.0.0.1: a canary of a good
version is promoted; one whose app fails half its requests is rolled back by itself and the old version answers
everything again; ``promote`` ends a rollout early; Ctrl-C and a killed ``update`` leave no half-shifted alias
behind (the next command finds the rollout in the alias and finishes it)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from cli_result import run_cli

pytestmark = [pytest.mark.e2e, pytest.mark.needs_plugins]

BUCKET = "rollout-code"
APP = '''import itertools

VERSION = "{version}"
FAIL_EVERY = {fail_every}
_count = itertools.count(1)


def app(environ, start_response):
    n = next(_count)
    if FAIL_EVERY and n % FAIL_EVERY == 0:
        raise RuntimeError("version " + VERSION + " broke on request " + str(n))
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [VERSION.encode()]
'''


class Stage:
    """A project with stage ``dev`` (a WSGI app without dependencies) and the CLI run in its folder."""

    def __init__(self, root: Path, capsys, monkeypatch, **deployment) -> None:
        self.root, self.capsys, self.monkeypatch = root, capsys, monkeypatch
        root.mkdir()
        stage = {"app_function": "app.app", "project_name": f"ro{os.getpid() % 1000}{root.name[-6:]}", "s3_bucket": BUCKET,
                 "aws_region": "us-east-1", "runtime": "python3.11", "touch": False, "keep_warm": False}
        if deployment:
            stage["deployment"] = deployment
        (root / "zappa_settings.json").write_text(json.dumps({"dev": stage}))
        (root / "requirements.txt").write_text("# no dependencies\n")
        self.url = ""
        self.function_name = f"{stage['project_name']}-dev"

    def write(self, version: str, fail_every: int = 0) -> None:
        (self.root / "app.py").write_text(APP.format(version=version, fail_every=fail_every))

    def cli(self, *args: str, code: int = 0):
        self.monkeypatch.chdir(self.root)
        result = run_cli(self.capsys, [*args, "--local"])
        assert result.code == code, result
        return result

    def spawn(self, *args: str) -> subprocess.Popen:
        """The CLI in a process of its own (to be interrupted or killed)."""
        return subprocess.Popen([sys.executable, "-m", "zappa_core", *args, "--local"], cwd=self.root, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)

    def status(self) -> dict:
        return self.cli("status", "dev", "--json").json()

    def wait_for_rollout(self, proc: subprocess.Popen | None, lam) -> None:
        """Until the alias records a rollout (read directly: ``status`` is the slower reader)."""
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            alias = lam.get_alias(FunctionName=self.function_name, Name="current")
            if alias.get("Description", "").startswith("zappa rollout"):
                return
            assert proc is None or proc.poll() is None, proc.communicate()[0]
            time.sleep(0.1)
        raise AssertionError("no rollout started")

    def answers(self, n: int) -> list[str]:
        return [get(self.url) for _ in range(n)]


def get(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.read().decode()
    except urllib.error.HTTPError as exc:
        return f"HTTP {exc.code}"


class Traffic:
    """Requests to the stage from another thread while a command runs, as users would send them."""

    def __init__(self, url: str) -> None:
        self.url, self.seen, self.stop = url, [], threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        while not self.stop.is_set():
            self.seen.append(get(self.url))

    def __enter__(self) -> Traffic:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join(60)


@pytest.fixture
def bucket(local_for_cli):
    local_for_cli.state.aws.client("s3").create_bucket(Bucket=BUCKET)


def test_canary_promotes_a_good_version_and_rolls_back_one_that_fails_half_its_requests(
        local_for_cli, bucket, tmp_path, capsys, monkeypatch):
    stage = Stage(tmp_path / "canary", capsys, monkeypatch, strategy="canary", percent=50, interval="10s",
                  alarms=["rollout-latency"])
    lam, cw = (local_for_cli.state.aws.client(name) for name in ("lambda", "cloudwatch"))
    stage.write("v1")
    stage.cli("deploy", "dev")
    stage.url = stage.status()["url"]
    assert stage.answers(3) == ["v1"] * 3

    stage.write("v2")
    missing = stage.cli("update", "dev", code=1)  # an alarm that does not exist would watch nothing
    assert "no CloudWatch alarm named 'rollout-latency'" in missing.err and "nothing was deployed" in missing.err
    assert stage.status()["versions"] == ["1"] and stage.answers(2) == ["v1"] * 2
    cw.put_metric_alarm(AlarmName="rollout-latency", Namespace="AWS/Lambda", MetricName="Duration", Statistic="Average",
                        Period=60, EvaluationPeriods=1, Threshold=1000, ComparisonOperator="GreaterThanThreshold")
    with Traffic(stage.url) as traffic:
        rollout = stage.cli("update", "dev", "--json").json()["rollout"]
    assert rollout["decision"] == "promoted" and rollout["health"]["error_rate"] == 0
    # while version 1 kept its share, the new version answered requests of its own (a cold start on a busy machine
    # takes seconds: the interval leaves room for it)
    assert rollout["health"]["invocations"] > 0 and "invocation(s), 0 failed" in rollout["reason"]
    assert {"v1", "v2"} <= set(traffic.seen) <= {"v1", "v2"}
    assert stage.answers(5) == ["v2"] * 5
    after = stage.status()
    assert after["rollout"] is None and after["weights"] == {rollout["new_version"]: 100}

    stage.write("v3", fail_every=2)
    with Traffic(stage.url):
        failed = stage.cli("update", "dev", code=1)
    assert "Rolled back version" in failed.out and "HTTP 5xx" in failed.out, failed
    assert "was rolled back" in failed.err and "more than max_error_rate 1%" in failed.err
    assert stage.answers(12) == ["v2"] * 12  # the old version answers everything
    after = stage.status()
    assert after["rollout"] is None and after["weights"] == {rollout["new_version"]: 100}

    # a named alarm going off during the rollout rolls back a version that fails nothing itself
    # (the local AWS does not evaluate alarms: the test sets the state, as CloudWatch would)
    stage.write("v4")
    update = threading.Thread(target=lambda: stage.wait_for_rollout(None, lam) or cw.set_alarm_state(
        AlarmName="rollout-latency", StateValue="ALARM", StateReason="p99 over 1s"), daemon=True)
    update.start()
    alarmed = stage.cli("update", "dev", code=1)
    update.join(60)
    assert "alarm rollout-latency is in state ALARM" in alarmed.err, alarmed
    assert stage.answers(4) == ["v2"] * 4


def test_one_canary_update_promoted_early_then_interrupted_then_killed(local_for_cli, bucket, tmp_path, capsys, monkeypatch):
    stage = Stage(tmp_path / "oneoff", capsys, monkeypatch)  # all-at-once by default
    lam = local_for_cli.state.aws.client("lambda")
    stage.write("v1")
    stage.cli("deploy", "dev")
    stage.url = stage.status()["url"]

    # promote ends a one-hour canary at once; the update that started it reports how it ended
    stage.write("v2")
    update = stage.spawn("update", "dev", "--canary", "20", "--interval", "1h")
    stage.wait_for_rollout(update, lam)
    rollout = stage.status()["rollout"]
    assert rollout["weight"] == 20 and rollout["strategy"] == "canary" and rollout["time_left_s"] > 3500
    shown = stage.cli("status", "dev").out
    assert f"canary: version {rollout['new']} 20%, version {rollout['old']} 80%" in shown
    promoted = stage.cli("promote", "dev", "--json").json()
    assert promoted["decision"] == "promoted" and promoted["new_version"] == rollout["new"]
    out, _ = update.communicate(timeout=60)
    assert update.returncode == 0 and "ended by another command" in out, out
    assert stage.answers(5) == ["v2"] * 5
    assert stage.cli("promote", "dev", code=1).err.startswith("Error: stage 'dev' has no rollout in progress")

    # Ctrl-C while watching rolls the new version back before the command ends
    stage.write("v3")
    update = stage.spawn("update", "dev", "--canary", "50", "--interval", "1h")
    stage.wait_for_rollout(update, lam)
    update.send_signal(signal.SIGINT)
    out, _ = update.communicate(timeout=60)
    assert update.returncode == 130 and "interrupted" in out, out
    assert stage.status()["rollout"] is None
    assert stage.answers(8) == ["v2"] * 8

    # a killed update leaves the rollout in the alias: status shows it, the next update finishes it
    update = stage.spawn("update", "dev", "--canary", "50", "--interval", "4s")
    stage.wait_for_rollout(update, lam)
    update.kill()
    update.communicate(timeout=60)
    killed = stage.status()["rollout"]
    assert killed["weight"] == 50
    time.sleep(max(0.0, killed["step_left_s"]))
    assert "its step is over" in stage.cli("status", "dev").out
    resumed = stage.cli("update", "dev", "--canary", "50", "--interval", "4s")
    assert "Found an unfinished rollout of version " + killed["new"] in resumed.out
    assert f"Promoted version {killed['new']}" in resumed.out
    assert stage.status()["rollout"] is None and stage.answers(5) == ["v3"] * 5
