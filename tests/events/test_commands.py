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
    assert "zappa_settings.json" in err and "'events[0].event_source.batch_sise': unknown key; did you mean 'batch_size'?" in err


def test_unschedule_keeps_the_async_response_table_and_its_results(moto_aws, function, tmp_path, monkeypatch, capsys):
    """Zappa's unschedule removes schedules, event sources and the async topic; the response table holds
    results users stored, so it stays (only undeploy removes it)."""
    from zappa_core.cli import run

    monkeypatch.chdir(tmp_path)
    write_settings(tmp_path, async_source="sns", async_response_table="demo-results",
                   events=[{"function": "app.tick", "expression": "rate(1 hour)"}])
    assert run(["schedule", "dev"]) == 0
    dynamodb, sns = moto_aws.client("dynamodb"), moto_aws.client("sns")
    dynamodb.put_item(TableName="demo-results", Item={"id": {"S": "task-1"}, "status": {"S": "complete"}})
    assert [t["TopicArn"].rsplit(":", 1)[1] for t in sns.list_topics()["Topics"]] == ["demo-dev-zappa-async"]

    capsys.readouterr()
    assert run(["unschedule", "dev"]) == 0
    out = capsys.readouterr().out
    assert "table/demo-results" not in out
    assert moto_aws.client("events").list_rules()["Rules"] == []
    assert sns.list_topics()["Topics"] == []
    kept = dynamodb.get_item(TableName="demo-results", Key={"id": {"S": "task-1"}})["Item"]
    assert kept["status"] == {"S": "complete"}

    assert run(["schedule", "dev"]) == 0  # the kept table is the stage's again, unchanged
    assert dynamodb.get_item(TableName="demo-results", Key={"id": {"S": "task-1"}})["Item"] == kept


def test_one_function_scheduled_twice_with_different_kwargs_is_one_rule_with_two_targets(moto_aws, function, tmp_path,
                                                                                        monkeypatch, capsys):
    from zappa_core.cli import run

    monkeypatch.chdir(tmp_path)
    write_settings(tmp_path, keep_warm=False, events=[
        {"function": "app.report", "expression": "cron(0 6 * * ? *)", "kwargs": {"region": "eu"}},
        {"function": "app.report", "expression": "cron(0 6 * * ? *)", "kwargs": {"region": "us"}}])
    assert run(["schedule", "dev"]) == 0
    assert "cron(0 6 * * ? *) -> app.report (2 targets)" in capsys.readouterr().out
    events = moto_aws.client("events")
    assert [r["Name"] for r in events.list_rules()["Rules"]] == ["demo-dev-app.report"]
    targets = events.list_targets_by_rule(Rule="demo-dev-app.report")["Targets"]
    assert sorted(json.loads(t["Input"])["kwargs"]["region"] for t in targets) == ["eu", "us"]
    assert {t["Arn"] for t in targets} == {function.arn}

    assert run(["schedule", "dev"]) == 0
    assert "nothing to do" in capsys.readouterr().out

    write_settings(tmp_path, keep_warm=False, events=[
        {"function": "app.report", "expression": "cron(0 6 * * ? *)", "kwargs": {"region": "us"}}])
    assert run(["schedule", "dev"]) == 0
    targets = events.list_targets_by_rule(Rule="demo-dev-app.report")["Targets"]
    assert [json.loads(t["Input"])["kwargs"] for t in targets] == [{"region": "us"}]


def test_different_expressions_on_one_rule_name_say_why(tmp_path, monkeypatch, capsys):
    from zappa_core.cli import run

    monkeypatch.chdir(tmp_path)
    write_settings(tmp_path, events=[{"function": "app.report", "expression": "rate(1 hour)", "kwargs": {"a": 1}},
                                     {"function": "app.report", "expression": "rate(2 hours)", "kwargs": {"a": 2}}])
    assert run(["schedule", "dev"]) == 2
    err = capsys.readouterr().err
    assert ("'events[1]': the schedule of app.report (rate(2 hours)) and events[0] (rate(1 hour)) would both be the "
            "rule 'demo-dev-app.report', but an EventBridge rule has one schedule; give one of them a different 'name'") in err


def test_a_rule_zappa_made_with_kwargs_is_adopted_without_a_second_target(moto_aws, function, tmp_path, monkeypatch,
                                                                         capsys):
    """Zappa's targets have random ids and carry kwargs in an input template; the rule is read as it is,
    and a change replaces Zappa's target instead of adding one beside it (which would run the job twice)."""
    from zappa_core.cli import run

    events = moto_aws.client("events")
    rule = events.put_rule(Name="demo-dev-app.report", ScheduleExpression="rate(1 hour)",
                           Description="app.report (demo-dev)")["RuleArn"]
    moto_aws.client("lambda").add_permission(  # as Zappa grants it: a random statement id
        FunctionName=function.arn, StatementId="K7QZ2M4X", Action="lambda:InvokeFunction",
        Principal="events.amazonaws.com", SourceArn=rule)
    template = ('{"time": <time>, "detail-type": <detail-type>, "source": <source>,"account": <account>, '
                '"region": <region>,"detail": <detail>, "version": <version>,"resources": <resources>,"id": <id>,'
                '"kwargs": {"region": "eu"}}')
    events.put_targets(Rule="demo-dev-app.report", Targets=[{
        "Id": "Id123456789012", "Arn": function.arn,
        "InputTransformer": {"InputPathsMap": {"time": "$.time", "id": "$.id"}, "InputTemplate": template}}])
    monkeypatch.chdir(tmp_path)
    entry = {"function": "app.report", "expression": "rate(1 hour)", "kwargs": {"region": "eu"}}
    write_settings(tmp_path, keep_warm=False, events=[entry])
    assert run(["schedule", "dev"]) == 0
    assert "nothing to do" in capsys.readouterr().out
    assert [t["Id"] for t in events.list_targets_by_rule(Rule="demo-dev-app.report")["Targets"]] == ["Id123456789012"]

    write_settings(tmp_path, keep_warm=False, events=[{**entry, "kwargs": {"region": "us"}}])
    assert run(["schedule", "dev"]) == 0
    targets = events.list_targets_by_rule(Rule="demo-dev-app.report")["Targets"]
    assert [(t["Id"], json.loads(t["Input"])["kwargs"]) for t in targets] == [("zappa-function", {"region": "us"})]
