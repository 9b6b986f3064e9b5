"""``zappa schedule`` / ``zappa unschedule`` through the real CLI, against in-process moto."""

from __future__ import annotations

import json


def write_settings(path, **keys):
    stage = {"app_function": "app.app", "s3_bucket": "deploy-bucket", "aws_region": "us-east-1",
             "project_name": "demo", **keys}
    (path / "zappa_settings.json").write_text(json.dumps({"dev": stage}))


def test_schedule_and_unschedule_are_idempotent(moto_aws, function, tmp_path, monkeypatch, capsys):
    from zappa_core.cli import run

    monkeypatch.chdir(tmp_path)
    write_settings(tmp_path, events=[{"function": "app.tick", "expression": "rate(1 minute)"}])
    assert run(["schedule", "dev"]) == 0
    out = capsys.readouterr().out
    assert "+ rule demo-dev-app.tick (rate(1 minute) -> app.tick)" in out
    names = {r["Name"] for r in moto_aws.client("events").list_rules()["Rules"]}
    assert names == {"demo-dev-app.tick", "demo-dev-zappa-keep-warm-handler.keep_warm_callback"}

    assert run(["schedule", "dev"]) == 0
    assert "already in place; nothing to do" in capsys.readouterr().out

    assert run(["unschedule", "dev", "--json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    assert plan["destroy"] is True
    assert {c["step"] for c in plan["changes"] if c["action"] == "delete"} == {"events:schedule"}
    assert moto_aws.client("events").list_rules()["Rules"] == []
    assert run(["unschedule", "dev"]) == 0
    assert "already removed" in capsys.readouterr().out


def test_schedule_before_deploy_names_the_fix(moto_aws, tmp_path, monkeypatch, capsys):
    from zappa_core.cli import run

    monkeypatch.chdir(tmp_path)
    write_settings(tmp_path)
    assert run(["schedule", "dev"]) == 1
    err = capsys.readouterr().err
    assert "the function 'demo-dev' does not exist" in err and "zappa deploy dev" in err


def test_bad_event_entry_exits_2_before_any_aws_call(tmp_path, monkeypatch, capsys):
    from zappa_core.cli import run

    monkeypatch.chdir(tmp_path)
    write_settings(tmp_path, events=[{"function": "app.job", "event_source": {
        "arn": "arn:aws:sqs:us-east-1:123456789012:jobs", "batch_sise": 5}}])
    assert run(["schedule", "dev"]) == 2
    err = capsys.readouterr().err
    assert "zappa_settings.json" in err and "events[0] (sqs): event_source.batch_sise: unknown key; did you mean 'batch_size'?" in err
