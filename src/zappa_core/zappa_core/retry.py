"""Retries with backoff for AWS calls and waits (what an error says is :mod:`zappa_core.awserrors`'s).

botocore's adaptive retry mode (see :mod:`zappa_core.aws`) already retries throttled *calls*. What it cannot
retry is a multi-call operation that hit a transient state: a Lambda function whose previous update is still
in progress, a role that IAM has not propagated yet, an eventually consistent read. Those are retried here.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any, TypeVar

from zappa_core.awserrors import error_code, http_status

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

# Sleep function, replaceable in tests.
sleep: Callable[[float], None] = time.sleep


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
