"""The scheduler: EventBridge rate/cron parsing, and rules that really fire their Lambda targets."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from zappa_core.local.schedule_expressions import CronSchedule, RateSchedule, ScheduleError, parse_schedule
from zappa_core.local.scheduler import Scheduler


def utc(*args):
    return datetime(*args, tzinfo=timezone.utc)


@pytest.mark.parametrize("expression, after, expected", [
    ("cron(0 12 * * ? *)", utc(2024, 1, 1, 13, 0), utc(2024, 1, 2, 12, 0)),
    ("cron(0 12 * * ? *)", utc(2024, 1, 1, 11, 59, 30), utc(2024, 1, 1, 12, 0)),
    ("cron(0/15 * * * ? *)", utc(2024, 3, 5, 10, 7), utc(2024, 3, 5, 10, 15)),
    ("cron(0/15 * * * ? *)", utc(2024, 3, 5, 10, 45), utc(2024, 3, 5, 11, 0)),
    ("cron(0 9 ? * MON-FRI *)", utc(2024, 6, 7, 10, 0), utc(2024, 6, 10, 9, 0)),  # Friday -> Monday
    ("cron(0 0 L * ? *)", utc(2024, 2, 10), utc(2024, 2, 29)),  # leap year
    ("cron(0 0 L * ? *)", utc(2023, 2, 10), utc(2023, 2, 28)),
    ("cron(15 10 ? * 6L 2024)", utc(2024, 5, 1), utc(2024, 5, 31, 10, 15)),  # last Friday of May 2024
    ("cron(0 10 ? * 3#2 *)", utc(2024, 7, 1), utc(2024, 7, 9, 10, 0)),  # second Tuesday of July 2024
    ("cron(0 8 1W * ? *)", utc(2024, 5, 20), utc(2024, 6, 3, 8, 0)),  # June 1st 2024 is a Saturday
    ("cron(0 8 15W * ? *)", utc(2024, 9, 1), utc(2024, 9, 16, 8, 0)),  # Sunday the 15th -> Monday
    ("cron(0 8 LW * ? *)", utc(2024, 8, 1), utc(2024, 8, 30, 8, 0)),  # Aug 31 2024 is a Saturday
    ("cron(30 23 31 DEC ? *)", utc(2024, 12, 31, 23, 30), utc(2025, 12, 31, 23, 30)),
    ("cron(0 0 1 1 ? 2030)", utc(2024, 1, 1), utc(2030, 1, 1)),
    ("cron(0 18 ? * SUN,SAT *)", utc(2024, 6, 3), utc(2024, 6, 8, 18, 0)),
    ("cron(0 1 ? * 1 *)", utc(2024, 6, 3), utc(2024, 6, 9, 1, 0)),  # 1 = SUN
])
def test_cron_next_fire_times(expression, after, expected):
    schedule = parse_schedule(expression)
    assert isinstance(schedule, CronSchedule)
    assert schedule.next_after(after) == expected


def test_cron_that_never_fires_again():
    assert parse_schedule("cron(0 0 1 1 ? 2020)").next_after(utc(2024, 1, 1)) is None


@pytest.mark.parametrize("expression, seconds", [
    ("rate(1 minute)", 60), ("rate(5 minutes)", 300), ("rate(1 hour)", 3600), ("rate(2 days)", 172800),
])
def test_rates(expression, seconds):
    assert parse_schedule(expression) == RateSchedule(seconds)


@pytest.mark.parametrize("expression", [
    "every minute", "rate(0 minutes)", "rate(5 weeks)", "cron(0 12 * * *)", "cron(0 12 * * * *)",
    "cron(0 12 ? * ? *)", "cron(61 12 * * ? *)", "cron(0 25 * * ? *)", "cron(0 0 ? * 3#6 *)", "cron(0 0 ? * FOO *)",
])
def test_invalid_expressions_are_rejected(expression):
    with pytest.raises(ScheduleError):
        parse_schedule(expression)


TICK = """
import json

def handler(event, context):
    print("tick", json.dumps(event, sort_keys=True))
    return "ok"
"""


@pytest.mark.e2e
def test_rate_rule_fires_its_lambda_target_with_input_and_default_event(local_aws, deploy_function):
    aws = local_aws.state.aws
    events, lam = aws.client("events"), aws.client("lambda")
    name = deploy_function({"app.py": TICK})
    arn = lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    with_input = events.put_rule(Name=f"{name}-input", ScheduleExpression="rate(1 minute)")["RuleArn"]
    events.put_targets(Rule=f"{name}-input", Targets=[{"Id": "1", "Arn": arn, "Input": json.dumps({"job": "report"})}])
    bare = events.put_rule(Name=f"{name}-bare", ScheduleExpression="rate(1 minute)")["RuleArn"]
    events.put_targets(Rule=f"{name}-bare", Targets=[{"Id": "1", "Arn": arn}])
    events.put_rule(Name=f"{name}-off", ScheduleExpression="rate(1 minute)", State="DISABLED")
    events.put_targets(Rule=f"{name}-off", Targets=[{"Id": "1", "Arn": arn}])

    now = [1_800_000_000.0]
    scheduler = Scheduler(local_aws.state, clock=lambda: now[0], background=False)
    assert scheduler.poll() == []  # rules seen: the first firing is one period later
    now[0] += 30
    assert scheduler.poll() == []
    now[0] += 31
    fired = [f for f in scheduler.poll() if f.target_arn == arn]
    assert sorted(f.rule_arn for f in fired) == sorted([with_input, bare])
    assert all(f.function_error is None for f in fired)
    now[0] += 1
    assert [f for f in scheduler.poll() if f.target_arn == arn] == []  # not again until the next minute
    now[0] += 60
    assert len([f for f in scheduler.poll() if f.target_arn == arn]) == 2

    messages = [e["message"] for e in aws.client("logs").filter_log_events(logGroupName=f"/aws/lambda/{name}")["events"]]
    ticks = [json.loads(m.split(" ", 1)[1]) for m in messages if m.startswith("tick ")]
    assert ticks.count({"job": "report"}) == 2
    scheduled = [t for t in ticks if t.get("detail-type") == "Scheduled Event"]
    assert len(scheduled) == 2
    assert scheduled[0]["resources"] == [bare] and scheduled[0]["source"] == "aws.events"
    assert scheduled[0]["time"] == "2027-01-15T08:01:01Z"
