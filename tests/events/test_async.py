"""Async tasks: local execution, sending through Lambda and SNS, the payload limit, captured responses."""

from __future__ import annotations

import json

import pytest

from zappa_events import asynchronous


@pytest.fixture(autouse=True)
def fresh_config(monkeypatch):
    monkeypatch.delenv("AWS_LAMBDA_FUNCTION_NAME", raising=False)
    asynchronous.configure({})
    yield
    asynchronous.configure({})


@asynchronous.task
def double(x):
    return x * 2


@asynchronous.task(capture_response=True)
def shout(text, suffix="!"):
    return text.upper() + suffix


def test_the_zappa_import_path_is_the_same_api():
    from zappa.asynchronous import get_async_response, run, task, task_sns

    assert (task, task_sns, run, get_async_response) == (asynchronous.task, asynchronous.task_sns,
                                                          asynchronous.run, asynchronous.get_async_response)


def test_outside_lambda_a_task_runs_right_here():
    assert double(21) == 42
    assert shout("hi", suffix="?") == "HI?"
    assert asynchronous.run(double.sync, (5,)) == 10
    assert double.__name__ == "double" and double.sync(1) == 2


def test_unknown_options_and_services_are_clear_errors():
    with pytest.raises(TypeError, match="unknown task option"):
        asynchronous.task(retries=3)(lambda: None)
    with pytest.raises(asynchronous.AsyncException, match="unknown async service 'sqs'"):
        asynchronous.run(double, (1,), service="sqs")


def test_on_lambda_a_task_is_sent_as_an_event_invocation(moto_aws, function, monkeypatch):
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "demo-dev")
    sent = double(21)
    assert isinstance(sent, asynchronous.AsyncResponse) and sent.service == "lambda"
    assert sent.response_id is None
    assert sent.sent["StatusCode"] == 202
    # moto's Lambda echoes the payload (no code runs in-process): it is the message the runtime routes
    assert json.loads(sent.sent["Payload"].read()) == {
        "task_path": f"{__name__}.double", "capture_response": False, "response_id": None,
        "args": [21], "kwargs": {}, "command": "zappa.asynchronous.route_lambda_task"}


def test_the_payload_limit_is_checked_before_sending(moto_aws, monkeypatch):
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "demo-dev")
    with pytest.raises(asynchronous.AsyncException, match=r"is 3000\d{3} bytes; asynchronous invocations take at most 256000"):
        double("x" * 3_000_000)


def test_a_remote_function_gets_the_task_even_from_a_laptop(moto_aws, function):
    sent = asynchronous.run(double, (4,), remote_aws_lambda_function_name="demo-dev", remote_aws_region="us-east-1")
    assert sent.sent["StatusCode"] == 202


def test_task_sns_publishes_to_the_stage_topic_and_the_receiver_runs_it(moto_aws, monkeypatch):
    topic = moto_aws.client("sns").create_topic(Name="demo-dev-zappa-async")["TopicArn"]
    queue = moto_aws.client("sqs").create_queue(QueueName="spy")["QueueUrl"]
    queue_arn = moto_aws.client("sqs").get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    moto_aws.client("sns").subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn,
                                     Attributes={"RawMessageDelivery": "true"})
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "demo-dev")
    notify = asynchronous.task_sns(double.sync)
    assert notify(8).service == "sns"
    [message] = moto_aws.client("sqs").receive_message(QueueUrl=queue)["Messages"]
    task = json.loads(message["Body"])
    assert task["task_path"] == f"{__name__}.double" and task["command"] == "zappa.asynchronous.route_sns_task"
    event = {"Records": [{"EventSource": "aws:sns", "Sns": {"TopicArn": topic, "Message": message["Body"]}}]}
    assert asynchronous.route_sns_task(event) == 16


def test_captured_responses_go_through_the_response_table(moto_aws, monkeypatch):
    moto_aws.client("dynamodb").create_table(
        TableName="demo-tasks", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")
    asynchronous.configure({"async_response_table": "demo-tasks", "aws_region": "us-east-1", "function_name": "demo-dev"})
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "demo-dev")
    sent = asynchronous.run(shout, ("hey",), capture_response=True)
    assert asynchronous.get_async_response(sent.response_id) == {"status": "in progress", "response": None}

    payload = json.loads(sent.sent["Payload"].read())  # what the receiving invocation gets
    assert asynchronous.route_lambda_task(payload) == "HEY!"
    assert asynchronous.get_async_response(sent.response_id) == {"status": "complete", "response": "HEY!"}
    assert asynchronous.get_async_response("no-such-id") is None


def test_a_failing_task_records_the_failure_and_raises_for_lambda_to_retry(moto_aws):
    moto_aws.client("dynamodb").create_table(
        TableName="demo-tasks", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")
    asynchronous.configure({"async_response_table": "demo-tasks", "aws_region": "us-east-1"})
    message = {"task_path": f"{__name__}.double", "args": [None], "kwargs": {}, "capture_response": True,
               "response_id": "r-1"}
    with pytest.raises(TypeError):
        asynchronous.run_task(message)
    answer = asynchronous.get_async_response("r-1")
    assert answer["status"] == "failed" and answer["response"].startswith("TypeError:")


def test_capture_without_a_table_is_a_clear_error(moto_aws, monkeypatch):
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "demo-dev")
    with pytest.raises(asynchronous.AsyncException, match="needs the 'async_response_table' setting"):
        shout("x")
