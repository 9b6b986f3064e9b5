"""The local gateway's WebSocket APIs, driven as API Gateway drives them.

``ws://127.0.0.1:<port>/<api id>/<stage>``: the handshake becomes a ``$connect`` invocation (a status outside
2xx, or a function error, refuses it with that status); each message becomes an invocation of the route its
JSON body selects (the API's ``$request.body.<field>`` expression, else ``$default``; binary messages always
go to ``$default``, base64-encoded); the end of the connection becomes a ``$disconnect`` invocation. A function
error on a message is answered on the socket with API Gateway's ``{"message": "Internal server error", ...}``.

The management API of each stage is served beside it, at ``http://127.0.0.1:<port>/<api id>/<stage>/@connections/<id>``
(``POST`` sends, ``GET`` reads, ``DELETE`` disconnects; a connection that is gone or not yet connected answers
``410 GoneException``), which is where :mod:`zappa_aws_apigw.websocket` points a function on the local AWS.
Connections outlive route discovery: they are kept per API and stage in this module.
"""

from __future__ import annotations

import base64
import json
import os
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from urllib.parse import unquote

from zappa_core.local.http import LocalRequest, LocalResponse

from zappa_aws_apigw.local_api import ApiRoute
from zappa_aws_apigw.local_events import json_response, query_pairs, request_time, single_and_multi

#: API Gateway's quotas: a message (and a post to a connection) holds at most 128 KB; an idle connection is
#: closed after 10 minutes.
MAX_MESSAGE_BYTES = 128 * 1024
IDLE_TIMEOUT_S = 600.0
INTERNAL_ERROR = "Internal server error"


@dataclass
class Connection:
    """One client connected to a WebSocket API stage."""

    connection_id: str
    socket: Any
    source_ip: str
    user_agent: str | None
    connected_at: float = field(default_factory=time.time)
    last_active_at: float = field(default_factory=time.time)
    connected: bool = False  # set once $connect accepted it: until then posting to it is refused (410)
    closed_by_api: bool = False
    domain_name: str = ""  # the custom domain it connected to (the events' domainName), else the API's own


class Connections:
    """Every live connection of every WebSocket API on this local AWS, by (API id, stage) and id."""

    def __init__(self) -> None:
        self._by_stage: dict[tuple[str, str], dict[str, Connection]] = {}
        self._lock = threading.Lock()

    def add(self, api_id: str, stage: str, connection: Connection) -> None:
        with self._lock:
            self._by_stage.setdefault((api_id, stage), {})[connection.connection_id] = connection

    def remove(self, api_id: str, stage: str, connection_id: str) -> None:
        with self._lock:
            self._by_stage.get((api_id, stage), {}).pop(connection_id, None)

    def get(self, api_id: str, stage: str, connection_id: str) -> Connection | None:
        with self._lock:
            return self._by_stage.get((api_id, stage), {}).get(connection_id)

    def count(self, api_id: str, stage: str) -> int:
        with self._lock:
            return len(self._by_stage.get((api_id, stage), {}))


CONNECTIONS = Connections()


def new_connection_id() -> str:
    """An id shaped like API Gateway's (16 characters of base64), safe in a URL path."""
    return base64.urlsafe_b64encode(os.urandom(11)).decode()


