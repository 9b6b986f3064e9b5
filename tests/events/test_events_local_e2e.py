"""End to end on the local AWS: ``zappa deploy dev --local`` of a Flask app with events, then an S3 upload
(filtered by Zappa's ``prefix`` and ``suffix``) and an SQS message each run the real function from the
deployed package, a ``rate(1 minute)`` rule with two targets (one function scheduled twice with different
``kwargs``) fires both through the local scheduler, and an async task started by a Flask route runs in another invocation
and its captured response is read back with ``get_async_response``; ``zappa unschedule`` then unwires the
events and keeps that response.

An SNS publish is not here: moto hands SNS deliveries to Lambda with the placeholder topic
``arn:aws:sns:EXAMPLE`` instead of the topic's ARN, so no runtime can tell which subscription it is; the SNS
wiring is covered against moto (``test_sources.py``) and the SNS dispatch with a real event sample
(``test_runtime_dispatch.py``)."""

from __future__ import annotations

import json
import shutil
import time
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

import pytest
from local_evidence import evidence as wait_for_evidence

pytestmark = pytest.mark.e2e

APP = Path(__file__).parent / "apps" / "local_app"
ACCOUNT = "123456789012"


@pytest.fixture(scope="module")
def local(tmp_path_factory):
    """The local AWS in this process (scheduler off: the test drives it with its own clock), with the
    bucket, topic and queue the settings wire, and the app deployed into it through the real CLI."""
    from zappa_core.cli import run
    from zappa_core.testing import local_aws

    cache = tmp_path_factory.mktemp("local-cache")
    with local_aws(cache, for_cli=True) as aws, pytest.MonkeyPatch.context() as mp:
        clients = aws.state.aws
        for bucket in ("evidence", "evlocal-uploads"):
            clients.client("s3").create_bucket(Bucket=bucket)
        clients.client("sns").create_topic(Name="evlocal-notices")
        clients.client("sqs").create_queue(QueueName="evlocal-jobs")

        project = tmp_path_factory.mktemp("evlocal") / "project"
        shutil.copytree(APP, project)
        mp.chdir(project)
        assert run(["deploy", "dev", "--local"]) == 0
        mp.setenv("AWS_ENDPOINT_URL", aws.aws_endpoint)  # for get_async_response called from this test
        yield aws


def evidence(aws, key: str, timeout: float = 30) -> dict:
    return wait_for_evidence(aws, "evlocal-dev", key, timeout)


def test_s3_upload_runs_the_function_for_the_keys_of_zappas_prefix_and_suffix(local):
    s3 = local.state.aws.client("s3")
    [config] = s3.get_bucket_notification_configuration(Bucket="evlocal-uploads")["LambdaFunctionConfigurations"]
    assert config["LambdaFunctionArn"].endswith(":function:evlocal-dev")
    assert config["Filter"]["Key"]["FilterRules"] == [{"Name": "prefix", "Value": "photos/"},
                                                       {"Name": "suffix", "Value": ".jpg"}]
    s3.put_object(Bucket="evlocal-uploads", Key="photos/notes.txt", Body=b"text")
    s3.put_object(Bucket="evlocal-uploads", Key="other/photo.jpg", Body=b"jpeg")
    s3.put_object(Bucket="evlocal-uploads", Key="photos/photo.jpg", Body=b"jpeg")
    assert evidence(local, "s3/photos/photo.jpg")["pid"] > 0
    left = {o["Key"] for o in s3.list_objects_v2(Bucket="evidence").get("Contents", [])}
    assert not {"s3/photos/notes.txt", "s3/other/photo.jpg"} & left


def test_sqs_message_runs_the_function(local):
    sqs = local.state.aws.client("sqs")
    sqs.send_message(QueueUrl=sqs.get_queue_url(QueueName="evlocal-jobs")["QueueUrl"], MessageBody="job-1")
    assert evidence(local, "sqs/job-1")["pid"] > 0


