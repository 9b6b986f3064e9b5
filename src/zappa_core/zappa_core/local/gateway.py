"""The local HTTP gateway: every deployed front door on one port of its own.

A request for ``http://127.0.0.1:<port>/<key>/rest/of/path`` (or ``http://<key>.localhost:<port>/rest``)
goes to the :class:`~zappa_core.records.LocalRoute` whose ``key`` is ``<key>`` (an API id, a load balancer
name, a function name), as a :class:`~zappa_core.local.http.LocalRequest`; the route turns it into an
invocation and returns a :class:`~zappa_core.local.http.LocalResponse`. A request to upgrade to a WebSocket
(``ws://127.0.0.1:<port>/<key>/...``) goes to the route's ``websocket`` callable with the connection
(:class:`~zappa_core.local.websocket.LocalWebSocket`), for as long as it stays open. A request whose ``Host`` is a
custom domain of a route (:attr:`~zappa_core.records.LocalRoute.hosts`) goes to that route, its path below the
path the domain maps to. Routes come from the plugins'
``zappa_local_routes`` hook; they are discovered again whenever the local AWS reports a change to a front
door (:meth:`Gateway.invalidate`) and when a request names a key the gateway does not know yet.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from zappa_core.local import websocket
from zappa_core.local.http import LocalRequest, LocalResponse
from zappa_core.local.limits import InvokeRefused

log = logging.getLogger("zappa.local.gateway")

CONTROL_PREFIX = "/__zappa__/"
#: The largest request body any front door accepts (API Gateway's 10 MB payload quota); a route applies the
#: smaller limits of its own kind (Lambda's 6 MB invocation payload, an ALB's 1 MB Lambda request body).
MAX_BODY_BYTES = 10 * 1024 * 1024
#: Connections waiting to be accepted (a burst of clients queues here instead of being reset).
LISTEN_BACKLOG = 1024
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "upgrade", "te", "trailer"}


def routes_from_plugins(pm: Any, state: Any) -> Callable[[], list[Any]]:
    """A route provider that asks every plugin (``settings=None``: every deployed front door).

    A plugin whose hook fails is logged and skipped, so one broken plugin does not hide the others' routes.
    """

    def discover() -> list[Any]:
        from dataclasses import replace

        from zappa_runtime.hookcalls import call_one, implementations

        routes = []
        impls = implementations(pm, "zappa_local_routes")
        for impl in reversed(impls):
            try:
                result = call_one(pm, "zappa_local_routes", impl, {"settings": None, "state": state}, impls)
            except Exception:
                log.exception("plugin %s failed to list its local routes", impl.plugin_name)
                continue
            for route in result if isinstance(result, (list, tuple)) else [result]:
                if route is not None:
                    routes.append(route if route.plugin else replace(route, plugin=impl.plugin_name))
        return routes

    return discover


class RouteTable:
    """Routes by key, refreshed lazily after :meth:`invalidate`."""

    def __init__(self, provider: Callable[[], Iterable[Any]]) -> None:
        self._provider = provider
        self._routes: dict[str, Any] = {}
        self._folded: dict[str, Any] = {}
        self._hosts: dict[str, tuple[Any, str]] = {}
        self._generation = 1
        self._loaded_generation = 0
        self._lock = threading.Lock()

    def invalidate(self) -> None:
        self._generation += 1

    def routes(self) -> list[Any]:
        self._refresh_if_stale()
        return list(self._routes.values())

    def cached(self) -> list[Any]:
        """The routes as last discovered (no discovery now)."""
        return list(self._routes.values())

    def find(self, key: str, *, fold_case: bool = False) -> Any:
        self._refresh_if_stale()
        route = self._lookup(key, fold_case)
        if route is None:
            self._refresh(force=True)  # deployed a moment ago?
            route = self._lookup(key, fold_case)
        return route

    def find_host(self, hostname: str) -> tuple[Any, str] | None:
        """``(route, mapped path)`` of a custom domain name, or ``None``."""
        self._refresh_if_stale()
        return self._hosts.get(hostname.lower())

    def _lookup(self, key: str, fold_case: bool) -> Any:
        route = self._routes.get(key)
        if route is None and fold_case:
            route = self._folded.get(key.lower())
        return route

    def _refresh_if_stale(self) -> None:
        if self._loaded_generation != self._generation:
            self._refresh()

    def _refresh(self, force: bool = False) -> None:
        with self._lock:
            generation = self._generation
            if not force and self._loaded_generation == generation:
                return
            try:
                found = list(self._provider())
            except Exception:
                log.exception("discovering the local routes failed")
                return
            routes: dict[str, Any] = {}
            for route in found:
                if route.key in routes:
                    log.warning("two front doors use the key %r (%s, %s); keeping the first", route.key,
                                routes[route.key].kind, route.kind)
                    continue
                routes[route.key] = route
            self._routes = routes
            self._folded = {key.lower(): route for key, route in routes.items()}
            self._hosts = {host.lower(): (route, path) for route in routes.values()
                           for host, path in (getattr(route, "hosts", None) or {}).items()}
            self._loaded_generation = generation


class Gateway:
    """A threaded HTTP server on 127.0.0.1 that dispatches to routes by key."""

    def __init__(self, provider: Callable[[], Iterable[Any]], *, host: str = "127.0.0.1", port: int = 0,
                 control: Callable[[str], Any] | None = None) -> None:
        self.table = RouteTable(provider)
        self.control = control
        self._server = _Server((host, port), _Handler)
        self._server.gateway = self
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def invalidate(self) -> None:
        self.table.invalidate()

    def start(self) -> Gateway:
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="zappa-local-gateway",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    # -- dispatch ---------------------------------------------------------------------------------------

    def dispatch(self, request: LocalRequest) -> LocalResponse:
        path = request.path
        if path.startswith(CONTROL_PREFIX) and self.control is not None:
            data = self.control(path[len(CONTROL_PREFIX):])
            if data is not None:
                return _json_response(200, data)
        route, key, rest, from_host = self._by_host(request)
        if route is None:
            key, rest, from_host = split_key(request.host, path)
            if not key:
                return _json_response(200, {"front_doors": [self._describe(r) for r in self.table.routes()]})
            route = self.table.find(key, fold_case=from_host)
        if route is None:
            return self._not_deployed(key)
        routed = self._routed(request, key, rest, from_host)
        try:
            response = route.handle(routed)
        except InvokeRefused as refused:  # Lambda's own answer (429, 413) unless the route shapes it itself
            return _json_response(refused.status, refused.document())
        except Exception:
            log.exception("route %s (%s) failed on %s %s", route.key, route.kind, request.method, path)
            return _json_response(502, {"message": "Internal server error"})
        if not isinstance(response, LocalResponse):
            log.error("route %s (%s) returned %r, not a LocalResponse", route.key, route.kind, type(response))
            return _json_response(502, {"message": "Internal server error"})
        return response

    def dispatch_websocket(self, request: LocalRequest, socket: websocket.LocalWebSocket) -> None:
        """Hand an upgrade request to its route's ``websocket`` callable, which keeps the connection until it
        closes; a front door that serves no WebSockets answers 404 (unknown key) or 426."""
        problem = websocket.handshake_problem(request)
        route, key, rest, from_host = self._by_host(request)
        if route is None:
            key, rest, from_host = split_key(request.host, request.path)
            route = self.table.find(key, fold_case=from_host) if key and problem is None else None
        if problem is None and route is None:
            problem = self._not_deployed(key)
        elif route is not None and getattr(route, "websocket", None) is None:
            problem = _json_response(426, {"message": f"the front door '{key}' ({route.kind}) serves no WebSockets"})
        if problem is not None:
            socket.refuse(problem)
            return
        socket.request = self._routed(request, key, rest, from_host)
        try:
            route.websocket(socket.request, socket)
        except Exception:
            log.exception("route %s (%s) failed on a WebSocket to %s", route.key, route.kind, request.path)
            if socket.accepted:
                socket.close(websocket.INTERNAL_ERROR, "Internal server error")
            elif socket.refused is None:
                socket.refuse(_json_response(502, {"message": "Internal server error"}))

    def _by_host(self, request: LocalRequest) -> tuple[Any, str, str, bool]:
        """``(route, key, path on the route, True)`` when the ``Host`` is a route's custom domain, else ``(None, ...)``."""
        hostname = request.host.rsplit(":", 1)[0] if request.host.count(":") == 1 else request.host
        found = self.table.find_host(hostname) if hostname and not hostname.endswith(".localhost") else None
        if found is None:
            return None, "", request.path, False
        route, mapped = found
        rest = mapped.rstrip("/") + request.path if request.path != "/" else (mapped or "/")
        return route, route.key, rest, True

    def _routed(self, request: LocalRequest, key: str, rest: str, from_host: bool) -> LocalRequest:
        return LocalRequest(method=request.method, path=rest, query=request.query,
                            headers=forwarded_headers(request, self.port), body=request.body,
                            source_ip=request.source_ip, scheme=request.scheme, host=request.host,
                            prefix="" if from_host else "/" + key)

    def _not_deployed(self, key: str) -> LocalResponse:
        return _json_response(404, {
            "message": f"no front door '{key}' is deployed on the local AWS",
            "front_doors": [self._describe(r) for r in self.table.routes()],
        })

    def _describe(self, route: Any) -> dict[str, str]:
        return {"kind": route.kind, "key": route.key, "url": f"{self.url}/{route.key}/",
                "description": route.description, "plugin": route.plugin}


