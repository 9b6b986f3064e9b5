"""Answering, in the test process, the few AWS operations that moto does not implement.

:func:`answer_in_process` patches botocore's client so that every API call made in the process is recorded
with its parameters. A call of an operation that has a handler is answered by that handler, after its
parameters have been checked against botocore's model of the API (what AWS itself rejects is rejected);
every other call goes on to moto unchanged. A handler raises :class:`Refusal` to answer with an AWS error,
and may read moto's state with :meth:`Recorder.moto` (not recorded: the code under test did not make it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

READ_PREFIXES = ("Get", "List", "Describe", "Head")


@dataclass
class Call:
    service: str
    operation: str
    params: dict[str, Any] = field(default_factory=dict)


class Refusal(Exception):
    """An AWS error answer: ``raise Refusal("ResourceNotFoundException", "Function not found", 404)``."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


Handler = Callable[["Recorder", Any, dict[str, Any]], dict[str, Any]]


class Recorder:
    """Every call made in the process, in order; ``handlers`` answer the operations moto lacks."""

    def __init__(self, forward: Callable[..., Any], handlers: dict[str, Handler]) -> None:
        self._forward = forward
        self.handlers = dict(handlers)
        self.calls: list[Call] = []

    def named(self, operation: str) -> list[dict[str, Any]]:
        """The parameters of every call of ``operation``."""
        return [c.params for c in self.calls if c.operation == operation]

    def writes(self) -> list[Call]:
        return [c for c in self.calls if not c.operation.startswith(READ_PREFIXES)]

    def moto(self, client: Any, operation: str, **params: Any) -> dict[str, Any]:
        """Ask moto directly (for a handler that checks what exists)."""
        return self._forward(client, operation, params)

    def __call__(self, client: Any, operation: str, params: dict[str, Any]) -> Any:
        self.calls.append(Call(client.meta.service_model.service_name, operation, dict(params)))
        handler = self.handlers.get(operation)
        if handler is None:
            return self._forward(client, operation, params)
        from botocore.validate import validate_parameters

        validate_parameters(params, client.meta.service_model.operation_model(operation).input_shape)
        try:
            answer = handler(self, client, params)
        except Refusal as refusal:
            response = {"Error": {"Code": refusal.code, "Message": refusal.message},
                        "ResponseMetadata": {"HTTPStatusCode": refusal.status}}
            raise client.exceptions.from_code(refusal.code)(response, operation) from None
        return {"ResponseMetadata": {"HTTPStatusCode": 200}, **answer}


def answer_in_process(monkeypatch: pytest.MonkeyPatch, handlers: dict[str, Handler]) -> Recorder:
    """Record every call of this test and answer ``handlers``' operations (by operation name) in-process."""
    from botocore.client import BaseClient

    original = BaseClient._make_api_call
    recorder = Recorder(lambda client, operation, params: original(client, operation, params), handlers)
    monkeypatch.setattr(BaseClient, "_make_api_call", lambda client, operation, params: recorder(client, operation, params))
    return recorder
