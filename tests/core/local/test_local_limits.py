"""Lambda's limits on the local AWS: concurrency (429 TooManyRequestsException past the function's reserved
or the account's local concurrency), payload quotas (413), the CloudWatch metrics of every invocation, and
idle workers stopped on a timer."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from typing import Any

import pytest
from botocore.config import Config
from zappa_core.local import executor

SLOW = "import time, os\ndef handler(event, context):\n    time.sleep(event.get('sleep', 0))\n" \
       "    if event.get('fail'):\n        raise ValueError('asked to fail')\n" \
       "    if event.get('big'):\n        return 'x' * event['big']\n    return {'pid': os.getpid()}\n"


def lambda_client(local_aws) -> Any:
    import boto3

    return boto3.client("lambda", endpoint_url=local_aws.aws_endpoint, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing",
                        config=Config(retries={"max_attempts": 0, "mode": "standard"}, read_timeout=60))


def invoke_together(client, name: str, count: int, event: dict) -> list[dict]:
    """``count`` concurrent invocations; each outcome is the payload or the error's code and reason."""
    outcomes: list[dict] = []
    lock = threading.Lock()
    go = threading.Event()

    def call() -> None:
        go.wait()
        try:
            response = client.invoke(FunctionName=name, Payload=json.dumps(event).encode())
            outcome = {"status": response["StatusCode"], "payload": json.loads(response["Payload"].read())}
        except client.exceptions.TooManyRequestsException as exc:
            outcome = {"status": exc.response["ResponseMetadata"]["HTTPStatusCode"], "error": exc.response["Error"]["Code"],
                       "reason": exc.response.get("Reason")}
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=call) for _ in range(count)]
    for thread in threads:
        thread.start()
    go.set()
    for thread in threads:
        thread.join()
    return outcomes


def metric_sum(local_aws, name: str, metric: str, **dims: str) -> float:
    now = dt.datetime.now(dt.timezone.utc)
    dimensions = [{"Name": "FunctionName", "Value": name}] + [{"Name": k, "Value": v} for k, v in dims.items()]
    points = local_aws.state.aws.client("cloudwatch").get_metric_statistics(
        Namespace="AWS/Lambda", MetricName=metric, Dimensions=dimensions, StartTime=now - dt.timedelta(hours=1),
        EndTime=now + dt.timedelta(minutes=1), Period=3600, Statistics=["Sum"])["Datapoints"]
    return sum(p["Sum"] for p in points)


def test_past_the_reserved_concurrency_invocations_are_throttled(local_aws, deploy_function):
    name = deploy_function({"app.py": SLOW}, Timeout=30)
    lam = lambda_client(local_aws)
    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=2)
    outcomes = invoke_together(lam, name, 5, {"sleep": 1.5})
    ran = [o for o in outcomes if o["status"] == 200]
    throttled = [o for o in outcomes if o["status"] == 429]
    assert len(ran) == 2 and len(throttled) == 3
    assert {(o["error"], o["reason"]) for o in throttled} == {
        ("TooManyRequestsException", "ReservedFunctionConcurrentInvocationLimitExceeded")}
    assert metric_sum(local_aws, name, "Throttles") == 3 and metric_sum(local_aws, name, "Invocations") == 2
    # a reservation of 0 stops the function, as on Lambda
    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)
    assert invoke_together(lam, name, 1, {})[0]["reason"] == "ReservedFunctionConcurrentInvocationLimitExceeded"
    lam.delete_function_concurrency(FunctionName=name)
    assert invoke_together(lam, name, 1, {})[0]["status"] == 200


def test_past_the_account_limit_invocations_are_throttled_and_workers_stay_capped(local_aws, deploy_function, monkeypatch):
    name = deploy_function({"app.py": SLOW}, Timeout=30)
    monkeypatch.setattr(local_aws._executor.concurrency, "limit", 3)
    lam = lambda_client(local_aws)
    outcomes = invoke_together(lam, name, 8, {"sleep": 1.5})
    assert sorted(o["status"] for o in outcomes) == [200] * 3 + [429] * 5
    assert {o.get("reason") for o in outcomes if o["status"] == 429} == {"ConcurrentInvocationLimitExceeded"}
    assert len({o["payload"]["pid"] for o in outcomes if o["status"] == 200}) == 3
    assert len([w for w in local_aws._executor.workers() if w["function"] == name]) == 3


def test_invocations_errors_and_durations_are_cloudwatch_metrics(local_aws, deploy_function):
    name = deploy_function({"app.py": SLOW})
    lam = lambda_client(local_aws)
    for event in ({}, {}, {"fail": True}, {"sleep": 0.2}):
        lam.invoke(FunctionName=name, Payload=json.dumps(event).encode())
    assert metric_sum(local_aws, name, "Invocations") == 4
    assert metric_sum(local_aws, name, "Errors") == 1
    assert metric_sum(local_aws, name, "Throttles") == 0
    assert metric_sum(local_aws, name, "Duration") >= 200
    version = lam.publish_version(FunctionName=name)["Version"]
    lam.create_alias(FunctionName=name, Name="live", FunctionVersion=version)
    lam.invoke(FunctionName=name, Qualifier="live", Payload=b"{}")
    assert metric_sum(local_aws, name, "Invocations") == 5
    assert metric_sum(local_aws, name, "Invocations", Resource=f"{name}:live", ExecutedVersion=version) == 1


def test_payloads_over_lambdas_quotas_are_refused(local_aws, deploy_function):
    name = deploy_function({"app.py": SLOW})
    lam = lambda_client(local_aws)
    with pytest.raises(lam.exceptions.RequestTooLargeException) as refused:
        lam.invoke(FunctionName=name, Payload=json.dumps({"pad": "x" * (6 * 1024 * 1024)}).encode())
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 413
    response = lam.invoke(FunctionName=name, Payload=json.dumps({"big": 7 * 1024 * 1024}).encode())
    assert response["FunctionError"]
    assert json.loads(response["Payload"].read())["errorType"] == "Function.ResponseSizeTooLarge"


def test_idle_workers_are_stopped_on_a_timer_and_at_once_after_a_delete(local_aws, deploy_function, monkeypatch):
    from zappa_core.local.worker import __file__ as _  # noqa: F401 - the worker module exists

    exe = local_aws._executor
    name = deploy_function({"app.py": SLOW})
    lam = lambda_client(local_aws)
    lam.invoke(FunctionName=name, Payload=b"{}")
    pids = [w["pid"] for w in exe.workers() if w["function"] == name]
    assert len(pids) == 1
    lam.delete_function(FunctionName=name)
    assert exe.reap() >= 1  # its function is gone: no waiting for the idle timeout
    assert not [w for w in exe.workers() if w["function"] == name]

    other = deploy_function({"app.py": SLOW})
    monkeypatch.setattr(exe, "idle_ttl", 0.5)
    monkeypatch.setattr(executor, "REAP_INTERVAL_S", 0.2)
    exe.shutdown()  # the reaper restarts with the short interval on the next invocation
    lam.invoke(FunctionName=other, Payload=b"{}")
    deadline = time.monotonic() + 10
    while [w for w in exe.workers() if w["function"] == other] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [w for w in exe.workers() if w["function"] == other]  # nothing else was invoked meanwhile
