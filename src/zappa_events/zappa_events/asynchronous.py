"""Async tasks: run a function in a separate Lambda invocation, through Lambda or SNS.

    from zappa.asynchronous import task, get_async_response

    @task
    def make_thumbnail(key): ...

    make_thumbnail("photo.jpg")          # returns at once; the work runs in another invocation

``@task`` (and ``@task_sns``, ``run``) send ``{"task_path", "args", "kwargs", ...}`` to the function named by
``remote_aws_lambda_function_name`` or, by default, to the running function itself. Outside Lambda
(``AWS_LAMBDA_FUNCTION_NAME`` unset) and without a remote function, the call runs synchronously, so tests
and local runs need no AWS. With ``capture_response=True`` the result is stored in the stage's
``async_response_table`` and read back with :func:`get_async_response`.

Standard library only at import time; boto3 is imported when a task is sent.
"""

from __future__ import annotations

import importlib
import json
import os
import time
import uuid
from collections.abc import Callable
from functools import update_wrapper
from typing import Any

PAYLOAD_LIMIT = 256_000  # bytes: AWS's limit for an asynchronous invocation and an SNS message
RESPONSE_TTL_SECONDS = 600
LAMBDA_COMMAND = "zappa.asynchronous.route_lambda_task"
SNS_COMMAND = "zappa.asynchronous.route_sns_task"

_config: dict[str, Any] = {}
_clients: dict[tuple[str, str | None], Any] = {}


class AsyncException(Exception):
    """A task could not be sent (payload too large, unknown service, no function to send it to)."""


def configure(settings: dict) -> None:
    """Called by the runtime at cold start with the stage settings from the package manifest."""
    _config.clear()
    _clients.clear()
    _config.update({
        "function_name": settings.get("function_name"),
        "aws_region": settings.get("aws_region"),
        "async_source": settings.get("async_source"),
        "async_response_table": settings.get("async_response_table") or None,
    })


def _setting(name: str, env: str) -> Any:
    return _config.get(name) or os.environ.get(env) or None


def _client(service: str, region: str | None = None) -> Any:
    key = (service, region)
    if key not in _clients:
        import boto3

        _clients[key] = boto3.session.Session().client(service, region_name=region)
    return _clients[key]


def get_func_task_path(func: Callable) -> str:
    """``module.function`` of a task; the receiving invocation imports it from the same package."""
    module = func.__module__
    if module == "__main__":
        raise AsyncException(f"task {func.__name__} is defined in __main__, which another invocation cannot import")
    return f"{module}.{func.__qualname__}"


# -- sending ------------------------------------------------------------------------------------------------


class AsyncResponse:
    """What a task call returns when it was sent: ``response_id`` reads the result back when captured."""

    def __init__(self, response_id: str | None, service: str, sent: Any = None) -> None:
        self.response_id = response_id
        self.service = service
        self.sent = sent

    def __repr__(self) -> str:
        return f"<AsyncResponse {self.service} response_id={self.response_id!r}>"


def _payload(task_path: str, args: tuple, kwargs: dict, capture_response: bool, command: str) -> tuple[str | None, bytes]:
    response_id = str(uuid.uuid4()) if capture_response else None
    message = {"task_path": task_path, "capture_response": capture_response, "response_id": response_id,
               "args": list(args), "kwargs": kwargs, "command": command}
    try:
        body = json.dumps(message).encode()
    except TypeError as exc:
        raise AsyncException(f"the arguments of task {task_path} must be JSON-serialisable: {exc}") from None
    if len(body) > PAYLOAD_LIMIT:
        raise AsyncException(
            f"the payload of task {task_path} is {len(body)} bytes; asynchronous invocations take at most "
            f"{PAYLOAD_LIMIT} bytes. Pass a reference (an S3 key, a database id) instead of the data.")
    return response_id, body


def _record_pending(response_id: str | None, region: str | None) -> None:
    table = _setting("async_response_table", "ZAPPA_ASYNC_RESPONSE_TABLE")
    if response_id is None:
        return
    if not table:
        raise AsyncException("capture_response=True needs the 'async_response_table' setting")
    _client("dynamodb", region).put_item(TableName=table, Item={
        "id": {"S": response_id}, "ttl": {"N": str(int(time.time()) + RESPONSE_TTL_SECONDS)},
        "async_status": {"S": "in progress"}, "async_response": {"S": json.dumps(None)},
    })


def send_lambda(task_path: str, args: tuple, kwargs: dict, *, function_name: str, region: str | None = None,
                capture_response: bool = False) -> AsyncResponse:
    response_id, body = _payload(task_path, args, kwargs, capture_response, LAMBDA_COMMAND)
    _record_pending(response_id, region)
    result = _client("lambda", region).invoke(FunctionName=function_name, InvocationType="Event", Payload=body)
    return AsyncResponse(response_id, "lambda", result)


def async_topic_arn(function_name: str, region: str | None = None) -> str:
    from zappa_events.naming import async_topic_name

    sts = _client("sts", region)
    account = sts.get_caller_identity()["Account"]
    region = region or _client("sns", None).meta.region_name
    return f"arn:aws:sns:{region}:{account}:{async_topic_name(function_name)}"


def send_sns(task_path: str, args: tuple, kwargs: dict, *, function_name: str, region: str | None = None,
             capture_response: bool = False, topic_arn: str | None = None) -> AsyncResponse:
    response_id, body = _payload(task_path, args, kwargs, capture_response, SNS_COMMAND)
    _record_pending(response_id, region)
    arn = topic_arn or async_topic_arn(function_name, region)
    result = _client("sns", region).publish(TopicArn=arn, Message=body.decode())
    return AsyncResponse(response_id, "sns", result)


