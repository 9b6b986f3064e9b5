"""The one seam into moto's Lambda backend: where it would run a function, the executor runs it.

moto keeps functions, versions, layers and event-source wiring, but runs no code without Docker: every
invocation path (``lambda.invoke``, S3/SNS/SQS/DynamoDB/Kinesis triggers, Logs subscriptions) ends in
``LambdaFunction._invoke_lambda(self, event) -> (payload, errored, log_tail)``. :func:`install` replaces
that method so the real handler from the real uploaded zip runs in a warm worker process per function
version (:class:`zappa_core.local.executor.Executor`), its log written to CloudWatch Logs and its metrics to
CloudWatch.

Where moto's way in differs from Lambda's, :mod:`zappa_core.local.moto_gaps` (SNS deliveries, the
``Invoke`` API) and :mod:`zappa_core.local.lambda_model` (versions, configuration, alias weights) correct it;
:mod:`zappa_core.local.delivery` adds asynchronous invocation, S3 notifications and SQS polling. All are
installed and removed together by :func:`install` / :func:`uninstall`. The supported moto range (the
``local`` extra of zappa-ng-core, checked by ``zappa local start``) and every seam are checked by
``tests/core/local/test_local_moto_hook.py``. ``MOTO_VERSION`` is the release the seams were last read in.
"""

from __future__ import annotations

import json
import os
import threading
import uuid
from pathlib import Path
from typing import Any

from zappa_core.arns import function_arn
from zappa_core.local import limits
from zappa_core.local.executor import Executor
from zappa_core.local.invocation import FunctionSpec, InvocationResult

MOTO_VERSION = "5.2.5"
HOOK_CLASS = "moto.awslambda.models.LambdaFunction"
HOOK_METHOD = "_invoke_lambda"
DEFAULT_ACCOUNT = "123456789012"
#: How long an event source (a stream, a queue poller) waits for a free unit of concurrency before giving up.
SOURCE_WAIT_S = 60.0

#: What the current thread's invocation was called with, which moto's ``_invoke_lambda(self, event)`` does
#: not carry: ``invoked_arn`` (the ARN the caller named), ``api_call`` (it came through the Invoke API),
#: ``executed_version`` (set here: the version that ran) and ``sns`` (the SNS subscription delivering).
calling = threading.local()

_executor: Executor | None = None
_original: Any = None
_install_lock = threading.Lock()


def install(*, aws_endpoint: str | None = None, cache_dir: Path | None = None, concurrency: int | None = None,
            gateway_endpoint: str | None = None) -> Executor:
    """Make moto's Lambda backend run real code through an :class:`Executor` (idempotent).

    ``aws_endpoint`` is the local AWS the functions' own boto3 calls go to (``AWS_ENDPOINT_URL``); it is
    updated when given again. Returns the executor so callers can :meth:`Executor.shutdown` its workers.
    """
    global _executor, _original
    from moto.awslambda import models

    from zappa_core.local import delivery, moto_gaps

    with _install_lock:
        endpoint = aws_endpoint or os.environ.get("ZAPPA_LOCAL_ENDPOINT") or "http://127.0.0.1:5000"
        if _executor is None:
            _executor = Executor(aws_endpoint=endpoint, cache_dir=cache_dir)
        else:
            _executor.aws_endpoint = endpoint
            if cache_dir is not None:
                _executor.cache_dir = Path(cache_dir)
        if gateway_endpoint:
            _executor.gateway_endpoint = gateway_endpoint
        current = getattr(models.LambdaFunction, HOOK_METHOD)
        if current is not _invoke_lambda:
            _original = current
            setattr(models.LambdaFunction, HOOK_METHOD, _invoke_lambda)
        moto_gaps.install()
        delivery.install()
        _executor.exists = _version_exists
        if concurrency:
            _executor.concurrency.limit = concurrency
    return _executor


def uninstall() -> None:
    """Give moto its own method back and stop every worker."""
    global _executor, _original
    from moto.awslambda import models

    from zappa_core.local import delivery, moto_gaps

    with _install_lock:
        if _original is not None:
            setattr(models.LambdaFunction, HOOK_METHOD, _original)
            _original = None
        moto_gaps.uninstall()
        delivery.uninstall()
        if _executor is not None:
            _executor.shutdown()
            _executor = None


def _version_exists(spec: FunctionSpec) -> bool:
    """Whether moto still holds this function version (workers of a deleted function are reaped)."""
    from moto.awslambda.models import get_backend

    account = spec.arn.split(":")[4]
    try:
        get_backend(account, spec.region).get_function(spec.name, None if spec.version == "$LATEST" else spec.version)
    except Exception:  # noqa: BLE001 - moto's not-found errors have several types
        return False
    return True


def installed() -> Executor | None:
    return _executor


def _invoke_lambda(self: Any, event: Any = None) -> tuple[str, bool, str]:
    """Replacement of ``LambdaFunction._invoke_lambda``: same arguments, same ``(payload, errored, tail)``.

    Invoked through the Lambda API, a throttled invocation is refused at once (the API answers 429); moto's
    event sources (streams, S3, logs) wait for a free unit of concurrency instead, as Lambda retries them.
    """
    wait = 0.0 if getattr(calling, "api_call", False) else SOURCE_WAIT_S
    result = run_moto_function(self, event, wait_for_capacity=wait)
    return result.payload, result.errored, result.log_tail()


