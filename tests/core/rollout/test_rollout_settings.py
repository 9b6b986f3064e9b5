"""The ``deployment`` setting and the flags of one gradual update: strict, checked before any AWS call (exit 2),
and the steps and durable record a rollout is driven by."""

from __future__ import annotations

import json

import pytest
from cli_result import run_cli
from zappa_core.rollout.settings import parse_duration, show_duration
from zappa_core.rollout.state import Rollout, routed_weights


@pytest.mark.parametrize(("text", "seconds"), [("30s", 30), ("5m", 300), ("1h", 3600), ("1m30s", 90), ("1.5s", 1.5),
                                               (" 2M ", 120), (45, 45), ("1500ms", 1.5)])
def test_durations(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["5", "5 minutes", "m5", "0s", "25h", "", True, None, "1m 30x"])
def test_what_is_not_a_duration_is_refused(text):
    with pytest.raises(ValueError):
        parse_duration(text)


def test_durations_are_shown_as_written():
    assert [show_duration(s) for s in (3, 2.5, 90, 300, 3600, 5400)] == ["3s", "2.5s", "1m30s", "5m", "1h", "1h30m"]


def project(tmp_path, monkeypatch, deployment=None):
    stage = {"app_function": "app.app", "s3_bucket": "rollout-code", "aws_region": "us-east-1", "project_name": "ro"}
    if deployment is not None:
        stage["deployment"] = deployment
    (tmp_path / "zappa_settings.json").write_text(json.dumps({"dev": stage}, indent=1))
    monkeypatch.chdir(tmp_path)


def test_a_wrong_deployment_is_a_settings_error_naming_each_problem(tmp_path, monkeypatch, capsys):
    project(tmp_path, monkeypatch, {"strategy": "blue-green", "percent": 0, "interval": "5 minutes", "alarm": ["x"]})
    result = run_cli(capsys, ["settings", "check", "dev"])
    assert result.code == 2
    for expected in ("deployment.strategy", "must be one of 'all-at-once', 'canary', 'linear'", "deployment.percent",
                     "must be more than 0.0", "'5 minutes' is not a duration", "'deployment.alarm': unknown key; did you mean 'alarms'"):
        assert expected in result.err, result
    project(tmp_path, monkeypatch, {"strategy": "linear", "percent": 25, "interval": "90s", "alarms": ["a"]})
    assert run_cli(capsys, ["settings", "check", "dev"]).code == 0


@pytest.mark.parametrize(("args", "message"), [
    (["--canary", "0"], "--canary 0: the share of traffic is a percent above 0 and below 100"),
    (["--canary", "100"], "--canary 100"),
    (["--canary", "10", "--interval", "soon"], "--interval: 'soon' is not a duration"),
    (["--interval", "5m"], "--interval needs --canary PERCENT"),
])
def test_bad_flags_of_one_update_are_usage_errors_before_any_aws_call(args, message, tmp_path, monkeypatch, capsys):
    project(tmp_path, monkeypatch)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "nothing-may-use-this")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "nothing-may-use-this")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # closed: an AWS call would fail with exit 1
    result = run_cli(capsys, ["update", "dev", *args])
    assert result.code == 2 and message in result.err, result


def test_steps_of_each_strategy_and_the_record_kept_in_the_alias():
    linear = Rollout(old="4", new="5", strategy="linear", percent=30, interval=60, started=1000, step_started=1000)
    assert linear.weights() == [30, 60, 90]
    linear.weight = 30
    assert linear.next_weight() == 60 and linear.time_left(now=1010) == 50 + 2 * 60
    linear.weight = 90
    assert linear.next_weight() is None
    canary = Rollout(old="4", new="5", strategy="canary", percent=10, interval=300, weight=10, started=1000.5, step_started=1000.5)
    assert canary.weights() == [10] and canary.next_weight() is None
    text = canary.description()
    assert len(text) <= 256  # Lambda keeps 256 characters of an alias's description
    alias = {"Description": text, "FunctionVersion": "4", "RoutingConfig": {"AdditionalVersionWeights": {"5": 0.1}}}
    assert Rollout.from_alias(alias) == canary
    assert routed_weights(alias) == {"4": 90, "5": 10}
    assert Rollout.from_alias({"Description": "zappa rollout {broken"}) is None
    assert Rollout.from_alias({"Description": "Managed by zappa: the live version"}) is None
