"""Every non-HTTP event sample through the real handler of a real package (``zappa package``), served by the
runtime's Lambda worker: each reaches the function the settings wire it to, with Zappa's signature."""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

APP = Path(__file__).parent / "apps" / "events_app"
WORKER = Path(__file__).parent.parent / "runtime" / "lambda_worker.py"
RULE = "arn:aws:events:us-east-1:123456789012:rule/"


class Worker:
    """One ``python -I`` process that imports the package's ``handler`` as Lambda does (JSON lines in and out)."""

    def __init__(self, folder: Path, scratch: Path) -> None:
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(scratch), "LANG": "C.UTF-8",
               "LAMBDA_TASK_ROOT": str(folder), "AWS_DEFAULT_REGION": "us-east-1",
               "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
        self.stderr = open(scratch / "stderr.log", "w+", encoding="utf-8")  # noqa: SIM115 - closed in close()
        self.process = subprocess.Popen([sys.executable, "-I", str(WORKER), str(folder)], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=self.stderr, env=env, cwd=folder, text=True)
        self._read()

    def _read(self) -> dict:
        line = self.process.stdout.readline()
        if not line:
            self.stderr.seek(0)
            raise RuntimeError(f"the Lambda worker exited:\n{self.stderr.read()[-4000:]}")
        return json.loads(line)

    def invoke(self, event: dict) -> dict:
        self.process.stdin.write(json.dumps(event) + "\n")
        self.process.stdin.flush()
        return self._read()

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=10)
        self.stderr.close()


