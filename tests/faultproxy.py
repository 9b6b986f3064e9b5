"""A fault-injecting HTTP proxy on 127.0.0.1 in front of the local AWS.

Point a client (``zappa ... --local`` through ``ZAPPA_LOCAL_ENDPOINT``) at :attr:`FaultProxy.url`: every
request is forwarded to the local AWS unchanged and recorded as a :class:`Call` (service and operation,
named from botocore's models of the APIs: the signing scope of the request names the service, then the
``X-Amz-Target`` header, the query ``Action`` or the method and path name the operation). :meth:`arm`
makes one chosen call fail in one of three ways:

- ``error``: AWS answers with a hard error (HTTP 400 ``InjectedFailure``, in the service's own error
  format); nothing reaches the local AWS. Clients do not retry it.
- ``throttle``: AWS answers 400 ``ThrottlingException`` (``times`` times in a row); nothing reaches the local
  AWS. Clients retry it with backoff.
- ``lost``: the request *is* carried out by the local AWS, then the connection is closed before the answer
  is sent (a network failure after the work was done). Clients retry it: the retry finds the work done.

This is real HTTP on loopback between the real CLI (botocore) and the real local AWS; only the fault is made.
"""

from __future__ import annotations

import http.client
import json
import re
import socket
import threading
from dataclasses import dataclass
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

FAULTS = ("error", "throttle", "lost")
#: The signing name in a request's credential scope -> the botocore services that sign with it.
SIGNING_NAMES = {"apigateway": ("apigateway", "apigatewayv2"), "monitoring": ("cloudwatch",),
                 "elasticloadbalancing": ("elbv2", "elb"), "execute-api": ("apigatewaymanagementapi",)}
HOP_HEADERS = {"connection", "keep-alive", "transfer-encoding", "proxy-connection", "upgrade", "te", "trailer"}


@dataclass(frozen=True)
class Call:
    """One request the proxy saw: ``service`` and ``operation`` as botocore names them (``lambda``,
    ``CreateFunction``), and ``nth``: how many calls of this operation came before it (0 for the first)."""

    service: str
    operation: str
    nth: int
    fault: str | None = None

    @property
    def key(self) -> tuple[str, str, int]:
        return self.service, self.operation, self.nth

    def __str__(self) -> str:
        return f"{self.service}:{self.operation}#{self.nth + 1}"


@dataclass
class Armed:
    fault: str
    operation: str
    service: str | None
    nth: int
    times: int
    fired: int = 0


class FaultProxy:
    """``with FaultProxy(upstream) as proxy:`` ... ``proxy.arm("lost", "CreateRole")``."""

    def __init__(self, upstream: str) -> None:
        self.upstream = urlsplit(upstream)
        self.calls: list[Call] = []
        self.armed: Armed | None = None
        self._lock = threading.Lock()
        self._counts: dict[tuple[str, str], int] = {}
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _any(self) -> None:
                proxy.handle(self)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = _any

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self._thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True,
                                        name="fault-proxy")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> FaultProxy:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- arming --------------------------------------------------------------------------------------------

    def arm(self, fault: str, operation: str, *, service: str | None = None, nth: int = 0, times: int = 1) -> None:
        """Make the ``nth`` call (0: the next one) of ``operation`` from now on fail with ``fault``, ``times``
        times in a row (the client's retries of it included)."""
        if fault not in FAULTS:
            raise ValueError(f"fault must be one of {FAULTS}, not {fault!r}")
        with self._lock:
            self._counts.clear()
            self.armed = Armed(fault, operation, service, nth, times)

    def disarm(self) -> Armed | None:
        with self._lock:
            armed, self.armed = self.armed, None
            return armed

    @property
    def fired(self) -> int:
        return self.armed.fired if self.armed else 0

    def reset(self) -> None:
        """Forget the calls seen so far (and what was armed)."""
        with self._lock:
            self.calls.clear()
            self._counts.clear()
            self.armed = None

    # -- serving -------------------------------------------------------------------------------------------

    def handle(self, request: BaseHTTPRequestHandler) -> None:
        length = int(request.headers.get("Content-Length") or 0)
        body = request.rfile.read(length) if length else b""
        service, operation = identify(request.command, request.path, dict(request.headers.items()), body)
        with self._lock:
            nth = self._counts.get((service, operation), 0)
            self._counts[(service, operation)] = nth + 1
            fault = self._fault_for(service, operation)
            self.calls.append(Call(service, operation, nth, fault))
        if fault in ("error", "throttle"):
            code, message = (("InjectedFailure", f"injected failure of {operation}") if fault == "error"
                             else ("ThrottlingException", "Rate exceeded (injected)"))
            status, headers, payload = error_answer(service, code, message)
            self._reply(request, status, headers, payload)
            return
        status, headers, payload = self._forward(request, body)
        if fault == "lost":
            request.close_connection = True
            try:
                request.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        self._reply(request, status, headers, payload)

    def _fault_for(self, service: str, operation: str) -> str | None:
        armed = self.armed
        if armed is None or armed.operation != operation or (armed.service and armed.service != service):
            return None
        seen = self._counts[(service, operation)] - 1  # this call's index among this operation's calls
        if seen < armed.nth or armed.fired >= armed.times:
            return None
        armed.fired += 1
        return armed.fault

    def _forward(self, request: BaseHTTPRequestHandler, body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
        connection = http.client.HTTPConnection(self.upstream.hostname, self.upstream.port, timeout=300)
        try:
            headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_HEADERS}
            connection.request(request.command, request.path, body=body, headers=headers)
            response = connection.getresponse()
            payload = response.read()
            return response.status, [(k, v) for k, v in response.getheaders() if k.lower() not in HOP_HEADERS], payload
        finally:
            connection.close()

    @staticmethod
    def _reply(request: BaseHTTPRequestHandler, status: int, headers: list[tuple[str, str]], payload: bytes) -> None:
        request.send_response(status)
        for key, value in headers:
            if key.lower() != "content-length":
                request.send_header(key, value)
        request.send_header("Content-Length", str(len(payload)))
        request.end_headers()
        if request.command != "HEAD":
            request.wfile.write(payload)


