"""What every HTTP event says about its request, whatever its kind (API Gateway REST payload 1.0, HTTP API
payload 2.0 and 1.0, function URLs, ALB): one parsing layer that the WSGI and the ASGI adapter share.

Every header value is kept (repeated headers joined with ``", "``, cookies with ``"; "``), the body decoded
(base64 strictly: invalid base64 is a 400), the path split at the stage / ``base_path``
(:mod:`zappa_runtime.request_url`), the client address the one AWS saw.

The WSGI adapter builds its environ straight from these functions (:func:`fold_headers` under environ keys,
:func:`request_line`, :func:`server_address`): a WSGI request is served on every invocation, and an intermediate
object would cost it time for nothing. The ASGI adapter reads the same into an :class:`HttpRequest` record
(:class:`RequestParser`) and builds its scope from that.
"""

from __future__ import annotations

from base64 import b64decode
from binascii import Error as Base64Error
from collections.abc import Callable
from typing import Any

from zappa_runtime.request_url import alb_query, decode_path, rest_query, split_stage_and_base, v2_query

#: Header names as the event spells them -> their lower-case form ("" for the dropped ones); bounded.
_NAMES: dict[str, str] = {}


class BadRequest(Exception):
    """The event cannot be turned into a request (malformed event, invalid base64 body): answered with a 400."""


def decode_body(event: dict[str, Any]) -> bytes:
    body = event.get("body")
    if not body:
        return b""
    if type(body) is not str and type(body) is not bytes:  # bytes: hand-made events (JSON ones carry text)
        raise BadRequest("the event's body is not a string")
    if event.get("isBase64Encoded"):
        try:
            return b64decode(body, validate=True)
        except (Base64Error, ValueError):
            raise BadRequest("the request body is marked base64 but is not valid base64") from None
    return body.encode("utf-8", "surrogateescape") if isinstance(body, str) else body


def source_ip(kind: str, rc: dict[str, Any], forwarded_for: str | None) -> str:
    """The client address as AWS saw it (never a client-controlled header)."""
    ip = None
    if kind == "rest" or kind == "http1":
        identity = rc.get("identity")
        if type(identity) is dict:
            ip = identity.get("sourceIp")
    elif kind == "alb":
        if forwarded_for:  # the load balancer appends the peer address: the last entry is the one it saw
            ip = forwarded_for.rsplit(",", 1)[-1].strip()
    else:
        http = rc.get("http")
        if type(http) is dict:
            ip = http.get("sourceIp")
    if not ip or type(ip) is not str:
        return "127.0.0.1"
    if "/" in ip:
        ip = ip.split("/", 1)[0]
    return ip


def remote_user(rc: dict[str, Any]) -> tuple[Any, str | None]:
    """``(authorizer context, user)``: user from a Lambda authorizer's ``principalId``, IAM ``userArn`` or JWT ``sub``."""
    auth = rc.get("authorizer")
    user = None
    if type(auth) is dict and auth:
        user = auth.get("principalId")
        if not user:
            for key, field in (("lambda", "principalId"), ("iam", "userArn")):
                inner = auth.get(key)
                if type(inner) is dict and inner.get(field):
                    user = inner[field]
                    break
        if not user:
            jwt = auth.get("jwt")
            if type(jwt) is dict and type(jwt.get("claims")) is dict:
                user = jwt["claims"].get("sub")
    else:
        auth = None
        identity = rc.get("identity")
        if type(identity) is dict:
            user = identity.get("userArn")
    return auth, (user if type(user) is str and user else None)


def lookup_context(rc: dict[str, Any], parts: list[str]) -> Any:
    value: Any = rc
    for part in parts:
        if type(value) is not dict:
            return None
        value = value.get(part)
    return value


def request_headers(event: dict[str, Any], kind: str) -> tuple[Any, bool]:
    """The event's header mapping and whether its values are lists (multi-value)."""
    if kind == "rest" or kind == "alb" or kind == "http1":
        multi = event.get("multiValueHeaders")
        if multi:
            return multi, True
    return event.get("headers"), False


def native(text: str) -> str:
    """A str of code points as the WSGI 'native string' of its UTF-8 bytes (latin-1 mapped)."""
    return text if text.isascii() else text.encode("utf-8", "surrogateescape").decode("latin-1")


