"""The local AWS refuses a second event-source mapping of the same source and function, as Lambda does.

Lambda answers ``CreateEventSourceMapping`` for a source the function is already mapped to with HTTP 409
``ResourceConflictException`` (naming the existing mapping's UUID); moto creates a second mapping. A client
whose first create lost its answer and was retried must meet the real answer here too, or local runs would
pass where AWS fails. Checked from the seam around moto's ``LambdaBackend.create_event_source_mapping``
(:mod:`zappa_core.local.sqs_poller`).
"""

from __future__ import annotations

from typing import Any


def refuse_duplicate(backend: Any, spec: dict[str, Any]) -> None:
    """Raise Lambda's 409 when ``spec`` maps a source to a function that already has a mapping of it."""
    from moto.awslambda.exceptions import LambdaClientError

    class MappingConflict(LambdaClientError):
        code = 409

    source = spec.get("EventSourceArn")
    try:
        function = backend._lambdas.get_function_by_name_or_arn_with_qualifier(spec.get("FunctionName", ""))
    except Exception:  # noqa: BLE001 - moto reports an unknown function itself, as AWS does
        return
    for mapping in backend._event_source_mappings.values():
        if mapping.event_source_arn == source and mapping.function_arn == function.function_arn:
            raise MappingConflict(
                "ResourceConflictException",
                f"An event source mapping with event source ({source}) and function ({function.function_name}) "
                f"already exists. Please update or delete the existing mapping with UUID {mapping.uuid}")
