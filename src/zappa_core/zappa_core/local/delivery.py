"""How events reach functions on the local AWS besides a synchronous ``Invoke``, as Lambda delivers them:

- ``Invoke`` with ``InvocationType: Event`` (``zappa``'s ``@task``, ``lambda.invoke(..., InvocationType="Event")``),
  SNS deliveries and S3 notifications are asynchronous: the caller is answered first, the function runs
  beside it (:mod:`zappa_core.local.async_invoke`: retries, dead-letter queue);
- SQS mappings are polled in batches (:mod:`zappa_core.local.sqs_poller`).

The moto seams this needs (``moto.s3.notifications._invoke_awslambda``, ``LambdaBackend
.create_event_source_mapping``), and those of :mod:`zappa_core.local.conflicts`, are installed and removed
with the executor's (:mod:`zappa_core.local.moto_seam`).
"""

from __future__ import annotations

import json
from typing import Any

from zappa_core.local import limits
from zappa_core.local.async_invoke import AsyncInvoker

S3_DELIVERY = "moto.s3.notifications._invoke_awslambda"

_async: AsyncInvoker | None = None
_s3_original: Any = None


def install() -> None:
    global _async, _s3_original
    from moto.s3 import notifications

    from zappa_core.local import conflicts, sqs_poller

    conflicts.install()
    if _async is None:
        _async = AsyncInvoker(run)
    sqs_poller.install(invoke_arn)
    if _s3_original is None:
        _s3_original = notifications._invoke_awslambda
        notifications._invoke_awslambda = _s3_invoke_awslambda


def uninstall() -> None:
    global _async, _s3_original
    from moto.s3 import notifications

    from zappa_core.local import conflicts, sqs_poller

    conflicts.uninstall()
    sqs_poller.uninstall()
    if _s3_original is not None:
        notifications._invoke_awslambda = _s3_original
        _s3_original = None
    if _async is not None:
        _async.stop()
        _async = None


def submit(fn: Any, event: Any, invoked_arn: str | None = None) -> None:
    """Run ``fn`` with ``event`` asynchronously (synchronously when the executor's delivery is not installed)."""
    if _async is None:
        run(fn, event, invoked_arn)
    else:
        _async.submit(fn, event, invoked_arn)


def wait_idle(timeout: float | None = None) -> bool:
    """Wait until every asynchronous event submitted so far has run."""
    return True if _async is None else _async.wait_idle(timeout)


def run(fn: Any, event: Any, invoked_arn: str | None) -> Any:
    """One invocation as an event source makes it: waiting for free concurrency rather than refused."""
    from zappa_core.local import moto_seam

    moto_seam.calling.invoked_arn = invoked_arn
    return moto_seam.run_moto_function(fn, event, wait_for_capacity=moto_seam.SOURCE_WAIT_S)


def invoke_arn(function_arn: str, event: Any) -> tuple[Any, str | None]:
    """Invoke the function a mapping names (its ARN, maybe qualified); ``(decoded payload, function error)``."""
    from moto.awslambda.models import get_backend

    parts = function_arn.split(":")
    fn = get_backend(parts[4], parts[3])._lambdas.get_function_by_name_or_arn_with_qualifier(function_arn)
    result = run(fn, event, function_arn if len(parts) > 7 else None)
    try:
        payload = json.loads(result.payload) if result.payload else None
    except ValueError:
        payload = result.payload
    return payload, result.function_error


def event_invoke(backend: Any, function_name: str, qualifier: str | None, body: Any, invoked_arn: str | None) -> tuple:
    """The ``Invoke`` API for ``InvocationType: Event``: 202 at once, the function runs beside it (moto's
    own handling runs it before answering). A function that does not exist is a 404, as on Lambda."""
    try:
        fn = backend.get_function(function_name, qualifier)
    except Exception:  # noqa: BLE001 - moto's not-found errors come in several types
        message = json.dumps({"Type": "User", "message": f"Function not found: {function_name}"})
        return 404, {"status": "404", "x-amzn-ErrorType": "ResourceNotFoundException",
                     "content-type": "application/json"}, message
    raw = body.decode() if isinstance(body, bytes) else (body or "")
    limits.check_payload(raw, limits.ASYNC_PAYLOAD_BYTES)
    event = json.loads(raw) if raw.strip() else {}
    submit(fn, event, invoked_arn)
    return 202, {"status": "202", "content-type": "application/json"}, ""


def _s3_invoke_awslambda(account_id: str, event_body: Any, fn_arn: str, region_name: str) -> None:
    """Replaces moto's S3 notification delivery: S3 invokes Lambda asynchronously."""
    from moto.awslambda.utils import get_backend

    try:
        fn = get_backend(account_id, region_name).get_function(fn_arn)
    except Exception:  # noqa: BLE001 - a notification to a function that is gone is dropped, as on AWS
        return
    submit(fn, event_body, fn_arn if fn_arn.count(":") >= 7 else None)
