"""A plain WSGI app whose event handlers leave evidence in the 'evidence' bucket, keyed by where the event came from."""

import json
import os

import boto3


def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"streams app"]


def _leave(name, payload):
    boto3.client("s3").put_object(Bucket="evidence", Key=name, Body=json.dumps(payload))


def on_notice(event, context):
    record = event["Records"][0]
    _leave("sns/" + record["Sns"]["Message"], {"pid": os.getpid(), "topic": record["Sns"]["TopicArn"],
                                               "subscription": record["EventSubscriptionArn"]})


def on_order(event, context):
    for record in event["Records"]:
        order = record["dynamodb"]["NewImage"]["id"]["S"]
        _leave("dynamodb/" + order, {"pid": os.getpid(), "source": record["eventSourceARN"]})


def on_click(event, context):
    import base64

    for record in event["Records"]:
        click = base64.b64decode(record["kinesis"]["data"]).decode()
        _leave("kinesis/" + click, {"pid": os.getpid(), "source": record["eventSourceARN"]})
