"""EventBridge rules made by the events plugin, against in-process moto."""

from __future__ import annotations

import json

KEEP_WARM = "demo-dev-zappa-keep-warm-handler.keep_warm_callback"


def rules(aws) -> dict[str, dict]:
    events = aws.client("events")
    out = {}
    for rule in events.list_rules()["Rules"]:
        targets = events.list_targets_by_rule(Rule=rule["Name"])["Targets"]
        out[rule["Name"]] = {**rule, "Targets": targets}
    return out


def test_keep_warm_and_scheduled_functions_become_rules_with_targets_and_input(driver, load_settings, moto_aws, function):
    settings = load_settings(events=[
        {"function": "app.tick", "expression": "rate(1 minute)", "kwargs": {"colour": "blue"}},
        {"function": "app.report", "name": "nightly", "description": "the report",
         "expressions": ["cron(0 2 * * ? *)", "cron(0 14 * * ? *)"], "enabled": False},
    ])
    driver.apply(settings)
    found = rules(moto_aws)
    assert set(found) == {KEEP_WARM, "demo-dev-app.tick", "demo-dev-nightly-app.report", "demo-dev-1-nightly-app.report"}

    warm = found[KEEP_WARM]
    assert warm["ScheduleExpression"] == "rate(4 minutes)" and warm["State"] == "ENABLED"
    assert [t["Arn"] for t in warm["Targets"]] == [function.arn]
    assert "Input" not in warm["Targets"][0]

    tick = found["demo-dev-app.tick"]
    assert tick["ScheduleExpression"] == "rate(1 minute)"
    payload = json.loads(tick["Targets"][0]["Input"])
    assert payload["kwargs"] == {"colour": "blue"}
    assert payload["detail-type"] == "Scheduled Event" and payload["resources"] == [tick["Arn"]]

    nightly = found["demo-dev-nightly-app.report"]
    assert nightly["ScheduleExpression"] == "cron(0 2 * * ? *)" and nightly["State"] == "DISABLED"
    assert nightly["Description"] == "the report"
    assert found["demo-dev-1-nightly-app.report"]["ScheduleExpression"] == "cron(0 14 * * ? *)"

    policy = json.loads(moto_aws.client("lambda").get_policy(FunctionName="demo-dev")["Policy"])
    sources = {s["Condition"]["ArnLike"]["AWS:SourceArn"] for s in policy["Statement"]}
    assert sources == {r["Arn"] for r in found.values()}


def test_apply_is_idempotent_and_changes_and_removals_reach_aws(driver, load_settings, moto_aws):
    first = load_settings(events=[{"function": "app.tick", "expression": "rate(1 minute)"},
                                  {"function": "app.other", "expression": "rate(2 hours)"}])
    driver.apply(first)
    assert all(c.action.value == "unchanged" for c in driver.plan(first).values())

    second = load_settings(keep_warm=False, events=[{"function": "app.tick", "expression": "rate(5 minutes)",
                                                     "kwargs": {"n": 1}}])
    change = driver.plan(second)["events:schedule"]
    assert change.action.value == "update"
    assert any(line.startswith("~ rule demo-dev-app.tick") for line in change.details)
    assert any(line.startswith("- rule demo-dev-app.other") for line in change.details)
    assert any(line.startswith(f"- rule {KEEP_WARM}") for line in change.details)
    driver.apply(second)
    found = rules(moto_aws)
    assert set(found) == {"demo-dev-app.tick"}
    assert found["demo-dev-app.tick"]["ScheduleExpression"] == "rate(5 minutes)"
    assert json.loads(found["demo-dev-app.tick"]["Targets"][0]["Input"])["kwargs"] == {"n": 1}
    assert driver.plan(second)["events:schedule"].action.value == "unchanged"


def test_rules_of_others_are_left_alone_and_destroy_removes_only_the_stage(driver, load_settings, moto_aws, function):
    events = moto_aws.client("events")
    events.put_rule(Name="someone-elses-rule", ScheduleExpression="rate(1 day)")
    events.put_targets(Rule="someone-elses-rule", Targets=[{"Id": "x", "Arn": function.arn}])
    settings = load_settings(events=[{"function": "app.tick", "expression": "rate(1 minute)"}])
    driver.apply(settings)
    driver.destroy(settings)
    assert set(rules(moto_aws)) == {"someone-elses-rule"}
    assert driver.destroy(settings)["events:schedule"].action.value == "unchanged"  # idempotent


def test_event_pattern_rules_are_their_own_step(driver, load_settings, moto_aws, function):
    settings = load_settings(keep_warm=False, events=[
        {"function": "app.on_ec2", "event_pattern": {"source": ["aws.ec2"], "detail": {"state": ["terminated"]}}},
        {"function": "app.tick", "expression": "rate(1 hour)"},
    ])
    driver.apply(settings)
    found = rules(moto_aws)
    assert json.loads(found["demo-dev-app.on_ec2"]["EventPattern"]) == {"source": ["aws.ec2"], "detail": {"state": ["terminated"]}}
    assert found["demo-dev-app.on_ec2"]["Targets"][0]["Arn"] == function.arn
    plan = driver.plan(settings)
    assert plan["events:eventbridge"].action.value == "unchanged"
    assert plan["events:schedule"].action.value == "unchanged"  # neither step claims the other's rule


def test_long_names_stay_within_the_rule_name_limit():
    from zappa_events.naming import rule_name

    name = rule_name("a-very-long-project-name-for-testing-dev", "package.module.some_really_long_function_name")
    assert len(name) <= 64
    assert name.endswith("some_really_long_function_name")
    assert name != rule_name("a-very-long-project-name-for-testing-dev", "package.module.some_really_long_function_nam")
