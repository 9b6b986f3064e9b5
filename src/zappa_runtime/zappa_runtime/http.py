"""HTTP events (API Gateway REST payload 1.0, HTTP API payload 2.0 and 1.0, function URLs, ALB) to WSGI and back.

The environ is built by hand from the event (no werkzeug): every header value kept (repeated headers joined with
``", "``, cookies with ``"; "``), the body decoded (base64 strictly: invalid base64 is a 400), ``CONTENT_LENGTH``
from the decoded body on every method, ``SCRIPT_NAME`` from the stage / ``base_path``, ``REMOTE_ADDR`` from the
source IP that AWS saw. The response goes back in the shape of the event's kind, each ``Set-Cookie`` exactly once.
The request part (:func:`parse_request`) is shared with the ASGI adapter.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from base64 import b64decode, b64encode
from binascii import Error as Base64Error
from io import BytesIO
from typing import Any
from urllib.parse import quote_plus, unquote

from zappa_runtime.access import log_request
from zappa_runtime.records import AppNotConfiguredError

log = logging.getLogger("zappa.runtime")

TEXT_MIMETYPES = frozenset(
    {
        "application/json",
        "application/javascript",
        "application/ecmascript",
        "application/xml",
        "application/x-www-form-urlencoded",
        "application/graphql",
        "application/ld+json",
        "image/svg+xml",
    }
)
NO_BODY_STATUSES = frozenset({204, 304})


class BadRequest(Exception):
    """The event cannot be turned into a request (malformed event, invalid base64 body): answered with a 400."""


# ----------------------------------------------------------------------------------------------- request
_ENV_KEYS: dict[str, str] = {}


def header_env_key(name: str) -> str:
    """``Content-Type`` → ``CONTENT_TYPE``, ``X-Foo`` → ``HTTP_X_FOO``; ``""`` for names with ``_`` (dropped, so a
    client cannot spoof ``X-Forwarded-For`` as ``X_Forwarded_For``)."""
    key = _ENV_KEYS.get(name)
    if key is None:
        if "_" in name or not name:
            key = ""
        else:
            upper = name.upper().replace("-", "_")
            key = upper if upper in ("CONTENT_TYPE", "CONTENT_LENGTH") else "HTTP_" + upper
        if len(_ENV_KEYS) < 2048:
            _ENV_KEYS[name] = key
    return key


def context_env_key(name: str) -> str:
    """The environ key of a ``context_header_mappings`` name. Unlike client headers, names with ``_`` are kept
    (``Api_Stage`` → ``HTTP_API_STAGE``): the operator chose them and the value comes from AWS."""
    upper = name.upper().replace("-", "_")
    return upper if upper in ("CONTENT_TYPE", "CONTENT_LENGTH") else "HTTP_" + upper


def wsgi_str(text: str) -> str:
    """A str of code points as the WSGI 'native string' of its UTF-8 bytes (latin-1 mapped)."""
    return text if text.isascii() else text.encode("utf-8", "surrogateescape").decode("latin-1")


def decode_path(raw: str) -> str:
    """Percent-decode a path (UTF-8; undecodable bytes kept as surrogates)."""
    if "%" not in raw:
        return raw
    return unquote(raw, errors="surrogateescape")


def split_stage_and_base(kind: str, path: str, rc: dict, host: str, base_path: str, event: dict | None = None) -> tuple[str, str]:
    """``(SCRIPT_NAME, PATH_INFO)`` as decoded text: the part of the URL the client used that the app's routes
    do not see, derived from what the event says about the URL.

    - REST: ``requestContext.path`` is the path the client used on the host (``/{stage}/res`` on the
      default endpoint, where ``path`` is ``/res``): what it has before ``path`` is the prefix. On a custom
      domain both are the same and a base path mapping stays in ``path``: the part of ``path`` before what the
      ``resource`` and its ``pathParameters`` matched is the prefix. (Without ``requestContext.path``, the
      ``*.execute-api.*`` host still means ``/{stage}``.)
    - HTTP API: a named stage at the start of ``rawPath`` (payload 1.0: ``path``; on a segment boundary) moves
      into ``SCRIPT_NAME``;
      so does an API mapping key before what the ``routeKey`` and ``pathParameters`` matched.
    - ``base_path`` (the setting), any kind: moves from the path into ``SCRIPT_NAME`` (and turns derivation off).
    """
    script = ""
    if kind == "rest":
        full = rc.get("path")
        raw = (event or {}).get("path")
        if type(full) is str and type(raw) is str and full != raw and raw:
            if full.endswith(raw):
                script = decode_path(full[: len(full) - len(raw)].rstrip("/") if raw != "/" else full.rstrip("/"))
            elif raw == "/":
                script = decode_path(full.rstrip("/"))
        elif type(full) is not str:
            stage = rc.get("stage")
            if stage and stage != "$default" and type(stage) is str and ".execute-api." in host:
                script = "/" + stage
    elif kind == "http" or kind == "http1":
        stage = rc.get("stage")
        if stage and stage != "$default" and type(stage) is str:
            prefix = "/" + stage
            if path == prefix or path.startswith(prefix + "/"):
                script = prefix
                path = path[len(prefix) :]
    if base_path:
        if path == base_path or path.startswith(base_path + "/"):
            script += base_path
            path = path[len(base_path) :]
    elif event is not None and kind in ("rest", "http", "http1"):
        template = (event.get("routeKey") or "").partition(" ")[2] if kind == "http" else event.get("resource")
        mapped = routed_prefix(template, event.get("pathParameters"), path)
        if mapped:
            script += mapped
            path = path[len(mapped) :]
    return script, path


def routed_prefix(template: Any, params: Any, path: str) -> str:
    """The part of ``path`` before what the route ``template`` (``/items/{id}``, ``/{proxy+}``) matched with
    ``params``; ``""`` when there is none or the path does not end with the match (a custom domain's base path
    mapping or API mapping key, which API Gateway leaves in the path)."""
    if type(template) is not str or not template.startswith("/") or (params is not None and type(params) is not dict):
        return ""
    params = params or {}
    matched = []
    for part in template.strip("/").split("/"):
        if not part:
            continue
        if part.startswith("{") and part.endswith("}"):
            value = params.get(part[1:-1].rstrip("+"))
            if type(value) is not str:
                return ""
            matched.append(value)
        else:
            matched.append(part)
    tail = ("/" + "/".join(matched)).rstrip("/")
    trimmed = path.rstrip("/")
    if tail and not trimmed.endswith(tail):
        return ""
    prefix = trimmed[: len(trimmed) - len(tail)]
    return prefix if prefix.startswith("/") and prefix != "/" else ""


def decode_body(event: dict) -> bytes:
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
    return body.encode("utf-8", "surrogateescape") if type(body) is str else body


_UNRESERVED = re.compile(r"[A-Za-z0-9_.~-]*\Z").match


def quote_value(text: str) -> str:
    """``quote_plus``, skipped for the common text that it would return unchanged (the hot path)."""
    if (text.isascii() and text.isalnum()) or _UNRESERVED(text):
        return text
    return quote_plus(text)


def rest_query(event: dict) -> str:
    """REST (payload 1.0) query values arrive decoded: encode them again, every value of repeated keys kept."""
    multi = event.get("multiValueQueryStringParameters")
    parts = []
    if multi:
        for key, values in multi.items():
            qkey = quote_value(key)
            if type(values) is not list:
                values = [values]
            for value in values:
                parts.append(qkey + "=" + quote_value("" if value is None else value))
    else:
        single = event.get("queryStringParameters")
        if single:
            for key, value in single.items():
                parts.append(quote_value(key) + "=" + quote_value("" if value is None else value))
    return "&".join(parts)


def alb_query(event: dict) -> str:
    """ALB passes query keys and values exactly as the client sent them (still percent-encoded): rejoin as-is."""
    multi = event.get("multiValueQueryStringParameters")
    parts = []
    if multi:
        for key, values in multi.items():
            if type(values) is not list:
                values = [values]
            for value in values:
                parts.append(key + "=" + ("" if value is None else value))
    else:
        single = event.get("queryStringParameters")
        if single:
            for key, value in single.items():
                parts.append(key + "=" + ("" if value is None else value))
    return "&".join(parts)


def v2_query(event: dict) -> str:
    raw = event.get("rawQueryString")
    if raw:
        return raw
    single = event.get("queryStringParameters")  # hand-made events: rawQueryString missing or empty
    if single:
        return "&".join(quote_plus(k) + "=" + quote_plus("" if v is None else v) for k, v in single.items())
    return ""


def source_ip(kind: str, rc: dict, forwarded_for: str | None) -> str:
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


def remote_user(rc: dict) -> tuple[Any, str | None]:
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


def lookup_context(rc: dict, parts: list[str]) -> Any:
    value: Any = rc
    for part in parts:
        if type(value) is not dict:
            return None
        value = value.get(part)
    return value


def request_headers(event: dict, kind: str) -> tuple[Any, bool]:
    """The event's header mapping and whether its values are lists (multi-value)."""
    if kind == "rest" or kind == "alb" or kind == "http1":
        multi = event.get("multiValueHeaders")
        if multi:
            return multi, True
    return event.get("headers"), False