def select_route(message: str | bytes, expression: str, route_keys: set[str]) -> str:
    """The route a message takes: the value at ``$request.body.<path>`` of a JSON object when a route has that
    key, else ``$default``."""
    if isinstance(message, bytes) or not expression.startswith("$request.body."):
        return "$default"
    try:
        value: Any = json.loads(message)
    except ValueError:
        return "$default"
    for part in expression[len("$request.body."):].split("."):
        if not isinstance(value, dict) or part not in value:
            return "$default"
        value = value[part]
    return value if isinstance(value, str) and value in route_keys else "$default"


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class WebSocketApiRoute(ApiRoute):
    """One WebSocket API: its stages, routes and integrations, its connections and its management API."""

    id_key = "ApiId"

    def load(self) -> dict[str, Any]:
        v2 = self.state.aws.client("apigatewayv2")
        return {
            "routes": {r["RouteKey"]: r for r in v2.get_routes(ApiId=self.api_id).get("Items", [])},
            "integrations": {i["IntegrationId"]: i for i in v2.get_integrations(ApiId=self.api_id).get("Items", [])},
            "stages": {s["StageName"] for s in v2.get_stages(ApiId=self.api_id).get("Items", [])},
        }

    @property
    def domain_name(self) -> str:
        return f"{self.api_id}.execute-api.{self.state.region}.amazonaws.com"

    # -- the management API (plain HTTP) ----------------------------------------------------------------------

    def __call__(self, request: LocalRequest) -> LocalResponse:
        stage, _, rest = request.path.lstrip("/").partition("/")
        if stage not in self.model()["stages"]:
            return json_response(404, {"message": "Not Found"})
        if not rest.startswith("@connections/"):
            return json_response(426, {"message": "Upgrade Required: connect with a WebSocket client"})
        connection_id = unquote(rest[len("@connections/"):])
        connection = CONNECTIONS.get(self.api_id, stage, connection_id)
        if connection is None or not connection.connected or not connection.socket.open:
            return _error(410, "GoneException", None)
        if request.method == "POST":
            if len(request.body) > MAX_MESSAGE_BYTES:
                return _error(413, "PayloadTooLargeException", f"Message too long. Max bytes: {MAX_MESSAGE_BYTES}")
            try:
                data = request.body.decode("utf-8")
            except UnicodeDecodeError:
                data = request.body  # not text: a binary frame
            try:
                connection.socket.send(data)
            except (ConnectionError, OSError):
                return _error(410, "GoneException", None)
            return LocalResponse(200, [("Content-Type", "application/json")], b"{}")
        if request.method == "GET":
            return json_response(200, {"connectedAt": _iso(connection.connected_at), "lastActiveAt": _iso(connection.last_active_at),
                                       "identity": {"sourceIp": connection.source_ip, "userAgent": connection.user_agent}})
        if request.method == "DELETE":
            connection.closed_by_api = True
            connection.socket.close(1000, "")
            return LocalResponse(204, [], b"")
        return _error(405, "ForbiddenException", "Method not allowed")

    # -- the WebSocket ----------------------------------------------------------------------------------------

    def websocket(self, request: LocalRequest, socket: Any) -> None:
        model = self.model()
        stage = request.path.strip("/")
        if stage not in model["stages"]:
            socket.refuse(json_response(404, {"message": "Not Found"}))
            return
        socket.max_message_bytes = MAX_MESSAGE_BYTES
        connection = Connection(new_connection_id(), socket, request.source_ip, request.header("user-agent"),
                                domain_name=custom_domain(request) or self.domain_name)
        CONNECTIONS.add(self.api_id, stage, connection)
        try:
            if not self._connect(request, socket, connection, stage):
                return
            if socket.connection is not None:
                socket.connection.settimeout(IDLE_TIMEOUT_S)
            while True:
                message = socket.receive()
                if message is None:
                    break
                connection.last_active_at = time.time()
                self._message(message, socket, connection, stage)
        finally:
            CONNECTIONS.remove(self.api_id, stage, connection.connection_id)
        if connection.connected:
            self._disconnect(request, socket, connection, stage)

    def _connect(self, request: LocalRequest, socket: Any, connection: Connection, stage: str) -> bool:
        route = self.model()["routes"].get("$connect")
        if route is not None:
            single_q, multi_q = single_and_multi(query_pairs(request.query))
            single_h, multi_h = single_and_multi([(k, v) for k, v in request.headers])
            event = {"headers": single_h, "multiValueHeaders": multi_h, "queryStringParameters": single_q,
                     "multiValueQueryStringParameters": multi_q,
                     "requestContext": self._context("$connect", "CONNECT", stage, connection), "isBase64Encoded": False}
            payload, error = self._invoke(route, event)
            status = 500 if error else payload.get("statusCode", 200) if isinstance(payload, dict) else 200
            if error or not isinstance(status, int) or not 200 <= status < 300:
                status = status if isinstance(status, int) and 100 <= status < 600 and not error else 500
                socket.refuse(json_response(status, {"message": INTERNAL_ERROR if status >= 500 else _phrase(status)}))
                return False
            protocol = _header(payload.get("headers"), "sec-websocket-protocol")
            socket.accept([("Sec-WebSocket-Protocol", protocol)] if protocol else None)
        else:
            socket.accept()
        connection.connected = True
        return True

    def _message(self, message: str | bytes, socket: Any, connection: Connection, stage: str) -> None:
        model = self.model()
        routes = model["routes"]
        key = select_route(message, self.api.get("RouteSelectionExpression") or "", set(routes))
        route = routes.get(key)
        context = self._context(key, "MESSAGE", stage, connection)
        context["messageId"] = new_connection_id()
        if route is None:  # no route takes it, and there is no $default
            _send_quietly(socket, {"message": "Forbidden", "connectionId": connection.connection_id, "requestId": context["requestId"]})
            return
        binary = isinstance(message, bytes)
        event = {"requestContext": context, "body": base64.b64encode(message).decode() if binary else message,
                 "isBase64Encoded": binary}
        _, error = self._invoke(route, event)
        if error:
            _send_quietly(socket, {"message": INTERNAL_ERROR, "connectionId": connection.connection_id, "requestId": context["requestId"]})

    def _disconnect(self, request: LocalRequest, socket: Any, connection: Connection, stage: str) -> None:
        route = self.model()["routes"].get("$disconnect")
        if route is None:
            return
        context = self._context("$disconnect", "DISCONNECT", stage, connection)
        code = socket.close_code if socket.close_code not in (None, 1005, 1006) else 1001 if socket.close_code == 1006 else 1005
        context.update(disconnectStatusCode=code, disconnectReason=socket.close_reason or ("Going away" if code == 1001 else ""))
        single_h, multi_h = single_and_multi([(k, v) for k, v in request.headers if k.lower() in ("host", "x-forwarded-for")])
        self._invoke(route, {"headers": single_h, "multiValueHeaders": multi_h, "requestContext": context, "isBase64Encoded": False})

    def _context(self, route_key: str, event_type: str, stage: str, connection: Connection) -> dict[str, Any]:
        text_time, epoch_ms = request_time()
        request_id = str(uuid.uuid4())
        return {"routeKey": route_key, "eventType": event_type, "extendedRequestId": request_id, "requestTime": text_time,
                "messageDirection": "IN", "stage": stage, "connectedAt": int(connection.connected_at * 1000),
                "requestTimeEpoch": epoch_ms, "identity": {"userAgent": connection.user_agent, "sourceIp": connection.source_ip},
                "requestId": request_id, "domainName": connection.domain_name or self.domain_name, "connectionId": connection.connection_id,
                "apiId": self.api_id}

    def _invoke(self, route: dict[str, Any], event: dict[str, Any]) -> tuple[Any, str | None]:
        integration = self.model()["integrations"].get((route.get("Target") or "").split("/")[-1]) or {}
        uri = integration.get("IntegrationUri") or ""
        try:
            return self.state.invoke(uri, event)
        except Exception as exc:  # noqa: BLE001 - an invocation the local AWS refuses fails this event, as on AWS
            return {"errorMessage": str(exc)}, "Unhandled"


def custom_domain(request: LocalRequest) -> str | None:
    """The custom domain a request came through (the gateway routed it by ``Host``, not by key)."""
    host = request.host.rsplit(":", 1)[0] if request.host.count(":") == 1 else request.host
    return host.lower() if not request.prefix and host and not host.endswith(".localhost") else None


def _header(headers: Any, name: str) -> str | None:
    for key, value in (headers or {}).items() if isinstance(headers, dict) else []:
        if key.lower() == name:
            return str(value)
    return None


def _phrase(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Connection refused"


def _send_quietly(socket: Any, data: dict[str, Any]) -> None:
    try:
        socket.send(json.dumps(data))
    except (ConnectionError, OSError):
        pass


def _error(status: int, error_type: str, message: str | None) -> LocalResponse:
    return LocalResponse(status, [("Content-Type", "application/json"), ("x-amzn-ErrorType", error_type)],
                         json.dumps({"message": message}).encode())
