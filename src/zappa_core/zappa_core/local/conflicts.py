"""The local AWS refuses what Lambda refuses as a conflict (HTTP 409 ``ResourceConflictException``), where
moto accepts it:

- a second event-source mapping of the same source and function (Lambda names the existing mapping's
  UUID); checked from the seam around ``LambdaBackend.create_event_source_mapping``
  (:mod:`zappa_core.local.sqs_poller`);
- a statement id that the function's policy already holds (``AddPermission``); moto appends a second
  statement of that id. Installed and removed with the executor (:mod:`zappa_core.local.delivery`).

A client whose first call lost its answer and was retried meets the real answer here too, or local runs
would pass where AWS fails.
"""

from __future__ import annotations

import json
from typing import Any

POLICY_CLASS = "moto.awslambda.policy.Policy"
_add_statement: Any = None


def _conflict(message: str) -> Exception:
    from moto.awslambda.exceptions import LambdaClientError

    class Conflict(LambdaClientError):
        code = 409

    return Conflict("ResourceConflictException", message)


def refuse_duplicate(backend: Any, spec: dict[str, Any]) -> None:
    """Raise Lambda's 409 when ``spec`` maps a source to a function that already has a mapping of it."""
    source = spec.get("EventSourceArn")
    try:
        function = backend._lambdas.get_function_by_name_or_arn_with_qualifier(spec.get("FunctionName", ""))
    except Exception:  # noqa: BLE001 - moto reports an unknown function itself, as AWS does
        return
    for mapping in backend._event_source_mappings.values():
        if mapping.event_source_arn == source and mapping.function_arn == function.function_arn:
            # Lambda's own wording, which differs between queues and streams
            pair = f'arn (" {source} ") and function (" {function.function_name} ")'
            said = (f"An event source mapping with SQS {pair} already exists" if ":sqs:" in str(source)
                    else f"The event source {pair} provided mapping already exists")
            raise _conflict(f"{said}. Please update or delete the existing mapping with UUID {mapping.uuid}")


def install() -> None:
    global _add_statement
    from moto.awslambda.policy import Policy

    if _add_statement is None:
        _add_statement = Policy.add_statement
        Policy.add_statement = _refuse_duplicate_statement


def uninstall() -> None:
    global _add_statement
    from moto.awslambda.policy import Policy

    if _add_statement is not None:
        Policy.add_statement = _add_statement
        _add_statement = None


def _refuse_duplicate_statement(self: Any, raw: str, qualifier: str | None = None) -> tuple[Any, str]:
    sid = (json.loads(raw) or {}).get("StatementId")  # the AddPermission request body
    if sid and any(statement.get("Sid") == sid for statement in self.statements):
        raise _conflict(f"The statement id ({sid}) provided already exists. Please provide a new statement id, "
                        "or remove the existing statement.")
    return _add_statement(self, raw, qualifier)
