"""Lambda-side plugin of zappa_aws_apigw (entry-point group ``zappa.runtime``): answers API Gateway
authorizer events with the stage's ``authorizer.function``.

Bundled into every Lambda package: imports only the standard library and pluggy.

Recognised events: ``type`` ``TOKEN`` or ``REQUEST`` with a ``methodArn`` (REST API), or with a ``routeArn``
(HTTP API, payload 2.0). The authorizer function gets ``(event, context)`` (or fewer arguments, as it
declares) and returns the policy document (or, for an HTTP API with simple responses, ``{"isAuthorized"}``),
which goes back to API Gateway unchanged.
"""

from __future__ import annotations

from typing import Any

import pluggy

hookimpl = pluggy.HookimplMarker("zappa.runtime")

AUTHORIZER_TYPES = ("TOKEN", "REQUEST")


class _AuthorizerRuntime:
    """What ``zappa_runtime_configure`` leaves for the event hook: the runtime and the function path."""

    runtime: Any = None
    function_path: str | None = None


_state = _AuthorizerRuntime()


def is_authorizer_event(event: Any) -> bool:
    return (
        isinstance(event, dict)
        and event.get("type") in AUTHORIZER_TYPES
        and ("methodArn" in event or "routeArn" in event)
    )


@hookimpl
def zappa_runtime_configure(settings, runtime):
    authorizer = (settings or {}).get("authorizer") or {}
    _state.runtime = runtime
    _state.function_path = authorizer.get("function") if isinstance(authorizer, dict) else None


@hookimpl
def zappa_runtime_handle_event(event, context):
    if not is_authorizer_event(event) or not _state.function_path or _state.runtime is None:
        return None
    from zappa_runtime.records import Handled

    function = _state.runtime.import_function(_state.function_path)
    return Handled(_state.runtime.run_function(function, event, context))