def forwarded_headers(request: LocalRequest, port: int) -> list[tuple[str, str]]:
    """The request's headers as an AWS front door passes them on: the client's address appended to
    ``X-Forwarded-For``, and ``X-Forwarded-Proto`` / ``X-Forwarded-Port`` saying how the client connected
    (here plain HTTP on the gateway's port), replacing any the client sent."""
    headers = [(k, v) for k, v in request.headers if k.lower() not in ("x-forwarded-proto", "x-forwarded-port")]
    chain = ", ".join(v for k, v in headers if k.lower() == "x-forwarded-for")
    headers = [(k, v) for k, v in headers if k.lower() != "x-forwarded-for"]
    headers.append(("X-Forwarded-For", f"{chain}, {request.source_ip}" if chain else request.source_ip))
    headers.append(("X-Forwarded-Proto", request.scheme))
    headers.append(("X-Forwarded-Port", str(port)))
    return headers


def split_key(host: str, path: str) -> tuple[str, str, bool]:
    """``(key, path after the key, key came from the host name)`` of a request."""
    hostname = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    if hostname.endswith(".localhost"):
        label = hostname[: -len(".localhost")]
        if label and "." not in label:
            return label, path or "/", True
    stripped = path.lstrip("/")
    key, _, rest = stripped.partition("/")
    if not key:
        return "", "/", False
    return key, "/" + rest, False


