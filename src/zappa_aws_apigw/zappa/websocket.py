"""Zappa's import path for WebSocket handlers: ``from zappa.websocket import on_connect, on_disconnect,
on_message, send_message``."""

from zappa_aws_apigw.websocket import (
    ENV_REQUEST_DOMAIN_NAME,
    ENV_STAGE,
    ConnectionGone,
    Connections,
    WebSocketConfigurationError,
    ZappaWebSocketServer,
    get_handler,
    is_websocket_event,
    on_connect,
    on_disconnect,
    on_message,
    on_route,
    send_message,
    validate_registry,
)

__all__ = [
    "ENV_REQUEST_DOMAIN_NAME",
    "ENV_STAGE",
    "ConnectionGone",
    "Connections",
    "WebSocketConfigurationError",
    "ZappaWebSocketServer",
    "get_handler",
    "is_websocket_event",
    "on_connect",
    "on_disconnect",
    "on_message",
    "on_route",
    "send_message",
    "validate_registry",
]
