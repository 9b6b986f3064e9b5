"""The executor runs the real handler from the real zip, through every invocation path moto has."""

from __future__ import annotations

import base64
import json
import time
import uuid

import pytest
from local_zip import make_zip

pytestmark = pytest.mark.e2e

APP = """
import json, os, time
import boto3

print("init of", os.environ["AWS_LAMBDA_FUNCTION_NAME"])

def handler(event, context):
    print("event", json.dumps(event, sort_keys=True))
    if event.get("fail"):
        raise ValueError("the handler failed on purpose")
    if event.get("sleep"):
        time.sleep(event["sleep"])
    return {
        "pid": os.getpid(),
        "event": event,
        "greeting": os.environ.get("GREETING"),
        "function_name": context.function_name,
        "version": context.function_version,
        "memory": context.memory_limit_in_mb,
        "remaining": context.get_remaining_time_in_millis(),
        "request_id": context.aws_request_id,
        "arn": context.invoked_function_arn,
        "endpoint": os.environ.get("AWS_ENDPOINT_URL"),
    }
"""


def invoke(lam, name, event=None, **kwargs):
    response = lam.invoke(FunctionName=name, Payload=json.dumps(event if event is not None else {}), **kwargs)
    return response, json.loads(response["Payload"].read() or b"null")


def test_request_response_runs_the_handler_with_environment_and_context(local_aws, deploy_function):
    lam = local_aws.state.aws.client("lambda")
    name = deploy_function({"app.py": APP}, Timeout=7, MemorySize=256, Environment={"Variables": {"GREETING": "hello"}})
    response, result = invoke(lam, name, {"n": 1}, LogType="Tail")
    assert "FunctionError" not in response
    assert result["event"] == {"n": 1}
    assert result["greeting"] == "hello"
    assert result["function_name"] == name and result["version"] == "$LATEST" and result["memory"] == "256"
    assert 5000 < result["remaining"] <= 7000
    assert result["arn"].endswith(f":function:{name}")
    assert result["endpoint"] == local_aws.aws_endpoint
    tail = base64.b64decode(response["LogResult"]).decode()
    assert f"START RequestId: {result['request_id']} Version: $LATEST" in tail
    assert 'event {"n": 1}' in tail and f"REPORT RequestId: {result['request_id']}" in tail


def test_warm_worker_is_reused_and_event_invocations_run(local_aws, deploy_function):
    lam = local_aws.state.aws.client("lambda")
    name = deploy_function({"app.py": APP})
    _, first = invoke(lam, name)
    _, second = invoke(lam, name)
    assert first["pid"] == second["pid"]
    assert first["request_id"] != second["request_id"]
    response = lam.invoke(FunctionName=name, InvocationType="Event", Payload=json.dumps({"async": True}))
    assert response["StatusCode"] == 202
    messages = log_messages(local_aws, name)
    assert 'event {"async": true}' in messages


def test_new_code_and_new_version_get_fresh_workers(local_aws, deploy_function):
    lam = local_aws.state.aws.client("lambda")
    name = deploy_function({"app.py": APP})
    version = lam.publish_version(FunctionName=name)["Version"]
    _, latest = invoke(lam, name)
    _, published = invoke(lam, name, Qualifier=version)
    assert published["version"] == version and latest["version"] == "$LATEST"
    assert published["pid"] != latest["pid"]
    lam.update_function_code(FunctionName=name, ZipFile=make_zip({"app.py": APP.replace("init of", "init v2 of")}))
    _, updated = invoke(lam, name)
    assert updated["pid"] != latest["pid"]
    assert f"init v2 of {name}" in log_messages(local_aws, name)
    _, again = invoke(lam, f"{name}:{version}")
    assert again["pid"] == published["pid"]  # the published version's environment stays warm


