"""Retries with backoff for AWS calls and waits, and the one place that classifies AWS errors.

botocore's adaptive retry mode (see :mod:`zappa_core.aws`) already retries throttled *calls*. What it cannot
retry is a multi-call operation that hit a transient state: a Lambda function whose previous update is still
in progress, a role that IAM has not propagated yet, an eventually consistent read. Those are retried here.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

THROTTLING_CODES = frozenset({
    "Throttling", "ThrottlingException", "ThrottledException", "TooManyRequestsException", "RequestLimitExceeded",
    "RequestThrottled", "RequestThrottledException", "ProvisionedThroughputExceededException", "SlowDown",
    "BandwidthLimitExceeded", "EC2ThrottledException", "PriorRequestNotComplete", "TransactionInProgressException",
})
TRANSIENT_CODES = THROTTLING_CODES | frozenset({
    "ResourceConflictException",  # Lambda: "The operation cannot be performed at this time. An update is in progress"
    "ConcurrentModificationException", "OperationAbortedException", "ServiceUnavailable", "ServiceUnavailableException",
    "InternalFailure", "InternalError", "InternalServerError", "ServiceException", "RequestTimeout",
    "RequestTimeoutException", "ConflictException",
})
NOT_FOUND_CODES = frozenset({
    "ResourceNotFoundException", "NoSuchEntity", "NoSuchBucket", "NoSuchKey", "404", "NotFound", "NotFoundException",
    "NoSuchEntityException",
})

# Sleep function, replaceable in tests.
sleep: Callable[[float], None] = time.sleep


def _unwrap(exc: BaseException) -> BaseException:
    """boto3's transfer errors (S3UploadFailedError) wrap the ClientError that says what happened."""
    seen = 0
    while getattr(exc, "response", None) is None and seen < 5:
        inner = exc.__cause__ or exc.__context__
        if inner is None:
            break
        exc, seen = inner, seen + 1
    return exc


def error_code(exc: BaseException) -> str:
    response = getattr(_unwrap(exc), "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Code", "") or "")
    return ""


def error_message(exc: BaseException) -> str:
    exc = _unwrap(exc)
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Message", "") or exc)
    return str(exc)


def http_status(exc: BaseException) -> int:
    response = getattr(_unwrap(exc), "response", None)
    if isinstance(response, dict):
        return int(response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
    return 0


def is_not_found(exc: BaseException) -> bool:
    code = error_code(exc)
    if "not yet implemented" in error_message(exc).lower():
        return False
    return code in NOT_FOUND_CODES


def is_aws_error(exc: BaseException) -> bool:
    try:
        from boto3.exceptions import Boto3Error
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError:  # pragma: no cover
        return False
    return isinstance(exc, (ClientError, BotoCoreError, Boto3Error))


def is_transient(exc: BaseException) -> bool:
    """Throttling, a 5xx, a conflict that goes away by itself, or a connection hiccup. (A role that IAM has
    not propagated yet is retried where a function is created, not here: a wrong role must fail fast.)"""
    try:
        from botocore.exceptions import (
            ConnectionClosedError,
            EndpointConnectionError,
            ReadTimeoutError,
        )
    except ImportError:  # pragma: no cover
        return False
    if isinstance(exc, (ConnectionClosedError, EndpointConnectionError, ReadTimeoutError)):
        return True
    code = error_code(exc)
    if code in TRANSIENT_CODES:
        return True
    status = http_status(exc)
    return status == 429 or (status >= 500 and "NotImplemented" not in code and status != 501)


def backoff_delays(attempts: int, base: float = 0.5, cap: float = 8.0) -> list[float]:
    """Full-jitter exponential backoff: ``attempts - 1`` delays."""
    return [random.uniform(0, min(cap, base * (2 ** i))) + base / 2 for i in range(max(0, attempts - 1))]


def retry(fn: Callable[[], T], *, attempts: int = 6, base: float = 0.5, cap: float = 8.0,
          when: Callable[[BaseException], bool] = is_transient) -> T:
    """Call ``fn`` until it succeeds or fails with an error that ``when`` does not accept."""
    delays = backoff_delays(attempts, base, cap)
    for delay in delays:
        try:
            return fn()
        except Exception as exc:
            if not when(exc):
                raise
            sleep(delay)
    return fn()


def wait_until(check: Callable[[], Any], *, what: str, timeout: float = 300.0, interval: float = 0.25,
               max_interval: float = 5.0) -> Any:
    """Poll ``check`` (returning a truthy value when done, raising on a hard failure) with growing intervals.
    Transient errors while polling are tolerated. Raises :class:`TimeoutError` naming ``what``."""
    deadline = time.monotonic() + timeout
    delay = interval
    while True:
        try:
            result = check()
            if result:
                return result
        except Exception as exc:
            if not is_transient(exc):
                raise
        if time.monotonic() >= deadline:
            raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}")
        sleep(delay)
        delay = min(max_interval, delay * 1.6)