def test_rate_rule_fires_through_the_scheduler(local):
    from zappa_core.local.scheduler import Scheduler

    events = local.state.aws.client("events")
    [rule] = [r for r in events.list_rules()["Rules"] if r["Name"].startswith("evlocal-dev-")]
    assert (rule["Name"], rule["ScheduleExpression"]) == ("evlocal-dev-app.tick", "rate(1 minute)")
    targets = events.list_targets_by_rule(Rule=rule["Name"])["Targets"]
    assert sorted(json.loads(t["Input"])["kwargs"]["n"] for t in targets) == [7, 8]  # one rule, an input per entry
    now = [datetime(2030, 1, 1, tzinfo=timezone.utc).timestamp()]
    scheduler = Scheduler(local.state, clock=lambda: now[0], background=False)
    assert scheduler.poll() == []  # the rule is seen: due one minute later
    now[0] += 61
    firings = scheduler.poll()  # one rule, a target per entry of the same function and expression
    assert len(firings) == 2
    assert all(f.rule_arn.endswith(":rule/evlocal-dev-app.tick") and f.function_error is None for f in firings)
    assert evidence(local, "schedule/evlocal-dev-app.tick/7") == {"kwargs": {"n": 7}}
    assert evidence(local, "schedule/evlocal-dev-app.tick/8") == {"kwargs": {"n": 8}}


def test_async_task_from_a_flask_route_runs_separately_and_its_response_is_captured(local):
    """As on AWS, the route that starts a 3-second task answers at once; the task runs in its own invocation
    and its captured response arrives later."""
    from zappa.asynchronous import get_async_response

    urls = _urls(local)
    with urllib.request.urlopen(urls.rstrip("/") + "/add/30/3", timeout=60) as response:
        started = json.loads(response.read())
    deadline = time.monotonic() + 30
    while True:
        answer = get_async_response(started["response_id"], table="evlocal-tasks", region="us-east-1")
        if (answer and answer["status"] == "complete") or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert answer["status"] == "complete"
    assert answer["response"]["sum"] == 33
    # the route answered before the task had done its 3 seconds: its caller did not wait for it
    assert answer["response"]["finished"] - started["answered"] > 2


def test_unschedule_removes_the_wiring_and_keeps_the_stored_task_results(local):
    """``zappa unschedule dev --local`` takes the rule, the S3 notification and the SQS mapping away; a result a
    task stored in the async response table is still there afterwards. ``zappa schedule`` wires it all again."""
    from zappa.asynchronous import get_async_response
    from zappa_core.cli import run

    with urllib.request.urlopen(_urls(local).rstrip("/") + "/add/0/5", timeout=60) as response:
        started = json.loads(response.read())
    deadline = time.monotonic() + 30
    while (stored := get_async_response(started["response_id"], table="evlocal-tasks", region="us-east-1")) is None \
            or stored["status"] != "complete":
        assert time.monotonic() < deadline, stored
        time.sleep(0.2)

    aws = local.state.aws
    assert run(["unschedule", "dev", "--local"]) == 0
    try:
        assert not [r for r in aws.client("events").list_rules()["Rules"] if r["Name"].startswith("evlocal-dev-")]
        assert "LambdaFunctionConfigurations" not in aws.client("s3").get_bucket_notification_configuration(
            Bucket="evlocal-uploads")
        assert aws.client("lambda").list_event_source_mappings(FunctionName="evlocal-dev")["EventSourceMappings"] == []
        assert get_async_response(started["response_id"], table="evlocal-tasks", region="us-east-1") == stored
        assert stored["response"]["sum"] == 5
    finally:
        assert run(["schedule", "dev", "--local"]) == 0  # the other tests of this module find the stage wired
    assert aws.client("s3").get_bucket_notification_configuration(Bucket="evlocal-uploads")["LambdaFunctionConfigurations"]


def _urls(local) -> str:
    """The deployed REST API's URL on the local gateway."""
    from zappa_core.local.urls import rest_api_url

    [api] = [a for a in local.state.aws.client("apigateway").get_rest_apis()["items"] if a["name"] == "evlocal-dev"]
    return rest_api_url(local.gateway_endpoint, api["id"], "dev")