def run(func: Callable, args: tuple | list = (), kwargs: dict | None = None, service: str | None = None,
        capture_response: bool = False, remote_aws_lambda_function_name: str | None = None,
        remote_aws_region: str | None = None, **task_kwargs: Any) -> Any:
    """Run ``func(*args, **kwargs)`` in another invocation (or right here outside Lambda).

    ``service`` is ``"lambda"`` or ``"sns"`` (default: the ``async_source`` setting, else ``lambda``).
    Returns an :class:`AsyncResponse` when sent, else the function's own result.
    """
    args, kwargs = tuple(args), dict(kwargs or {}, **task_kwargs)
    service = service or _setting("async_source", "ZAPPA_ASYNC_SOURCE") or "lambda"
    if service not in ("lambda", "sns"):
        raise AsyncException(f"unknown async service {service!r}: use 'lambda' or 'sns'")
    function_name = remote_aws_lambda_function_name or os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
    target = getattr(func, "sync", func)
    if not function_name:
        return target(*args, **kwargs)
    region = remote_aws_region or _setting("aws_region", "AWS_REGION")
    task_path = get_func_task_path(target)
    if service == "sns":
        return send_sns(task_path, args, kwargs, function_name=function_name, region=region,
                        capture_response=capture_response)
    return send_lambda(task_path, args, kwargs, function_name=function_name, region=region,
                       capture_response=capture_response)


def task(*args: Any, **kwargs: Any) -> Any:
    """Decorator: calls of the function run in a separate invocation. ``@task`` or ``@task(service="sns",
    remote_aws_lambda_function_name=..., remote_aws_region=..., capture_response=False)``."""
    if len(args) == 1 and callable(args[0]) and not kwargs:
        return _decorate(args[0], {})
    if args:
        raise TypeError("use @task or @task(service=..., capture_response=..., remote_aws_lambda_function_name=...)")
    return lambda func: _decorate(func, kwargs)


def task_sns(func: Callable | None = None, **kwargs: Any) -> Any:
    """``@task`` sent through the stage's async SNS topic."""
    options = {**kwargs, "service": "sns"}
    return _decorate(func, options) if func is not None else (lambda f: _decorate(f, options))


def _decorate(func: Callable, options: dict[str, Any]) -> Callable:
    unknown = set(options) - {"service", "capture_response", "remote_aws_lambda_function_name", "remote_aws_region"}
    if unknown:
        raise TypeError(f"unknown task option(s): {', '.join(sorted(unknown))}")

    def send(*call_args: Any, **call_kwargs: Any) -> Any:
        return run(func, call_args, call_kwargs, **options)

    update_wrapper(send, func)
    send.sync = func  # type: ignore[attr-defined]  # what the receiving invocation runs
    return send


# -- receiving ----------------------------------------------------------------------------------------------


def import_task(task_path: str) -> Callable:
    module_name, _, name = task_path.rpartition(".")
    obj: Any = importlib.import_module(module_name)
    for part in name.split("."):
        obj = getattr(obj, part)
    return getattr(obj, "sync", obj)


def _store(response_id: str, status: str, response: Any) -> None:
    table = _setting("async_response_table", "ZAPPA_ASYNC_RESPONSE_TABLE")
    if not table:
        return
    try:
        body = json.dumps(response)
    except TypeError:
        body = json.dumps(repr(response))
    _client("dynamodb", _setting("aws_region", "AWS_REGION")).put_item(TableName=table, Item={
        "id": {"S": response_id}, "ttl": {"N": str(int(time.time()) + RESPONSE_TTL_SECONDS)},
        "async_status": {"S": status}, "async_response": {"S": body},
    })


def run_task(message: dict) -> Any:
    """Run one received task message; store its outcome when the sender asked for it."""
    func = import_task(message["task_path"])
    response_id = message.get("response_id") if message.get("capture_response") else None
    try:
        result = func(*message.get("args", []), **message.get("kwargs", {}))
    except Exception as exc:
        if response_id:
            _store(response_id, "failed", f"{type(exc).__name__}: {exc}")
        raise
    if response_id:
        _store(response_id, "complete", result)
    return result


def route_lambda_task(event: dict, context: Any = None) -> Any:
    """The receiving end of a Lambda-sent task (Zappa's name, kept for compatibility)."""
    return run_task(event)


def route_sns_task(event: dict, context: Any = None) -> Any:
    """The receiving end of an SNS-sent task: the task is the JSON message of the first record."""
    return run_task(json.loads(event["Records"][0]["Sns"]["Message"]))


def get_async_response(response_id: str, table: str | None = None, region: str | None = None) -> dict | None:
    """``{"status": "in progress" | "complete" | "failed", "response": ...}``, or ``None`` when unknown."""
    table = table or _setting("async_response_table", "ZAPPA_ASYNC_RESPONSE_TABLE")
    if not table:
        raise AsyncException("get_async_response needs the 'async_response_table' setting (or table=...)")
    item = _client("dynamodb", region or _setting("aws_region", "AWS_REGION")).get_item(
        TableName=table, Key={"id": {"S": response_id}}, ConsistentRead=True).get("Item")
    if not item:
        return None
    return {"status": item["async_status"]["S"], "response": json.loads(item["async_response"]["S"])}