def header_name(name: str) -> str:
    """``Content-Type`` -> ``content-type``; ``""`` for names with ``_`` (dropped, so a client cannot spoof
    ``X-Forwarded-For`` as ``X_Forwarded_For``: WSGI would see both as ``HTTP_X_FORWARDED_FOR``)."""
    key = _NAMES.get(name)
    if key is None:
        key = "" if "_" in name or not name else name.lower()
        if len(_NAMES) < 2048:
            _NAMES[name] = key
    return key


def mapped_header_name(name: str) -> str:
    """The header name of a ``context_header_mappings`` key. Unlike client headers, names with ``_`` are kept
    (``Api_Stage`` -> ``api-stage``): the operator chose them and the value comes from AWS."""
    return name.lower().replace("_", "-")


def fold_headers(event: dict[str, Any], kind: str, keys: dict[str, str], key_of: Callable[[str], str],
                 cookie: str) -> dict[str, Any]:
    """The event's headers, one entry per key: ``keys.get(name) or key_of(name)`` names it (``""`` drops it),
    repeated headers are joined with ``", "`` (the ``cookie`` key with ``"; "``), an HTTP API's ``cookies`` are
    joined into ``cookie`` (beside a leftover Cookie header), values are native strings (the UTF-8 bytes,
    latin-1 mapped: what a WSGI environ holds, and the bytes an ASGI scope holds). A value that is no text
    raises (a malformed event)."""
    folded: dict[str, Any] = {}
    given, multi = request_headers(event, kind)
    if given:
        for name, value in given.items():
            key = keys.get(name)
            if key is None:
                key = key_of(name)
            if not key or value is None:
                continue
            if multi and type(value) is list:
                value = ("; " if key == cookie else ", ").join(value)
            if not value.isascii():
                value = value.encode("utf-8").decode("latin-1")
            if key in folded:
                value = folded[key] + ("; " if key == cookie else ", ") + value
            folded[key] = value
    if kind == "http" or kind == "url":
        cookies = event.get("cookies")
        if cookies:
            joined = "; ".join(cookies)
            if not joined.isascii():
                joined = native(joined)
            if cookie in folded:  # a Cookie header left beside `cookies`: keep both
                joined += "; " + folded[cookie]
            folded[cookie] = joined
    return folded


def request_line(event: dict[str, Any], rc: dict[str, Any], kind: str) -> tuple[str, str, str, str]:
    """``(method, path, query, protocol)``: the path decoded (undecodable bytes kept as surrogates), the query
    percent-encoded. Raises :class:`BadRequest` without a method or path (``KeyError`` and the like for a
    malformed event)."""
    if kind == "rest" or kind == "alb" or kind == "http1":
        method = event["httpMethod"]
        raw_path = event.get("path") or "/"
        query = alb_query(event) if kind == "alb" else rest_query(event)
        protocol = rc.get("protocol") or "HTTP/1.1"
    else:
        http = rc["http"]
        method = http["method"]
        raw_path = event.get("rawPath") or "/"
        query = v2_query(event)
        protocol = http.get("protocol") or "HTTP/1.1"
    if type(method) is not str or type(raw_path) is not str or not method:
        raise BadRequest("the event has no valid method or path")
    return method, raw_path if kind == "http" or kind == "http1" else decode_path(raw_path), query, protocol


def server_address(host: str, forwarded_proto: str | None, forwarded_port: str | None) -> tuple[str, str, str]:
    """``(scheme, server name, port)`` of the URL the client used: the host it named, the scheme and port the
    front door forwarded (the last of a list: the one the front door added)."""
    if forwarded_proto == "https" or forwarded_proto == "http":  # the usual single value: nothing to pick or clean
        scheme = forwarded_proto
    else:
        if forwarded_proto:
            forwarded_proto = forwarded_proto.rsplit(",", 1)[-1].strip().lower()
        scheme = forwarded_proto if forwarded_proto == "http" or forwarded_proto == "https" else "https"
    if ":" in host:
        colon = host.rfind(":")
        if colon > host.rfind("]"):
            server_name, port = host[:colon], host[colon + 1 :]
        else:
            server_name, port = host, ""
    else:
        server_name, port = host or "localhost", ""
    if forwarded_port:
        port = forwarded_port if forwarded_port.isdigit() else forwarded_port.rsplit(",", 1)[-1].strip()
    return scheme, server_name, port or ("443" if scheme == "https" else "80")


def base_path_of(settings: dict[str, Any]) -> str:
    """The ``base_path`` setting as a path prefix (``"/v1"``), or ``""``."""
    base = (settings.get("base_path") or "").strip("/")
    return "/" + base if base else ""