# -- naming a request's operation ----------------------------------------------------------------------------


def identify(method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[str, str]:
    """``(service, operation)`` of one AWS API request, as botocore names them (``("?", "?")`` if unknown)."""
    lower = {k.lower(): v for k, v in headers.items()}
    scope = signing_name(lower.get("authorization", ""))
    target = lower.get("x-amz-target")
    candidates = SIGNING_NAMES.get(scope, (scope,))
    if target:
        operation = target.rsplit(".", 1)[-1]
        for service in candidates:
            if operation in operations_of(service):
                return service, operation
        return candidates[0], operation
    if "x-www-form-urlencoded" in lower.get("content-type", "") or "Action=" in urlsplit(path).query:
        fields = parse_qs(body.decode("utf-8", "replace")) if body else {}
        fields.update(parse_qs(urlsplit(path).query))
        action = (fields.get("Action") or ["?"])[0]
        return candidates[0], action
    best: tuple[int, str, str] | None = None
    for service in candidates:
        found = match_rest(service, method, path, lower)
        if found and (best is None or found[0] > best[0]):
            best = (found[0], service, found[1])
    return (best[1], best[2]) if best else (candidates[0] or "?", "?")


def signing_name(authorization: str) -> str:
    """The service of a SigV4 ``Authorization`` header (``Credential=KEY/DATE/REGION/SERVICE/aws4_request``)."""
    match = re.search(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/", authorization)
    return match.group(1) if match else ""


@cache
def _model(service: str) -> dict[str, Any]:
    from botocore.exceptions import UnknownServiceError
    from botocore.loaders import create_loader

    try:
        return create_loader().load_service_model(service, "service-2")
    except UnknownServiceError:
        return {"operations": {}, "metadata": {}}


def operations_of(service: str) -> dict[str, Any]:
    return _model(service).get("operations", {})


@cache
def _rest_routes(service: str) -> list[tuple[str, re.Pattern[str], dict[str, str | None], frozenset[str], int, str]]:
    """``(method, path regex, required query, required headers, specificity, operation)`` of every operation
    of a REST API (S3's ``CopyObject`` is ``PutObject``'s method and path plus an ``x-amz-copy-source`` header)."""
    routes = []
    shapes = _model(service).get("shapes", {})
    for name, operation in operations_of(service).items():
        http = operation.get("http") or {}
        uri = http.get("requestUri", "/")
        path, _, query = uri.partition("?")
        pattern = "".join(_segment_pattern(part) for part in re.split(r"(\{[^}]+\})", path))
        required = {}
        for item in filter(None, query.split("&")):
            key, _, value = item.partition("=")
            required[key] = value or None
        shape = shapes.get((operation.get("input") or {}).get("shape", ""), {})
        headers = frozenset(shape["members"][member].get("locationName", member).lower()
                            for member in shape.get("required", [])
                            if shape.get("members", {}).get(member, {}).get("location") == "header")
        literal = len(re.sub(r"\{[^}]+\}", "", path)) + 10 * len(required) + 10 * len(headers)
        routes.append((http.get("method", "GET"), re.compile(pattern.rstrip("/") + "/?\\Z"), required, headers,
                       literal, name))
    return routes


def _segment_pattern(part: str) -> str:
    """A piece of a request URI template: ``{Key+}`` spans slashes, ``{Name}`` does not, the rest is literal."""
    if part.startswith("{"):
        return ".+" if part.endswith("+}") else "[^/]+"
    return re.escape(part)


def match_rest(service: str, method: str, raw_path: str, headers: dict[str, str] | None = None) -> tuple[int, str] | None:
    present = {k.lower() for k in (headers or {})}
    parts = urlsplit(raw_path)
    path = unquote(parts.path) or "/"
    query = parse_qs(parts.query, keep_blank_values=True)
    best: tuple[int, str] | None = None
    for route_method, pattern, required, needed_headers, literal, name in _rest_routes(service):
        if route_method != method or not pattern.match(path) or not needed_headers <= present:
            continue
        if any(key not in query or (value is not None and value not in query[key]) for key, value in required.items()):
            continue
        if best is None or literal > best[0]:
            best = (literal, name)
    return best


def error_answer(service: str, code: str, message: str) -> tuple[int, list[tuple[str, str]], bytes]:
    """An AWS error answer in the service's own protocol, as botocore parses it."""
    protocol = _model(service).get("metadata", {}).get("protocol", "rest-json")
    status = 400
    if protocol in ("json", "rest-json"):
        body = json.dumps({"__type": code, "message": message}).encode()
        return status, [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-ErrorType", code)], body
    if protocol == "query" or protocol == "ec2":
        body = (f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>"
                "<RequestId>injected</RequestId></ErrorResponse>").encode()
        return status, [("Content-Type", "text/xml")], body
    body = f"<Error><Code>{code}</Code><Message>{message}</Message><RequestId>injected</RequestId></Error>".encode()
    return status, [("Content-Type", "application/xml")], body
