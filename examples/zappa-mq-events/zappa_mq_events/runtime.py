"""Lambda side: hands Amazon MQ batches (``aws:mq`` for ActiveMQ, ``aws:rmq`` for RabbitMQ) to the function
the ``events`` setting wires to the broker. Standard library only."""

from __future__ import annotations

from zappa_runtime.hookspecs import hookimpl
from zappa_runtime.records import Handled

_routes: dict[str, str] = {}
_runtime = None


@hookimpl
def zappa_runtime_configure(settings, runtime):
    global _runtime
    _runtime = runtime
    _routes.clear()
    for entry in settings.get("events") or []:
        arn = (entry.get("event_source") or {}).get("arn", "")
        if arn.startswith("arn:aws:mq:"):
            _routes[arn] = entry["function"]


@hookimpl
def zappa_runtime_handle_event(event, context):
    if not isinstance(event, dict) or event.get("eventSource") not in ("aws:mq", "aws:rmq"):
        return None
    function = _routes.get(event.get("eventSourceArn", ""))
    if function is None:
        return None
    return Handled(_runtime.run_function(_runtime.import_function(function), event, context))