def context_mappings(settings: dict[str, Any], key_of: Callable[[str], str]) -> list[tuple[str, list[str]]]:
    """The ``context_header_mappings`` setting as ``(header key, path in the request context)`` pairs, the key of a
    header name given by ``key_of``."""
    return [(key_of(str(name)), str(path).split("."))
            for name, path in (settings.get("context_header_mappings") or {}).items() if str(name)]


def function_url_domains(settings: dict[str, Any]) -> frozenset[str]:
    """The ``function_url_domains`` setting's names, lower-case: the domains whose CloudFront distribution passes
    the Host a client asked for as X-Forwarded-Host (the function URL itself only accepts its own Host)."""
    return frozenset(str(d).lower().rstrip(".") for d in settings.get("function_url_domains") or ())


def trust_forwarded_host(headers: dict[str, Any], host_key: str, forwarded_key: str, domains: frozenset[str]) -> None:
    """A function URL request's Host becomes its X-Forwarded-Host when that names one of ``domains`` (and only
    then: any client can send the header)."""
    forwarded = headers.get(forwarded_key)
    if forwarded and forwarded.rsplit(":", 1)[0].lower() in domains:
        headers[host_key] = forwarded


def map_context_headers(headers: dict[str, Any], rc: dict[str, Any], mappings: list[tuple[str, list[str]]]) -> None:
    """Set each mapped header (:func:`context_mappings`) from the request context ``rc``, as a native string; one
    whose value is missing is removed (a mapped header never comes from the client)."""
    for key, parts in mappings:
        value = lookup_context(rc, parts)
        if value is None:
            headers.pop(key, None)
        else:
            headers[key] = native(value if type(value) is str else str(value))


class HttpRequest:
    """One request, read from its event (the ASGI adapter's input; the WSGI adapter builds its environ directly).

    ``headers`` maps lower-case names to native-string values (:func:`fold_headers`), the
    ``context_header_mappings`` headers applied (a mapping whose value is missing removes the header the client
    sent under that name). ``script_name`` and ``path`` are decoded text (undecodable bytes kept as surrogates),
    ``query`` is percent-encoded, ``server_name`` and ``server_port`` those of the URL the client used.
    """

    __slots__ = ("body", "client", "context", "event", "headers", "kind", "method", "path", "protocol", "query",
                 "scheme", "script_name", "server_name", "server_port", "user")

    kind: str
    method: str
    script_name: str
    path: str
    query: str
    protocol: str
    headers: dict[str, str]
    body: bytes
    scheme: str
    server_name: str
    server_port: str
    client: str
    user: str | None
    event: dict[str, Any]
    context: Any


class RequestParser:
    """Reads events into :class:`HttpRequest` records with the stage's ``base_path`` and
    ``context_header_mappings``."""

    def __init__(self, settings: dict[str, Any]) -> None:
        self.base_path = base_path_of(settings)
        self.url_domains = function_url_domains(settings)
        self.context_headers = context_mappings(settings, mapped_header_name)

    def parse(self, event: dict[str, Any], context: Any, kind: str) -> HttpRequest:
        """The request in ``event``; raises :class:`BadRequest` (or ``KeyError``, ``TypeError``, ... for a
        malformed event) when there is none to serve."""
        rc = event.get("requestContext")
        if type(rc) is not dict:
            rc = {}
        headers = fold_headers(event, kind, _NAMES, header_name, "cookie")
        request = HttpRequest()
        method, path, request.query, request.protocol = request_line(event, rc, kind)
        if kind == "url" and self.url_domains:
            trust_forwarded_host(headers, "host", "x-forwarded-host", self.url_domains)
        host = headers.get("host") or rc.get("domainName") or ""
        if type(host) is not str:
            host = ""
        request.script_name, request.path = split_stage_and_base(kind, path, rc, host, self.base_path, event)
        request.body = decode_body(event)
        request.scheme, request.server_name, request.server_port = server_address(
            host, headers.get("x-forwarded-proto"), headers.get("x-forwarded-port"))
        request.client = source_ip(kind, rc, headers.get("x-forwarded-for"))
        request.user = remote_user(rc)[1] if rc else None
        if self.context_headers:
            map_context_headers(headers, rc, self.context_headers)
        request.kind = kind
        request.method = method
        request.headers = headers
        request.event = event
        request.context = context
        return request