# ---------------------------------------------------------------------------------------------- response
class ResponseBuilder:
    """Proxy-response dicts in the shape each event kind expects."""

    def __init__(self, settings: dict) -> None:
        self.binary_support = settings.get("binary_support", True) is not False
        extra = settings.get("additional_text_mimetypes") or []
        self.text_types = TEXT_MIMETYPES | {str(t).lower() for t in extra}
        self._is_text: dict[str, bool] = {}

    def is_text(self, content_type: str) -> bool:
        known = self._is_text.get(content_type)
        if known is None:
            mime = content_type.split(";", 1)[0].strip().lower()
            known = (
                mime.startswith("text/")
                or mime in self.text_types
                or mime.endswith(("+json", "+xml"))
            )
            if len(self._is_text) < 256:
                self._is_text[content_type] = known
        return known

    def encode_body(self, body: bytes, content_type: str | None, content_encoding: str | None) -> tuple[str, bool]:
        if not body:
            return "", False
        if self.binary_support and (content_encoding or not self.is_text(content_type or "")):
            return b64encode(body).decode("ascii"), True
        try:
            return body.decode("utf-8"), False
        except UnicodeDecodeError:
            return b64encode(body).decode("ascii"), True

    def build(
        self, kind: str, event: dict, status: str, headers: list, body: bytes, method: str
    ) -> dict:
        code = int(status[:3])
        if method == "HEAD" or code in NO_BODY_STATUSES or code < 200:
            body = b""
        # group headers case-insensitively, keeping the first spelling and every value in order
        groups: dict[str, list] = {}
        content_type = content_encoding = None
        for name, value in headers:
            low = name.lower()
            if value[:1] == " " or value[-1:] == " ":
                value = value.strip()
            group = groups.get(low)
            if group is None:
                groups[low] = [name, value]
            else:
                group.append(value)
            if low == "content-type":
                content_type = value
            elif low == "content-encoding":
                content_encoding = value
        text, is_b64 = self.encode_body(body, content_type, content_encoding)
        if kind == "http" or kind == "url":
            out_headers = {}
            cookies = []
            for low, group in groups.items():
                if low == "set-cookie":
                    cookies.extend(group[1:])
                elif len(group) == 2:
                    out_headers[group[0]] = group[1]
                else:
                    out_headers[group[0]] = ",".join(group[1:])
            response = {"statusCode": code, "headers": out_headers, "body": text, "isBase64Encoded": is_b64}
            if cookies:
                response["cookies"] = cookies
            return response
        if kind == "rest" or kind == "http1":
            single = {}
            multi = {}
            for group in groups.values():
                if len(group) == 2:
                    single[group[0]] = group[1]
                else:
                    multi[group[0]] = group[1:]
            return {
                "statusCode": code,
                "headers": single,
                "multiValueHeaders": multi,
                "body": text,
                "isBase64Encoded": is_b64,
            }
        # ALB: reply in the target group's mode, which the request shows
        response = {
            "statusCode": code,
            "statusDescription": status,
            "body": text,
            "isBase64Encoded": is_b64,
        }
        if event.get("multiValueHeaders"):
            response["multiValueHeaders"] = {group[0]: group[1:] for group in groups.values()}
            return response
        out = {}
        for low, group in groups.items():
            if len(group) == 2:
                out[group[0]] = group[1]
            elif low == "set-cookie":
                # single-value mode keeps one value per name: spell each cookie's header name differently
                for spelled, value in zip(case_variants("set-cookie", len(group) - 1), group[1:], strict=False):
                    out[spelled] = value
            else:
                out[group[0]] = ", ".join(group[1:])
        response["headers"] = out
        return response

    def error(self, kind: str, event: dict, code: int, payload: dict) -> dict:
        body = json.dumps(payload).encode("utf-8")
        status = f"{code} {'Bad Request' if code == 400 else 'Internal Server Error'}"
        headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
        return self.build(kind, event, status, headers, body, "GET")


