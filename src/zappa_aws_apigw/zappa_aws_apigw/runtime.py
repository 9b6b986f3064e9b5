"""Lambda-side plugin of zappa_aws_apigw (entry-point group ``zappa.runtime``): answers API Gateway
authorizer events with the stage's ``authorizer.function``, and WebSocket API events (``requestContext.
eventType`` ``CONNECT``, ``DISCONNECT``, ``MESSAGE``) with the handlers that ``websocket_handler_module``
registers (see :mod:`zappa_aws_apigw.websocket`).

Bundled into every Lambda package: imports only the standard library and pluggy.

Recognised events: ``type`` ``TOKEN`` or ``REQUEST`` with a ``methodArn`` (REST API), or with a ``routeArn``
(HTTP API, payload 2.0). The authorizer function gets ``(event, context)`` (or fewer arguments, as it
declares) and returns the policy document (or, for an HTTP API with simple responses, ``{"isAuthorized"}``),
which goes back to API Gateway unchanged.
"""

from __future__ import annotations

from typing import Any

import pluggy

from zappa_aws_apigw import websocket

hookimpl = pluggy.HookimplMarker("zappa.runtime")

AUTHORIZER_TYPES = ("TOKEN", "REQUEST")


class _AuthorizerRuntime:
    """What ``zappa_runtime_configure`` leaves for the event hook: the runtime and the function path."""

    runtime: Any = None
    function_path: str | None = None
    websocket_module: str | None = None
    websocket_loaded: bool = False


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
    _state.websocket_module = (settings or {}).get("websocket_handler_module") or None
    _state.websocket_loaded = False


@hookimpl
def zappa_runtime_handle_event(event, context):
    if websocket.is_websocket_event(event) and _state.runtime is not None:
        return _handle_websocket(event, context)
    if not is_authorizer_event(event) or not _state.function_path or _state.runtime is None:
        return None
    from zappa_runtime.records import Handled

    function = _state.runtime.import_function(_state.function_path)
    return Handled(_state.runtime.run_function(function, event, context))


def _handle_websocket(event: dict, context: Any) -> Any:
    """Import the handler module once (it registers the handlers), then run the route's handler."""
    from zappa_runtime.records import Handled

    if not _state.websocket_loaded and _state.websocket_module:
        import importlib

        importlib.import_module(_state.websocket_module)
        _state.websocket_loaded = True
    return Handled(websocket.dispatch(event, context, _state.runtime.run_function))