def _json_response(status: int, data: Any) -> LocalResponse:
    body = json.dumps(data, indent=2).encode() + b"\n"
    return LocalResponse(status=status, headers=[("Content-Type", "application/json")], body=body)


class BadBody(Exception):
    """The request's framing is broken or its body too large: answered with ``status``, then the connection closes."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = LISTEN_BACKLOG
    gateway: Gateway


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 120  # a client that stops sending mid-request (or idles on keep-alive) is let go
    disable_nagle_algorithm = True  # keep-alive: headers and body are two writes; no 40 ms delayed-ACK stall
    server: _Server

    def _serve(self) -> None:
        started = time.perf_counter()
        raw_path, _, query = self.path.partition("?")
        if raw_path.startswith(("http://", "https://")):  # absolute-form request target
            raw_path = "/" + raw_path.split("://", 1)[1].partition("/")[2]
        if websocket.is_upgrade(self.headers) and hasattr(self.server.gateway, "dispatch_websocket"):
            self._serve_websocket(raw_path or "/", query, started)
            return
        try:
            body = self._read_body()
        except BadBody as refused:
            self.close_connection = True  # the rest of the body (if any) is not read: the connection cannot be reused
            self._send(_json_response(refused.status, {"message": refused.message}), close=True)
            log.info("%s %s %d %s", self.command, self.path, refused.status, refused.message)
            return
        request = LocalRequest(
            method=self.command, path=raw_path or "/", query=query, headers=list(self.headers.items()),
            body=body, source_ip=self.client_address[0], host=self.headers.get("Host", "127.0.0.1"),
        )
        response = self.server.gateway.dispatch(request)
        self._send(response)
        log.info("%s %s %d %.1fms", self.command, self.path, response.status, (time.perf_counter() - started) * 1000)

    def _serve_websocket(self, path: str, query: str, started: float) -> None:
        self.close_connection = True  # after the WebSocket (or a refused handshake), the connection ends
        request = LocalRequest(method=self.command, path=path, query=query, headers=list(self.headers.items()),
                               source_ip=self.client_address[0], host=self.headers.get("Host", "127.0.0.1"))
        socket = websocket.LocalWebSocket(request, self.rfile, self.wfile, self.connection)
        self.connection.settimeout(None)  # a WebSocket may idle: the route decides when it has idled too long
        self.server.gateway.dispatch_websocket(request, socket)
        status = 101 if socket.accepted else (socket.refused.status if socket.refused else 0)
        log.info("WebSocket %s %d %s %.1fms", self.path, status, socket.close_code or "",
                 (time.perf_counter() - started) * 1000)

    def _send(self, response: LocalResponse, *, close: bool = False) -> None:
        self.send_response_only(response.status)
        for name, value in response.headers:
            if name.lower() not in HOP_BY_HOP:
                self.send_header(name, value)
        payload = b"" if self.command == "HEAD" else response.body
        self.send_header("Content-Length", str(len(response.body)))
        if close:
            self.send_header("Connection", "close")
        self.end_headers()
        if payload:
            self.wfile.write(payload)

    def _read_body(self) -> bytes:
        """The request body, de-chunked. Broken framing is a 400 and a body over :data:`MAX_BODY_BYTES` a 413
        (:class:`BadBody`), as API Gateway answers them, instead of a hang or a dropped connection."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked()
        lengths = self.headers.get_all("Content-Length") or []
        if not lengths:
            return b""
        if len(set(lengths)) > 1 or not lengths[0].strip().isdigit():
            raise BadBody(400, f"invalid Content-Length: {', '.join(lengths)!r}")
        length = int(lengths[0])
        if length > MAX_BODY_BYTES:
            raise BadBody(413, "Request Too Long")
        body = self.rfile.read(length) if length else b""
        if len(body) < length:
            raise BadBody(400, f"the body ended after {len(body)} of {length} bytes")
        return body

    def _read_chunked(self) -> bytes:
        chunks: list[bytes] = []
        total = 0
        while True:
            line = self.rfile.readline(1024)
            size_text = line.split(b";", 1)[0].strip()
            try:
                size = int(size_text, 16)
            except ValueError:
                raise BadBody(400, f"invalid chunk size {size_text[:40]!r}") from None
            if size < 0 or size_text.startswith((b"-", b"+", b"0x", b"0X")):
                raise BadBody(400, f"invalid chunk size {size_text[:40]!r}")
            if size == 0:
                while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(chunks)
            total += size
            if total > MAX_BODY_BYTES:
                raise BadBody(413, "Request Too Long")
            chunk = self.rfile.read(size)
            if len(chunk) < size or self.rfile.readline(3) not in (b"\r\n", b"\n"):
                raise BadBody(400, "a chunk ended before its declared size")
            chunks.append(chunk)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _serve

    def log_message(self, format: str, *args: Any) -> None:  # access lines go through _serve's logger
        pass