def case_variants(name: str, count: int) -> list[str]:
    """``count`` distinct upper/lower-case spellings of ``name``, the usual one (``Set-Cookie``) first."""
    usual = "-".join(part.capitalize() for part in name.split("-"))
    variants = [usual]
    letters = [i for i, c in enumerate(name) if c.isalpha()]
    bits = 0
    while len(variants) < count and bits < 1 << len(letters):
        chars = list(name.lower())
        for position, index in enumerate(letters):
            if bits >> position & 1:
                chars[index] = chars[index].upper()
        bits += 1
        spelled = "".join(chars)
        if spelled not in variants:
            variants.append(spelled)
    return variants


def server_error(exc: BaseException, expose_traceback: bool) -> dict:
    """The body of the runtime's 500: a generic message; the traceback only when the stage opts in with
    ``expose_tracebacks`` (it is always in the logs)."""
    payload: dict[str, Any] = {
        "message": "An uncaught exception happened while servicing this request. "
        "You can investigate this with the `zappa tail` command."
    }
    if expose_traceback:
        import traceback

        payload["traceback"] = traceback.format_exception(type(exc), exc, exc.__traceback__)
    return payload


# ------------------------------------------------------------------------------------------------- WSGI
class WsgiAdapter:
    """``adapter(event, context, kind) -> proxy response`` around a WSGI app."""

    def __init__(self, app: Any, runtime: Any) -> None:
        settings = runtime.settings
        self.app = app
        self.runtime = runtime
        base = (settings.get("base_path") or "").strip("/")
        self.base_path = "/" + base if base else ""
        self.expose_tracebacks = bool(settings.get("expose_tracebacks"))
        self.responses = ResponseBuilder(settings)
        self.context_headers = [
            (context_env_key(str(name)), str(path).split("."))
            for name, path in (settings.get("context_header_mappings") or {}).items()
            if str(name)
        ]

    def environ(self, event: dict, context: Any, kind: str) -> dict:
        rc = event.get("requestContext")
        if type(rc) is not dict:
            rc = {}
        environ: dict[str, Any] = {}
        headers, multi = request_headers(event, kind)
        if headers:
            keys = _ENV_KEYS
            for name, value in headers.items():
                key = keys.get(name)
                if key is None:
                    key = header_env_key(name)
                if not key or value is None:
                    continue
                if multi and type(value) is list:
                    value = ("; " if key == "HTTP_COOKIE" else ", ").join(value)
                if not value.isascii():
                    value = value.encode("utf-8").decode("latin-1")
                if key in environ:
                    value = environ[key] + ("; " if key == "HTTP_COOKIE" else ", ") + value
                environ[key] = value
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
            cookies = event.get("cookies")
            if cookies:
                cookie = "; ".join(cookies)
                if not cookie.isascii():
                    cookie = wsgi_str(cookie)
                if "HTTP_COOKIE" in environ:  # a Cookie header left beside `cookies`: keep both
                    cookie += "; " + environ["HTTP_COOKIE"]
                environ["HTTP_COOKIE"] = cookie
        if type(method) is not str or type(raw_path) is not str or not method:
            raise BadRequest("the event has no valid method or path")
        host = environ.get("HTTP_HOST") or rc.get("domainName") or ""
        if type(host) is not str:
            host = ""
        path = raw_path if kind == "http" or kind == "http1" else decode_path(raw_path)  # HTTP APIs decode it
        script, path = split_stage_and_base(kind, path, rc, host, self.base_path, event)
        body = decode_body(event)

        proto = environ.get("HTTP_X_FORWARDED_PROTO")
        if proto:
            proto = proto.rsplit(",", 1)[-1].strip().lower()
        scheme = proto if proto == "http" or proto == "https" else "https"
        colon = host.rfind(":")
        if colon > host.rfind("]"):
            server_name, port = host[:colon], host[colon + 1 :]
        else:
            server_name, port = host or "localhost", ""
        forwarded_port = environ.get("HTTP_X_FORWARDED_PORT")
        if forwarded_port:
            port = forwarded_port.rsplit(",", 1)[-1].strip()
        environ["REQUEST_METHOD"] = method
        environ["SCRIPT_NAME"] = wsgi_str(script)
        environ["PATH_INFO"] = wsgi_str(path)
        environ["QUERY_STRING"] = query if query.isascii() else wsgi_str(query)
        environ["SERVER_NAME"] = server_name
        environ["SERVER_PORT"] = port or ("443" if scheme == "https" else "80")
        environ["SERVER_PROTOCOL"] = protocol
        environ["REMOTE_ADDR"] = source_ip(kind, rc, environ.get("HTTP_X_FORWARDED_FOR"))
        environ["CONTENT_LENGTH"] = str(len(body))
        environ["wsgi.version"] = (1, 0)
        environ["wsgi.url_scheme"] = scheme
        environ["wsgi.input"] = BytesIO(body)
        environ["wsgi.input_terminated"] = True  # the stream ends with the body: no length-limiting wrapper needed
        environ["wsgi.errors"] = sys.stderr
        environ["wsgi.multithread"] = False
        environ["wsgi.multiprocess"] = False
        environ["wsgi.run_once"] = False
        environ["lambda.event"] = event
        environ["lambda.context"] = context
        environ["zappa.event_kind"] = kind
        if rc:
            auth, user = remote_user(rc)
            if auth is not None:
                environ["API_GATEWAY_AUTHORIZER"] = auth
            if user:
                environ["REMOTE_USER"] = user
        for key, parts in self.context_headers:
            value = lookup_context(rc, parts)
            if value is None:
                environ.pop(key, None)  # a mapped header never comes from the client
            else:
                environ[key] = wsgi_str(value if type(value) is str else str(value))
        return environ

    def call_app(self, environ: dict) -> tuple[str, list, bytes]:
        state: list = []
        chunks: list = []

        def start_response(status: str, headers: list, exc_info: Any = None) -> Any:
            state[:] = (status, headers)
            return chunks.append

        result = self.app(environ, start_response)
        try:
            for chunk in result:
                if chunk:
                    chunks.append(chunk)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        if not state:
            raise RuntimeError("the WSGI app returned without calling start_response")
        return state[0], state[1], b"".join(chunks)

    def __call__(self, event: dict, context: Any, kind: str) -> dict:
        started = time.perf_counter()
        responses = self.responses
        try:
            environ = self.environ(event, context, kind)
        except BadRequest as exc:
            return responses.error(kind, event, 400, {"message": str(exc)})
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            log.warning("malformed %s event (%s: %s)", kind, type(exc).__name__, exc)
            return responses.error(kind, event, 400, {"message": f"malformed {kind} event"})
        try:
            if self.app is None:
                raise AppNotConfiguredError(
                    "HTTP request, but the stage has neither `app_function` nor `django_settings`"
                )
            status, headers, body = self.call_app(environ)
            response = responses.build(kind, event, status, headers, body, environ["REQUEST_METHOD"])
        except Exception as exc:  # every failure becomes a 500, never a crashed invocation
            log.exception("uncaught exception while servicing %s %s", environ["REQUEST_METHOD"], environ["PATH_INFO"])
            self.runtime.handle_exception(exc, event, context)
            response = responses.error(kind, event, 500, server_error(exc, self.expose_tracebacks))
            body = b""
        log_request(environ, response["statusCode"], len(body), started)
        return response
