"""A Flask app with event handlers; every handler leaves evidence in the 'evidence' bucket."""

import json
import os
import time
from urllib.parse import unquote_plus

import boto3
from flask import Flask, jsonify
from zappa.asynchronous import get_async_response, task

app = Flask(__name__)
EVIDENCE = "evidence"


def _leave(name, payload):
    boto3.client("s3").put_object(Bucket=EVIDENCE, Key=name, Body=json.dumps(payload))


def on_upload(event, context):
    key = unquote_plus(event["Records"][0]["s3"]["object"]["key"])  # S3 events carry keys URL-encoded
    _leave(f"s3/{key}", {"pid": os.getpid()})


def on_notice(event, context):
    _leave("sns/" + event["Records"][0]["Sns"]["Message"], {"pid": os.getpid()})


def on_job(event, context):
    for record in event["Records"]:
        _leave("sqs/" + record["body"], {"pid": os.getpid()})


def tick(event, context):
    rule = event["resources"][0].rsplit("/", 1)[-1]
    _leave(f"schedule/{rule}/{event['kwargs']['n']}", {"kwargs": event.get("kwargs")})


@task(capture_response=True)
def add(a, b):
    started = time.time()
    time.sleep(a / 10)  # /add/30/... makes a 3-second task
    return {"sum": a + b, "pid": os.getpid(), "started": started, "finished": time.time()}


@app.route("/add/<int:a>/<int:b>")
def start_add(a, b):
    sent = add(a, b)
    return jsonify(response_id=sent.response_id, pid=os.getpid(), answered=time.time())


@app.route("/result/<response_id>")
def result(response_id):
    return jsonify(get_async_response(response_id))