def test_qualifier_and_alias_run_the_version_they_name(local_aws, deploy_function):
    lam = local_aws.state.aws.client("lambda")
    name = deploy_function({"app.py": APP})
    version = lam.publish_version(FunctionName=name)["Version"]
    lam.update_function_code(FunctionName=name, ZipFile=make_zip({"app.py": APP.replace("init of", "init v2 of")}))
    lam.create_alias(FunctionName=name, Name="live", FunctionVersion=version)
    arn = lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    _, by_number = invoke(lam, name, Qualifier=version)
    _, by_alias = invoke(lam, name, Qualifier="live")
    _, by_alias_arn = invoke(lam, f"{arn}:live")
    _, latest = invoke(lam, name)
    assert (by_number["version"], by_alias["version"], by_alias_arn["version"]) == (version, version, version)
    assert latest["version"] == "$LATEST" and latest["pid"] != by_number["pid"]
    # As on Lambda, the context names the ARN the caller invoked.
    assert (by_number["arn"], by_alias["arn"], latest["arn"]) == (f"{arn}:{version}", f"{arn}:live", arn)
    # The gateway's path (LocalState.invoke, given an integration URI of an alias) runs the alias' version.
    uri = f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{arn}:live/invocations"
    via_gateway, error = local_aws.state.invoke(uri, {"n": 2})
    assert error is None and via_gateway["version"] == version and via_gateway["arn"] == f"{arn}:live"
    assert via_gateway["pid"] == by_alias["pid"]
    with pytest.raises(Exception, match=r"ResourceNotFound|Function not found"):
        invoke(lam, name, Qualifier="no-such-alias")


def test_timeout_kills_the_worker_and_reports_it(local_aws, deploy_function):
    lam = local_aws.state.aws.client("lambda")
    name = deploy_function({"app.py": APP}, Timeout=1)
    _, before = invoke(lam, name)
    started = time.monotonic()
    response, error = invoke(lam, name, {"sleep": 5})
    assert time.monotonic() - started < 4
    assert response["FunctionError"]
    assert error["errorType"] == "Sandbox.Timedout"
    assert "Task timed out after 1.00 seconds" in error["errorMessage"]
    _, after = invoke(lam, name)
    assert after["pid"] != before["pid"]
    assert any(m.endswith(f"{error['errorMessage'].split()[1]} Task timed out after 1.00 seconds")
               for m in log_messages(local_aws, name))


def test_handler_error_is_a_function_error_payload(local_aws, deploy_function):
    lam = local_aws.state.aws.client("lambda")
    name = deploy_function({"app.py": APP})
    response, error = invoke(lam, name, {"fail": True})
    assert response["FunctionError"]
    assert error["errorType"] == "ValueError"
    assert error["errorMessage"] == "the handler failed on purpose"
    assert any("app.py" in frame and "in handler" in frame for frame in error["stackTrace"])
    assert "[ERROR] ValueError: the handler failed on purpose" in log_messages(local_aws, name)


def test_missing_module_is_an_import_error(local_aws, deploy_function):
    lam = local_aws.state.aws.client("lambda")
    name = deploy_function({"app.py": "import flask\ndef handler(event, context):\n    return 1\n"})
    response, error = invoke(lam, name)
    assert response["FunctionError"]
    # flask is installed on this machine, but not in the package: as on Lambda, it is not importable.
    assert error["errorType"] == "Runtime.ImportModuleError"
    assert "No module named 'flask'" in error["errorMessage"]


def test_layers_are_importable(local_aws, deploy_function):
    lam = local_aws.state.aws.client("lambda")
    layer = lam.publish_layer_version(LayerName=f"layer-{uuid.uuid4().hex[:6]}",
                                      Content={"ZipFile": make_zip({"python/helper.py": "VALUE = 'from the layer'\n"})})
    name = deploy_function({"app.py": "import helper\ndef handler(event, context):\n    return helper.VALUE\n"},
                           Layers=[layer["LayerVersionArn"]])
    _, result = invoke(lam, name)
    assert result == "from the layer"


