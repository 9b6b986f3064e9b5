"""The stage's WebSocket API under ``zappa serve``: the local gateway's WebSocket API
(:class:`~zappa_aws_apigw.local_websocket.WebSocketApiRoute`) with its model read from the settings instead of
API Gateway, invoking the handlers in the server's process.

A client connects to ``ws://127.0.0.1:<port>/`` (any path: the server has one stage); ``$connect``, every
message (routed by ``websocket_route_selection_expression`` to ``websocket_routes`` or ``$default``) and
``$disconnect`` run the handlers of ``websocket_handler_module``. Their ``send_message`` and ``Connections`` reach
the management API at ``http://127.0.0.1:<port>/__zappa__/<api id>/<stage>/@connections/<id>``, which the server
serves beside the app (the handlers find it through ``ZAPPA_LOCAL_GATEWAY``, set here).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from zappa_core.local.http import LocalRequest, LocalResponse

from zappa_aws_apigw.local_events import json_response
from zappa_aws_apigw.local_serve import API_ID
from zappa_aws_apigw.local_websocket import WebSocketApiRoute
from zappa_aws_apigw.websocket import ENV_LOCAL_GATEWAY
from zappa_aws_apigw.websocket_api import wanted_routes

INTEGRATION = "serve"


class ServedWebSocketApi(WebSocketApiRoute):
    """One stage's WebSocket API, served by ``zappa serve``."""

    def __init__(self, settings: Any, invoke: Callable[[dict[str, Any]], tuple[Any, str | None]], url: str) -> None:
        super().__init__(None, {"ApiId": API_ID, "RouteSelectionExpression": settings.websocket_route_selection_expression})
        self.settings = settings
        self.invoke_event = invoke
        self.url = url
        os.environ[ENV_LOCAL_GATEWAY] = f"{url.rstrip('/')}/__zappa__"

    def load(self) -> dict[str, Any]:
        target = f"integrations/{INTEGRATION}"
        return {"routes": {key: {"RouteKey": key, "Target": target} for key in wanted_routes(self.settings)},
                "integrations": {INTEGRATION: {"IntegrationUri": INTEGRATION}}, "stages": {self.settings.stage}}

    @property
    def domain_name(self) -> str:
        return self.url.split("://", 1)[-1].rstrip("/")

    def websocket(self, request: LocalRequest, socket: Any) -> None:
        super().websocket(replace(request, path="/" + self.settings.stage), socket)

    def handle(self, request: LocalRequest) -> LocalResponse:
        """The management API, below ``/__zappa__``: ``/<api id>/<stage>/@connections/<id>``."""
        key, _, rest = request.path.lstrip("/").partition("/")
        if key != API_ID:
            return json_response(404, {"message": f"no WebSocket API '{key}' here (this server's is '{API_ID}')"})
        return self(replace(request, path="/" + rest))

    def _invoke(self, route: dict[str, Any], event: dict[str, Any]) -> tuple[Any, str | None]:
        return self.invoke_event(event)
