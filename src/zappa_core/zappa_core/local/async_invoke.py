"""Asynchronous invocations on the local AWS, as Lambda runs them: the caller is answered at once (``Invoke``
with ``InvocationType: Event`` gets its 202 before the function starts; an SNS publish or an S3 upload
returns before the subscribed function runs) and the function runs beside it.

Like Lambda's own queue, an event that finds no free concurrency waits for some; a failed invocation is
tried again ``MaximumRetryAttempts`` times (the function's event invoke config; 2 by default), after
:data:`RETRY_DELAYS_S` (Lambda waits about a minute, then two: locally seconds, so a test sees the outcome),
and an event that failed every try goes to the function's dead-letter queue or topic (``dead_letter_arn``)
with Lambda's ``RequestID``, ``ErrorCode`` and ``ErrorMessage`` attributes.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

log = logging.getLogger("zappa.local.async")

RETRY_DELAYS_S = (1.0, 2.0)
DEFAULT_RETRIES = 2
MAX_WORKERS = 64


class AsyncInvoker:
    """Runs events through ``run(fn, event, invoked_arn) -> InvocationResult`` on threads of its own."""

    def __init__(self, run: Callable[[Any, Any, str | None], Any]) -> None:
        self.run = run
        self._pool = ThreadPoolExecutor(max_workers=MAX_WORKERS, thread_name_prefix="zappa-local-event")
        self._stopping = threading.Event()
        self._pending = 0
        self._idle = threading.Condition()

    def submit(self, fn: Any, event: Any, invoked_arn: str | None = None) -> None:
        with self._idle:
            self._pending += 1
        self._pool.submit(self._deliver, fn, event, invoked_arn)

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait until every submitted event has run (or gone to its dead-letter target); for tests and stop."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def stop(self) -> None:
        self._stopping.set()
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _deliver(self, fn: Any, event: Any, invoked_arn: str | None) -> None:
        try:
            retries = max_retries(fn)
            result = None
            for attempt in range(retries + 1):
                if attempt and self._stopping.wait(RETRY_DELAYS_S[min(attempt, len(RETRY_DELAYS_S)) - 1]):
                    return
                try:
                    result = self.run(fn, event, invoked_arn)
                except Exception as exc:  # noqa: BLE001 - refused (throttled for too long): counts as a failed try
                    log.warning("event for %s not run: %s", fn.function_name, exc)
                    result = None
                    continue
                if result.function_error is None:
                    return
            dead_letter(fn, event, result)
        except Exception:  # one event's failure must not stop the others
            log.exception("asynchronous invocation of %s failed", getattr(fn, "function_name", fn))
        finally:
            with self._idle:
                self._pending -= 1
                self._idle.notify_all()


def max_retries(fn: Any) -> int:
    for config in getattr(fn, "event_invoke_config", None) or []:
        value = (getattr(config, "config", None) or {}).get("MaximumRetryAttempts")
        if value is not None:
            return int(value)
    return DEFAULT_RETRIES


def dead_letter(fn: Any, event: Any, result: Any) -> None:
    """Send a failed event to the function's dead-letter SQS queue or SNS topic, as Lambda does."""
    target = ((getattr(fn, "zappa_kept_config", None) or {}).get("DeadLetterConfig") or {}).get("TargetArn")
    if not target:
        return
    error_type, message = "Unhandled", "the function failed"
    request_id = getattr(result, "request_id", "")
    if result is not None:
        try:
            document = json.loads(result.payload)
            error_type = str(document.get("errorType") or error_type)
            message = str(document.get("errorMessage") or message)
        except (TypeError, ValueError, AttributeError):
            pass
    body = json.dumps(event)
    parts = target.split(":")
    region, account, name = parts[3], parts[4], parts[5]
    if parts[2] == "sqs":
        from moto.sqs.models import sqs_backends

        attributes = {"RequestID": {"DataType": "String", "StringValue": request_id},
                      "ErrorCode": {"DataType": "Number", "StringValue": "200"},
                      "ErrorMessage": {"DataType": "String", "StringValue": f"{error_type}: {message}"[:256]}}
        sqs_backends[account][region].send_message(name, body, message_attributes=attributes)
    elif parts[2] == "sns":
        from moto.sns.models import sns_backends

        attributes = {"RequestID": {"Type": "String", "Value": request_id},
                      "ErrorCode": {"Type": "Number", "Value": "200"},
                      "ErrorMessage": {"Type": "String", "Value": f"{error_type}: {message}"[:256]}}
        sns_backends[account][region].publish(body, arn=target, message_attributes=attributes)
    log.info("event for %s failed every try: sent to %s", fn.function_name, target)
