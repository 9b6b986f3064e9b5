"""Asynchronous and polled delivery on the local AWS, as Lambda does it: ``InvocationType: Event``, SNS and
S3 answer before the function runs (retries, then the dead-letter queue); SQS mappings deliver batches of
up to ``BatchSize`` records gathered for up to the batching window."""

from __future__ import annotations

import json
import time
import uuid

from botocore.config import Config
from zappa_core.local import delivery

SINK = """
import json, os, time, boto3

def handler(event, context):
    records = event.get("Records") or []
    time.sleep(event.get("sleep", 0))
    if event.get("fail") or any("fail" in (r.get("body") or "") for r in records):
        failing = [r["messageId"] for r in records if "fail" in r.get("body", "")]
        if event.get("partial"):
            return {"batchItemFailures": [{"itemIdentifier": i} for i in failing]}
        if event.get("partial") is not False and records:
            return {"batchItemFailures": [{"itemIdentifier": i} for i in failing]}
        raise RuntimeError("asked to fail")
    boto3.client("s3").put_object(Bucket=os.environ["SINK"], Key=context.aws_request_id,
                                  Body=json.dumps({"event": event, "done": time.time()}))
    return {"ok": True}
"""


def sink_objects(s3, bucket: str, count: int, timeout: float = 30) -> list[dict]:
    deadline = time.monotonic() + timeout
    while True:
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
        if len(keys) >= count or time.monotonic() > deadline:
            return [json.loads(s3.get_object(Bucket=bucket, Key=k)["Body"].read()) for k in keys]
        time.sleep(0.1)


def make_sink(local_aws, deploy_function, **extra):
    s3 = local_aws.state.aws.client("s3")
    bucket = f"sink-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    name = deploy_function({"app.py": SINK}, Environment={"Variables": {"SINK": bucket}}, Timeout=30, **extra)
    return s3, bucket, name


def lambda_client(local_aws):
    import boto3

    return boto3.client("lambda", endpoint_url=local_aws.aws_endpoint, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing",
                        config=Config(retries={"max_attempts": 0, "mode": "standard"}))


def test_an_event_invocation_answers_202_before_the_function_finishes(local_aws, deploy_function):
    s3, bucket, name = make_sink(local_aws, deploy_function)
    lam = lambda_client(local_aws)
    started = time.time()
    response = lam.invoke(FunctionName=name, InvocationType="Event", Payload=json.dumps({"sleep": 2}).encode())
    answered = time.time()
    assert response["StatusCode"] == 202 and response["Payload"].read() == b""
    assert answered - started < 1.5
    [done] = sink_objects(s3, bucket, 1)
    assert done["event"] == {"sleep": 2} and done["done"] > answered + 1
    try:
        lam.invoke(FunctionName="no-such-function", InvocationType="Event", Payload=b"{}")
    except lam.exceptions.ResourceNotFoundException as exc:
        assert exc.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    else:
        raise AssertionError("an event for a missing function was accepted")


def test_a_failing_event_is_retried_then_sent_to_the_dead_letter_queue(local_aws, deploy_function):
    sqs = local_aws.state.aws.client("sqs")
    queue = sqs.create_queue(QueueName=f"dlq-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    _, _, name = make_sink(local_aws, deploy_function, DeadLetterConfig={"TargetArn": queue_arn})
    lam = lambda_client(local_aws)
    lam.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=1)
    lam.invoke(FunctionName=name, InvocationType="Event", Payload=json.dumps({"fail": True, "n": 1}).encode())
    assert delivery.wait_idle(30)
    messages = sqs.receive_message(QueueUrl=queue, MessageAttributeNames=["All"], WaitTimeSeconds=1)["Messages"]
    assert json.loads(messages[0]["Body"]) == {"fail": True, "n": 1}
    attributes = messages[0]["MessageAttributes"]
    assert attributes["ErrorMessage"]["StringValue"] == "RuntimeError: asked to fail" and attributes["RequestID"]["StringValue"]
    streams = local_aws.state.aws.client("logs").filter_log_events(logGroupName=f"/aws/lambda/{name}")["events"]
    assert sum(e["message"].startswith("START RequestId") for e in streams) == 2  # the first try and one retry


def test_sqs_batches_follow_the_batch_size_and_window(local_aws, deploy_function):
    sqs = local_aws.state.aws.client("sqs")
    s3, bucket, name = make_sink(local_aws, deploy_function)
    queue = sqs.create_queue(QueueName=f"jobs-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    lambda_client(local_aws).create_event_source_mapping(EventSourceArn=queue_arn, FunctionName=name, BatchSize=5,
                                                         MaximumBatchingWindowInSeconds=2)
    for n in range(7):  # one at a time: the window gathers them into batches
        sqs.send_message(QueueUrl=queue, MessageBody=f"job-{n}",
                         MessageAttributes={"n": {"DataType": "Number", "StringValue": str(n)}})
    batches = sink_objects(s3, bucket, 2)
    sizes = sorted(len(b["event"]["Records"]) for b in batches)
    assert sizes == [2, 5], sizes
    records = [r for b in batches for r in b["event"]["Records"]]
    assert sorted(r["body"] for r in records) == [f"job-{n}" for n in range(7)]
    first = records[0]
    assert first["eventSource"] == "aws:sqs" and first["eventSourceARN"] == queue_arn
    assert first["messageAttributes"]["n"]["dataType"] == "Number" and first["md5OfBody"]
    assert int(first["attributes"]["SentTimestamp"]) > 1_600_000_000_000
    time.sleep(0.5)
    attributes = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["All"])["Attributes"]
    assert attributes["ApproximateNumberOfMessages"] == "0" and attributes["ApproximateNumberOfMessagesNotVisible"] == "0"


def test_sqs_partial_batch_failures_leave_only_the_failed_messages(local_aws, deploy_function):
    sqs = local_aws.state.aws.client("sqs")
    _, _, name = make_sink(local_aws, deploy_function)
    queue = sqs.create_queue(QueueName=f"jobs-{uuid.uuid4().hex[:8]}", Attributes={"VisibilityTimeout": "60"})["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sqs.send_message_batch(QueueUrl=queue, Entries=[{"Id": str(n), "MessageBody": body}
                                                    for n, body in enumerate(["ok-1", "fail-2", "ok-3"])])
    lambda_client(local_aws).create_event_source_mapping(EventSourceArn=queue_arn, FunctionName=name, BatchSize=10,
                                                         FunctionResponseTypes=["ReportBatchItemFailures"])
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        attributes = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["All"])["Attributes"]
        if attributes["ApproximateNumberOfMessages"] == "0" and attributes["ApproximateNumberOfMessagesNotVisible"] == "1":
            break
        time.sleep(0.2)
    assert (attributes["ApproximateNumberOfMessages"], attributes["ApproximateNumberOfMessagesNotVisible"]) == ("0", "1")