def run_moto_function(fn: Any, event: Any, *, wait_for_capacity: float = 0.0) -> InvocationResult:
    """Invoke a moto ``LambdaFunction`` through the executor, write its log to CloudWatch Logs and its
    metrics to CloudWatch. Raises :class:`~zappa_core.local.limits.InvokeRefused` when Lambda would refuse."""
    from zappa_core.local import lambda_model, metrics

    invoked_arn = getattr(calling, "invoked_arn", None)
    calling.invoked_arn = None  # it names this invocation only (not the ones the handler sets off)
    if _executor is None:
        raise RuntimeError("the local executor is not installed")
    fn = lambda_model.weighted_version(fn, invoked_arn)
    calling.executed_version = str(fn.version)
    if event is None or event == "{}":  # moto hands an empty payload over as the string "{}"
        event = {}
    spec = spec_from_moto(fn)
    try:
        result = _executor.invoke(spec, event, invoked_arn=invoked_arn, wait_for_capacity=wait_for_capacity)
    except limits.Throttled:
        metrics.record(fn, invoked_arn, throttled=True)
        raise
    except ValueError as exc:
        return InvocationResult(payload=json.dumps({"errorMessage": str(exc), "errorType": "InvalidRuntimeException"}),
                                function_error="Unhandled", request_id=str(uuid.uuid4()), log_stream="",
                                log_lines=[], duration_ms=0.0)
    _save_logs(fn, result)
    metrics.record(fn, invoked_arn, result=result)
    metrics.record_embedded(fn, result.log_lines)
    return result


def spec_from_moto(fn: Any) -> FunctionSpec:
    from moto.awslambda.models import get_backend

    layers = []
    for layer in fn.layers or []:
        arn = layer["Arn"]
        region = arn.split(":")[3] if arn.count(":") >= 3 else fn.region
        found = get_backend(fn.account_id, region).layers_versions_by_arn(arn)
        if found is not None and found.code_bytes:
            layers.append((arn, found.code_bytes))
    reserved = getattr(fn, "reserved_concurrency", None)
    if str(fn.version) != "$LATEST":  # reserved concurrency is the function's, set on $LATEST
        try:
            reserved = get_backend(fn.account_id, fn.region).get_function(fn.function_name).reserved_concurrency
        except Exception:  # noqa: BLE001 - deleted meanwhile: the version's own copy stands
            pass
    return FunctionSpec(
        reserved_concurrency=int(reserved) if reserved not in (None, "") else None,
        name=fn.function_name, version=str(fn.version), arn=fn.function_arn, handler=fn.handler or "",
        runtime=fn.run_time or "", timeout=float(fn.timeout or 3), memory_size=int(fn.memory_size or 128),
        region=fn.region, code=getattr(fn, "code_bytes", b"") or b"", code_sha256=getattr(fn, "code_sha_256", ""),
        environment=dict(fn.environment_vars or {}), layers=tuple(layers),
    )


def _save_logs(fn: Any, result: InvocationResult) -> None:
    if not result.log_stream or not result.log_lines:
        return
    logs = fn.logs_backend
    events = [{"timestamp": stamp, "message": message} for stamp, message in result.log_lines]
    try:
        logs.put_log_events(fn.logs_group_name, result.log_stream, events)
    except Exception:  # noqa: BLE001 - a missing log group or stream is created, then the put is retried
        logs.ensure_log_group(fn.logs_group_name)
        try:
            logs.create_log_stream(fn.logs_group_name, result.log_stream)
        except Exception:  # noqa: BLE001 - the stream may already exist; the retried put reports a real failure
            pass
        logs.put_log_events(fn.logs_group_name, result.log_stream, events)


def invoke_deployed(function: str, event: Any, *, qualifier: str | None = None, region: str = "us-east-1",
                    account: str = DEFAULT_ACCOUNT) -> InvocationResult:
    """Invoke a function deployed on the local AWS in this process, without going through HTTP.

    ``function`` is a name or an ARN (an ARN's region and account win). Raises :class:`LookupError` when
    the function does not exist.
    """
    from moto.awslambda.models import lambda_backends

    if function.startswith("arn:"):
        parts = function.split(":")
        region, account = parts[3], parts[4]
        if len(parts) > 7 and qualifier is None:
            qualifier = parts[7]
            function = ":".join(parts[:7])
    try:
        fn = lambda_backends[account][region].get_function(function, qualifier)
    except Exception as exc:
        raise LookupError(f"function not found on the local AWS: {function}") from exc
    calling.invoked_arn = _invoked_arn(fn, qualifier)
    return run_moto_function(fn, event)


def _invoked_arn(fn: Any, qualifier: str | None) -> str:
    """The ARN a caller invoked: unqualified, or qualified by the version or alias it named."""
    return function_arn(fn.region, fn.account_id, fn.function_name, qualifier)





def active_regions(account: str = DEFAULT_ACCOUNT) -> list[str]:
    """The regions where the local AWS holds Lambda state (where schedules can have targets)."""
    from moto.awslambda.models import lambda_backends

    return sorted(lambda_backends[account].keys())
