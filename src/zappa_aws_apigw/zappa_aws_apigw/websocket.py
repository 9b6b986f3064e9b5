"""WebSocket API handlers on the Lambda side: Zappa's ``zappa.websocket`` API, unchanged.

Bundled into every Lambda package with the runtime plugin: the standard library only at import (boto3 is
imported when a message is first sent).

- ``@on_connect``, ``@on_disconnect``, ``@on_message`` register the ``$connect``, ``$disconnect`` and
  ``$default`` handlers; ``@on_route("sendmessage")`` registers the handler of a custom route (a route key of
  ``websocket_routes``). A handler takes ``(event, context)`` and returns ``{"statusCode": ...}``; ``None``
  means 200. A ``$connect`` handler refuses the connection with a status outside 2xx.
- ``ZappaWebSocketServer``: subclass it and override ``on_connect``/``on_disconnect``/``on_message``.
- ``send_message(connection_id, data)``: a ``dict`` (or list) is sent as JSON, ``str`` as UTF-8, ``bytes`` raw,
  through the API Gateway management API of the API the current event came from.
- ``Connections``: the management API itself (``send``, ``close``, ``info``); a connection that is gone raises
  :class:`ConnectionGone` (API Gateway's 410), which ``send_message`` lets through so the app can forget it.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from typing import Any, ClassVar

#: Set as Zappa's handler sets them, for apps that read them: the API's domain and the stage.
ENV_REQUEST_DOMAIN_NAME = "REQUEST_DOMAIN_NAME"
ENV_STAGE = "STAGE"
#: On the local AWS, the local gateway's URL (``http://127.0.0.1:<port>``): the management API is served there.
ENV_LOCAL_GATEWAY = "ZAPPA_LOCAL_GATEWAY"

EVENT_TYPES = ("CONNECT", "DISCONNECT", "MESSAGE")
REQUIRED_ROUTES = {"$connect", "$default"}
DECORATOR_OF = {"$connect": "@on_connect", "$disconnect": "@on_disconnect", "$default": "@on_message"}

_registry: dict[str, Callable[..., Any]] = {}
_validated = False
_current = threading.local()


class WebSocketConfigurationError(Exception):
    """The handler module registers some handlers but not ``$connect`` and ``$default``."""


class ConnectionGone(Exception):
    """The connection no longer exists (API Gateway's ``410 GoneException``): the client went away."""

    def __init__(self, connection_id: str) -> None:
        super().__init__(f"WebSocket connection {connection_id} is gone")
        self.connection_id = connection_id


def on_connect(func: Callable) -> Callable:
    """Register ``func(event, context)`` for the ``$connect`` route."""
    _registry["$connect"] = func
    return func


def on_disconnect(func: Callable) -> Callable:
    """Register ``func(event, context)`` for the ``$disconnect`` route."""
    _registry["$disconnect"] = func
    return func


def on_message(func: Callable) -> Callable:
    """Register ``func(event, context)`` for the ``$default`` route (every message no other route takes)."""
    _registry["$default"] = func
    return func


def on_route(route_key: str) -> Callable[[Callable], Callable]:
    """Register ``func(event, context)`` for a custom route key (one of the stage's ``websocket_routes``)."""
    if not isinstance(route_key, str) or not route_key:
        raise ValueError("on_route() takes the route key, e.g. @on_route('sendmessage')")

    def register(func: Callable) -> Callable:
        _registry[route_key] = func
        return func

    return register


class ZappaWebSocketServer:
    """Base class for WebSocket handlers: override ``on_connect``, ``on_disconnect`` and/or ``on_message``.

    Only the overridden methods are registered, when the subclass is defined; one instance serves every event.
    """

    _instance: ZappaWebSocketServer | None = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        base = ZappaWebSocketServer
        for route, name in (("$connect", "on_connect"), ("$disconnect", "on_disconnect"), ("$default", "on_message")):
            if getattr(cls, name) is not getattr(base, name):
                _registry[route] = _Dispatch(cls, name)

    @classmethod
    def _get_instance(cls) -> ZappaWebSocketServer:
        if cls.__dict__.get("_instance") is None:
            cls._instance = cls()
        return cls._instance  # type: ignore[return-value]

    def on_connect(self, event: Any, context: Any) -> Any:
        return {"statusCode": 200}

    def on_disconnect(self, event: Any, context: Any) -> Any:
        return {"statusCode": 200}

    def on_message(self, event: Any, context: Any) -> Any:
        return {"statusCode": 200}


class _Dispatch:
    """A registered ``ZappaWebSocketServer`` method: calls it on the class's single instance."""

    def __init__(self, cls: type, name: str) -> None:
        self.cls = cls
        self.name = name

    def __call__(self, event: Any, context: Any) -> Any:
        return getattr(self.cls._get_instance(), self.name)(event, context)


def validate_registry() -> None:
    """Raise :class:`WebSocketConfigurationError` when handlers are registered without ``$connect`` and
    ``$default`` (checked once; a module that registers nothing is left alone)."""
    global _validated
    if _validated:
        return
    _validated = True
    missing = REQUIRED_ROUTES - set(_registry) if _registry else set()
    if missing:
        names = ", ".join(DECORATOR_OF[r] for r in sorted(missing))
        raise WebSocketConfigurationError(
            f"WebSocket handlers registered but missing required routes: {names}. "
            "All WebSocket apps must define handlers for $connect and $default ($disconnect is optional).")


def get_handler(route_key: str) -> Callable | None:
    """The handler of ``route_key``, else the ``$default`` handler (``None`` when neither is registered).

    ``$disconnect`` without a handler of its own has none: a message handler never gets a disconnect event."""
    if route_key == "$disconnect":
        return _registry.get(route_key)
    return _registry.get(route_key) or _registry.get("$default")


def is_websocket_event(event: Any) -> bool:
    rc = event.get("requestContext") if isinstance(event, dict) else None
    return isinstance(rc, dict) and rc.get("eventType") in EVENT_TYPES


# -- the management API ------------------------------------------------------------------------------------


def management_endpoint(domain_name: str, stage: str, api_id: str | None = None) -> str:
    """Where the management API of the API at ``domain_name`` is: ``https://<domain>/<stage>`` on AWS, or the
    API's own ``execute-api`` name when ``domain_name`` is a custom domain (which maps no ``@connections``); on
    the local AWS, the local gateway's path of that API (``<gateway>/<api id>/<stage>``)."""
    execute_api = ".execute-api." in domain_name
    api_id = api_id or (domain_name.split(".", 1)[0] if execute_api else None)
    local = os.environ.get(ENV_LOCAL_GATEWAY)
    if local and api_id:
        return f"{local.rstrip('/')}/{api_id}/{stage}"
    if not execute_api and api_id:
        region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
        return f"https://{api_id}.execute-api.{region}.amazonaws.com/{stage}"
    return f"https://{domain_name}/{stage}"


def payload_bytes(data: Any) -> bytes:
    """``bytes`` as they are, ``str`` as UTF-8, anything else as JSON."""
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data)
    if isinstance(data, str):
        return data.encode("utf-8")
    return json.dumps(data).encode("utf-8")