def test_logs_land_in_cloudwatch(local_aws, deploy_function):
    lam = local_aws.state.aws.client("lambda")
    name = deploy_function({"app.py": APP})
    _, result = invoke(lam, name, {"marker": "cloudwatch"})
    messages = log_messages(local_aws, name)
    rid = result["request_id"]
    assert f"init of {name}" in messages
    order = [messages.index(f"START RequestId: {rid} Version: $LATEST"),
             messages.index('event {"marker": "cloudwatch"}'), messages.index(f"END RequestId: {rid}")]
    assert order == sorted(order)
    assert any(m.startswith(f"REPORT RequestId: {rid}\tDuration:") and "Init Duration" in m for m in messages)


SINK = """
import json, boto3

def handler(event, context):
    boto3.client("s3").put_object(Bucket="{bucket}", Key=context.aws_request_id, Body=json.dumps(event))
    return "stored"
"""


def test_s3_and_sqs_triggers_run_the_function(local_aws, deploy_function):
    aws = local_aws.state.aws
    s3, sqs, lam = aws.client("s3"), aws.client("sqs"), aws.client("lambda")
    sink = f"sink-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=sink)
    name = deploy_function({"app.py": SINK.replace("{bucket}", sink)})
    arn = lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"]

    uploads = f"uploads-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=uploads)
    s3.put_bucket_notification_configuration(Bucket=uploads, NotificationConfiguration={
        "LambdaFunctionConfigurations": [{"LambdaFunctionArn": arn, "Events": ["s3:ObjectCreated:*"]}]})
    s3.put_object(Bucket=uploads, Key="photo.jpg", Body=b"jpeg")

    queue = sqs.create_queue(QueueName=f"jobs-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    lam.create_event_source_mapping(EventSourceArn=queue_arn, FunctionName=name)
    sqs.send_message(QueueUrl=queue, MessageBody="job-1")

    stored = [json.loads(s3.get_object(Bucket=sink, Key=o["Key"])["Body"].read())
              for o in wait_for_objects(s3, sink, 2)]
    sources = {record["eventSource"]: record for event in stored for record in event["Records"]}
    assert sources["aws:s3"]["s3"]["object"]["key"] == "photo.jpg"
    assert sources["aws:sqs"]["body"] == "job-1"


def test_sns_publish_delivers_the_topic_and_subscription_it_came_from(local_aws, deploy_function):
    aws = local_aws.state.aws
    s3, sns, lam = aws.client("s3"), aws.client("sns"), aws.client("lambda")
    sink = f"sink-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=sink)
    name = deploy_function({"app.py": SINK.replace("{bucket}", sink)})
    arn = lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    topic = sns.create_topic(Name=f"notices-{uuid.uuid4().hex[:8]}")["TopicArn"]
    subscription = sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=arn)["SubscriptionArn"]
    sent = sns.publish(TopicArn=topic, Message="hello", Subject="greeting",
                       MessageAttributes={"kind": {"DataType": "String", "StringValue": "note"}})

    [stored] = wait_for_objects(s3, sink, 1)
    [record] = json.loads(s3.get_object(Bucket=sink, Key=stored["Key"])["Body"].read())["Records"]
    assert record["EventSource"] == "aws:sns" and record["EventSubscriptionArn"] == subscription
    message = record["Sns"]
    assert (message["TopicArn"], message["MessageId"]) == (topic, sent["MessageId"])
    assert (message["Message"], message["Subject"]) == ("hello", "greeting")
    assert message["MessageAttributes"] == {"kind": {"Type": "String", "Value": "note"}}
    assert message["Timestamp"].endswith("Z") and "EXAMPLE" not in json.dumps(record)


def wait_for_objects(s3, bucket, count, timeout=60):  # returns as soon as they are there
    deadline = time.monotonic() + timeout
    while True:
        objects = s3.list_objects_v2(Bucket=bucket).get("Contents", [])
        if len(objects) >= count or time.monotonic() > deadline:
            return objects
        time.sleep(0.1)


def log_messages(local_aws, name):
    logs = local_aws.state.aws.client("logs")
    events = logs.filter_log_events(logGroupName=f"/aws/lambda/{name}")["events"]
    return [e["message"] for e in sorted(events, key=lambda e: (e["timestamp"], e.get("ingestionTime", 0)))]
