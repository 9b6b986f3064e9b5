"""A function-only project wired to every kind of event: each handler reports what it received."""

import os

from zappa.asynchronous import task


def _seen(name, event):
    records = event.get("Records") if isinstance(event, dict) else None
    return {"function": name, "records": len(records) if records else 0,
            "kwargs": event.get("kwargs") if isinstance(event, dict) else None}


def on_s3(event, context):
    return _seen("on_s3", event) | {"key": event["Records"][0]["s3"]["object"]["key"]}


def on_sns(event, context):
    return _seen("on_sns", event) | {"message": event["Records"][0]["Sns"]["Message"]}


def on_sqs(event, context):
    return _seen("on_sqs", event) | {"bodies": [r["body"] for r in event["Records"]]}


def on_sqs_strict(event, context):
    """Fails on a message whose body is 'Test message.' (the sample's first record)."""
    for record in event["Records"]:
        if record["body"] == "Test message.":
            raise ValueError(f"cannot process {record['messageId']}")
    return _seen("on_sqs_strict", event)


def on_orders(event, context):
    return _seen("on_orders", event)


def on_order_archive(event, context):
    return _seen("on_order_archive", event)


def on_kinesis(event, context):
    """Fails on the record with the sample's second sequence number."""
    for record in event["Records"]:
        if record["kinesis"]["sequenceNumber"].endswith("515618"):
            raise RuntimeError("bad record")
    return _seen("on_kinesis", event)


def on_ec2(event, context):
    return _seen("on_ec2", event) | {"state": event["detail"]["state"]}


def on_logs(event, context):
    return _seen("on_logs", event) | {"has_data": bool(event["awslogs"]["data"])}


def pre_signup(event, context):
    event["response"]["autoConfirmUser"] = True
    return event


def post_confirmation(event, context):
    return None  # Cognito gets the event back


def tick(event, context):
    return _seen("tick", event) | {"rule": event["resources"][0].rsplit("/", 1)[-1]}


def lex_order(event, context):
    return {"dialogAction": {"type": "Close", "fulfillmentState": "Fulfilled",
                             "message": {"contentType": "PlainText", "content": event["currentIntent"]["name"]}}}


def broken(event, context):
    raise KeyError("missing")


def swallow(exc, event, context):
    """exception_handler: swallows KeyError, lets everything else through."""
    return isinstance(exc, KeyError)


@task
def add(a, b):
    return {"sum": a + b, "pid": os.getpid()}