class Connections:
    """The API Gateway management API of one WebSocket API stage (``Connections.for_event(event)``)."""

    _clients: ClassVar[dict[str, Any]] = {}  # one boto3 client per endpoint, shared by every instance
    _lock = threading.Lock()

    def __init__(self, endpoint_url: str) -> None:
        self.endpoint_url = endpoint_url

    @classmethod
    def for_event(cls, event: dict) -> Connections:
        rc = event["requestContext"]
        return cls(management_endpoint(rc["domainName"], rc["stage"], rc.get("apiId")))

    @property
    def client(self) -> Any:
        with self._lock:
            client = self._clients.get(self.endpoint_url)
            if client is None:
                import boto3

                local = os.environ.get(ENV_LOCAL_GATEWAY)
                if local and self.endpoint_url.startswith(local.rstrip("/")):
                    # the local gateway or zappa serve: no signature is checked, and zappa serve may run without
                    # any AWS credentials or region at all
                    client = boto3.client("apigatewaymanagementapi", endpoint_url=self.endpoint_url,
                                          region_name=os.environ.get("AWS_REGION") or "us-east-1",
                                          aws_access_key_id="local", aws_secret_access_key="local")
                else:
                    client = boto3.client("apigatewaymanagementapi", endpoint_url=self.endpoint_url)
                self._clients[self.endpoint_url] = client
            return client

    def send(self, connection_id: str, data: Any) -> None:
        """Post ``data`` to the connection; :class:`ConnectionGone` when the client has gone away."""
        self._call("post_to_connection", connection_id, Data=payload_bytes(data))

    def close(self, connection_id: str) -> bool:
        """Disconnect the client; ``False`` when it was already gone."""
        try:
            self._call("delete_connection", connection_id)
        except ConnectionGone:
            return False
        return True

    def info(self, connection_id: str) -> dict[str, Any] | None:
        """``{"ConnectedAt", "LastActiveAt", "Identity": {"SourceIp", "UserAgent"}}``, or ``None`` when gone."""
        try:
            answer = self._call("get_connection", connection_id)
        except ConnectionGone:
            return None
        return {k: v for k, v in answer.items() if k != "ResponseMetadata"}

    def _call(self, method: str, connection_id: str, **kwargs: Any) -> Any:
        try:
            return getattr(self.client, method)(ConnectionId=connection_id, **kwargs)
        except Exception as exc:
            response = getattr(exc, "response", None) or {}
            code = response.get("Error", {}).get("Code")
            if code == "GoneException" or response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 410:
                raise ConnectionGone(connection_id) from None
            raise


def current_connections() -> Connections:
    """The management API of the API whose event is being handled (also from a thread it started)."""
    endpoint = getattr(_current, "endpoint", None) or _Last.endpoint
    if endpoint is None:
        domain, stage = os.environ.get(ENV_REQUEST_DOMAIN_NAME), os.environ.get(ENV_STAGE)
        if not domain or not stage:
            raise RuntimeError("send_message() needs a WebSocket event being handled (or REQUEST_DOMAIN_NAME and STAGE)")
        endpoint = management_endpoint(domain, stage)
    return Connections(endpoint)


class _Last:
    endpoint: str | None = None


def send_message(connection_id: str, data: Any) -> None:
    """Send ``data`` to a connected client (``dict`` as JSON, ``str`` as UTF-8, ``bytes`` raw); raises
    :class:`ConnectionGone` when the client has gone away."""
    current_connections().send(connection_id, data)


def dispatch(event: dict, context: Any, run: Callable[[Callable, Any, Any], Any]) -> Any:
    """Run the handler of the event's route (``run(func, event, context)`` calls it with Zappa's signatures)."""
    rc = event["requestContext"]
    endpoint = management_endpoint(rc.get("domainName") or "", rc.get("stage") or "", rc.get("apiId"))
    os.environ[ENV_REQUEST_DOMAIN_NAME] = rc.get("domainName") or ""
    os.environ[ENV_STAGE] = rc.get("stage") or ""
    _current.endpoint = _Last.endpoint = endpoint
    validate_registry()
    handler = get_handler(rc.get("routeKey") or "$default")
    if handler is None:
        return {"statusCode": 200}
    try:
        result = run(handler, event, context)
    finally:
        _current.endpoint = None
    return {"statusCode": 200} if result is None else result