@pytest.fixture(scope="module")
def worker(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("events-package")
    project = workdir / "project"
    shutil.copytree(APP, project)
    archive = workdir / "package.zip"
    done = subprocess.run([sys.executable, "-m", "zappa_core", "package", "dev", "-o", str(archive)], cwd=project,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(workdir / "package")
        manifest = json.loads(zf.read("zappa_manifest.json"))
    assert "zappa_events.runtime" in manifest["runtime_modules"]
    served = Worker(workdir / "package", workdir)
    yield served
    served.close()


def result(worker: Worker, event: dict):
    answer = worker.invoke(event)
    assert "result" in answer, answer
    return answer["result"]


def with_source(event: dict, arn: str) -> dict:
    event = copy.deepcopy(event)
    for record in event["Records"]:
        record["eventSourceARN"] = arn
    return event


def test_s3_records_by_bucket_and_by_notification_id(worker, sample):
    event = sample("s3Event")
    assert result(worker, event) == {"function": "on_s3", "records": 1, "kwargs": None,
                                     "key": "b21b84d653bb07b05b1e6b33684dc11b"}
    event["Records"][0]["s3"]["configurationId"] = "evapp-dev:app.on_s3"  # as the plugin names notifications
    event["Records"][0]["s3"]["bucket"]["arn"] = "arn:aws:s3:::not-in-the-settings"
    assert result(worker, event)["function"] == "on_s3"


def test_sns_records_by_topic(worker, sample):
    assert result(worker, sample("snsEvent"))["function"] == "on_sns"


def test_sqs_batch_reaches_the_function_whole(worker, sample):
    assert result(worker, sample("sqsEvent")) == {"function": "on_sqs", "records": 2, "kwargs": None,
                                                  "bodies": ["Test message.", '{"message": "foo1"}']}


def test_sqs_failure_fails_the_batch_so_aws_retries_it(worker, sample):
    answer = worker.invoke(with_source(sample("sqsEvent"), "arn:aws:sqs:us-east-2:123456789012:strict-queue"))
    assert answer["error"] == "ValueError" and "059f36b4" in answer["message"]


def test_sqs_partial_batch_response_names_only_the_failed_message(worker, sample):
    event = with_source(sample("sqsEvent"), "arn:aws:sqs:us-east-2:123456789012:partial-queue")
    assert result(worker, event) == {"batchItemFailures": [{"itemIdentifier": "059f36b4-87a3-44ab-83d2-661975830a7d"}]}


def test_kinesis_partial_batch_stops_at_the_first_failed_record(worker, sample):
    assert result(worker, sample("kinesisStreamEvent")) == {"batchItemFailures": [
        {"itemIdentifier": "49590338271490256608559692540925702759324208523137515618"}]}


def test_dynamodb_records_of_two_streams_reach_their_own_functions(worker, sample):
    # the sample's eventSourceARNs are placeholders ("eventsource_arn", "source_arn"): real stream ARNs here
    event = sample("dynamoStreamEvent")
    event["Records"][0]["eventSourceARN"] = "arn:aws:dynamodb:us-east-2:123456789012:table/orders/stream/2024-01-01T00:00:00.000"
    event["Records"][1]["eventSourceARN"] = "arn:aws:dynamodb:us-east-2:123456789012:table/archive/stream/2024-01-01T00:00:00.000"
    assert [r["function"] for r in result(worker, event)] == ["on_orders", "on_order_archive"]
    assert [r["records"] for r in result(worker, event)] == [1, 1]


def test_eventbridge_event_matched_by_pattern(worker, sample):
    assert result(worker, sample("eventBridgeEvent")) == {"function": "on_ec2", "records": 0, "kwargs": None,
                                                          "state": "terminated"}
    other = sample("eventBridgeEvent")
    other["detail"]["state"] = "running"
    assert worker.invoke(other)["error"] == "UnhandledEventError"


def test_cloudwatch_logs_by_log_group(worker, sample):
    assert result(worker, sample("cloudWatchLogEvent"))["function"] == "on_logs"


def test_cognito_trigger_gets_the_event_back(worker, sample):
    event = sample("cognitoPreSignUpEvent")
    assert result(worker, event)["response"] == {"autoConfirmUser": True}
    event["triggerSource"] = "PostConfirmation_ConfirmSignUp"
    assert result(worker, event) == event  # the function returned None: Cognito needs the event


def test_scheduled_event_runs_the_rules_function_with_its_kwargs(worker, sample):
    event = {"version": "0", "detail-type": "Scheduled Event", "source": "aws.events", "detail": {},
             "resources": [RULE + "evapp-dev-app.tick"]}
    assert result(worker, event) == {"function": "tick", "records": 0, "kwargs": {"colour": "blue"},
                                     "rule": "evapp-dev-app.tick"}


def test_keep_warm_ping_is_answered_without_running_anything(worker, sample):
    event = {"detail-type": "Scheduled Event", "source": "aws.events", "detail": {},
             "resources": [RULE + "evapp-dev-zappa-keep-warm-handler.keep_warm_callback"]}
    assert result(worker, event) == {"zappa": "warm"}


def test_exception_handler_applies_to_event_functions(worker, sample):
    event = {"detail-type": "Scheduled Event", "source": "aws.events", "detail": {},
             "resources": [RULE + "evapp-dev-app.broken"]}
    assert result(worker, event) is None  # app.swallow returned True for the KeyError


def test_lex_intent(worker, sample):
    event = {"currentIntent": {"name": "OrderFlowers", "slots": {}}, "bot": {"name": "Shop"},
             "invocationSource": "FulfillmentCodeHook", "sessionAttributes": {}}
    assert result(worker, event)["dialogAction"]["message"]["content"] == "OrderFlowers"


def test_async_task_payload_runs_the_undecorated_function(worker, sample):
    event = {"command": "zappa.asynchronous.route_lambda_task", "task_path": "app.add", "args": [2, 3],
             "kwargs": {}, "capture_response": False, "response_id": None}
    assert result(worker, event)["sum"] == 5


def test_a_record_from_an_unwired_source_is_not_claimed(worker, sample):
    answer = worker.invoke(with_source(sample("sqsEvent"), "arn:aws:sqs:us-east-2:123456789012:unknown"))
    assert answer["error"] == "UnhandledEventError"


SCHEDULED = {"version": "0", "detail-type": "Scheduled Event", "source": "aws.events", "detail": {}}


@pytest.mark.parametrize("event", [
    {**SCHEDULED, "resources": [None]},
    {**SCHEDULED, "resources": [5]},
    {**SCHEDULED, "resources": {"rule": RULE + "evapp-dev-app.tick"}},
    {**SCHEDULED, "resources": 5},
    {**SCHEDULED, "resources": [["nested"]]},
    {"Records": [{"s3": None}]},
    {"Records": [{"s3": {"bucket": "lambda-artifacts-deafc19498e3f2df"}}]},
    {"Records": [{"Sns": "not an object"}]},
    {"Records": [{"eventSource": "aws:sqs", "eventSourceARN": "arn:aws:sqs:us-east-2:123456789012:my-queue"}, 7]},
    {"bot": {"name": "Shop"}, "currentIntent": "OrderFlowers", "invocationSource": "FulfillmentCodeHook"},
], ids=["resource-none", "resource-number", "resources-object", "resources-number", "resource-list", "s3-none",
        "s3-bucket-string", "sns-string", "sqs-record-number", "lex-intent-string"])
def test_a_malformed_event_is_the_documented_unhandled_event_error(worker, event):
    answer = worker.invoke(event)
    assert answer["error"] == "UnhandledEventError", answer
    assert "no runtime plugin recognises this event (top-level keys:" in answer["message"]


def test_an_error_of_the_users_function_is_not_taken_for_a_malformed_event(worker, sample):
    event = sample("s3Event")
    del event["Records"][0]["s3"]["object"]  # on_s3 reads it: its KeyError is the function's own
    event["Records"][0]["s3"]["configurationId"] = "evapp-dev:app.on_s3"
    answer = worker.invoke(event)
    assert answer["result"] is None  # the stage's exception_handler swallows KeyError: it saw the app's error
    strict = with_source(sample("sqsEvent"), "arn:aws:sqs:us-east-2:123456789012:strict-queue")
    assert worker.invoke(strict)["error"] == "ValueError"
