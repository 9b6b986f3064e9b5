"""Lambda's limits on the local AWS: concurrency (throttling) and payload sizes, as AWS enforces them.

Every running invocation holds one unit of the account's local concurrency; a function with reserved
concurrency (``lambda_concurrency``, ``put_function_concurrency``) is also capped by its reservation. An
invocation past either is refused with :class:`Throttled` (HTTP 429 ``TooManyRequestsException``), as Lambda
refuses it; an event larger than Lambda accepts is refused with :class:`PayloadTooLarge` (413).
"""

from __future__ import annotations

import json
import os
import threading
import time
from typing import Any

#: The local AWS's account concurrency when not told otherwise (``zappa local start --concurrency``,
#: ``ZAPPA_LOCAL_CONCURRENCY``): a new AWS account's quota, and what one machine runs comfortably.
DEFAULT_CONCURRENCY = 10
#: Lambda's invocation payload quotas: synchronous requests and responses, and asynchronous (Event) requests.
SYNC_PAYLOAD_BYTES = 6 * 1024 * 1024
ASYNC_PAYLOAD_BYTES = 1024 * 1024
RESPONSE_TOO_LARGE = {"errorMessage": f"Response payload size exceeded maximum allowed payload size ({SYNC_PAYLOAD_BYTES} "
                                      "bytes).", "errorType": "Function.ResponseSizeTooLarge"}


class InvokeRefused(Exception):
    """Lambda refused the invocation before running it: ``status`` and ``error_type`` as its API answers."""

    status = 400
    error_type = "InvalidRequestContentException"

    def document(self) -> dict[str, Any]:
        return {"Type": "User", "message": str(self)}


class Throttled(InvokeRefused):
    status = 429
    error_type = "TooManyRequestsException"

    def __init__(self, function: str, reason: str) -> None:
        super().__init__("Rate Exceeded.")
        self.function = function
        self.reason = reason

    def document(self) -> dict[str, Any]:
        return {"Reason": self.reason, "Type": "User", "message": "Rate Exceeded."}


class PayloadTooLarge(InvokeRefused):
    status = 413
    error_type = "RequestTooLargeException"

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"Request must be smaller than {limit} bytes for the InvokeFunction operation")
        self.size = size
        self.limit = limit


def check_payload(event: Any, limit: int) -> None:
    """Raise :class:`PayloadTooLarge` when ``event``, as JSON, is over ``limit`` bytes."""
    size = len(event) if isinstance(event, (str, bytes)) else len(json.dumps(event).encode())
    if size > limit:
        raise PayloadTooLarge(size, limit)


def configured_concurrency() -> int:
    value = os.environ.get("ZAPPA_LOCAL_CONCURRENCY", "")
    return int(value) if value.strip().isdigit() and int(value) > 0 else DEFAULT_CONCURRENCY


class Concurrency:
    """Invocations in flight, per function and in total, against the limits."""

    def __init__(self, limit: int | None = None) -> None:
        self.limit = limit or configured_concurrency()
        self._total = 0
        self._by_function: dict[str, int] = {}
        self._changed = threading.Condition()

    def acquire(self, function: str, reserved: int | None, *, wait: float = 0.0) -> None:
        """Take a unit for ``function`` or raise :class:`Throttled`; ``wait`` seconds for one to free up first
        (Lambda's own pollers and async queue retry a throttled event instead of dropping it)."""
        deadline = time.monotonic() + wait
        with self._changed:
            while True:
                reason = self._refusal(function, reserved)
                if reason is None:
                    self._total += 1
                    self._by_function[function] = self._by_function.get(function, 0) + 1
                    return
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise Throttled(function, reason)
                self._changed.wait(remaining)

    def release(self, function: str) -> None:
        with self._changed:
            self._total -= 1
            count = self._by_function.get(function, 1) - 1
            if count:
                self._by_function[function] = count
            else:
                self._by_function.pop(function, None)
            self._changed.notify_all()

    def in_flight(self) -> dict[str, int]:
        with self._changed:
            return dict(self._by_function)

    def _refusal(self, function: str, reserved: int | None) -> str | None:
        if reserved is not None and self._by_function.get(function, 0) >= reserved:
            return "ReservedFunctionConcurrentInvocationLimitExceeded"
        if self._total >= self.limit:
            return "ConcurrentInvocationLimitExceeded"
        return None
