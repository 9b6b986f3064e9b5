"""WSGI apps behind HTTP events: the environ built by hand from the event (no werkzeug), the response returned in
the shape of the event's kind.

Every header value is kept (repeated headers joined with ``", "``, cookies with ``"; "``), the body decoded
(base64 strictly: invalid base64 is a 400), ``CONTENT_LENGTH`` from the decoded body on every method,
``SCRIPT_NAME`` from the stage / ``base_path``, ``REMOTE_ADDR`` from the source IP that AWS saw.
"""

from __future__ import annotations

import logging
import sys
import time
from io import BytesIO
from typing import Any

from zappa_runtime import server_errors
from zappa_runtime.access import log_request
from zappa_runtime.records import AppNotConfiguredError
from zappa_runtime.request import BadRequest, decode_body, lookup_context, remote_user, request_headers, source_ip
from zappa_runtime.request_url import alb_query, decode_path, rest_query, split_stage_and_base, v2_query
from zappa_runtime.responses import ResponseBuilder, server_error

log = logging.getLogger("zappa.runtime")

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


class WsgiAdapter:
    """``adapter(event, context, kind) -> proxy response`` around a WSGI app."""

    def __init__(self, app: Any, runtime: Any) -> None:
        settings = runtime.settings
        self.app = app
        self.runtime = runtime
        base = (settings.get("base_path") or "").strip("/")
        self.base_path = "/" + base if base else ""
        self.expose_tracebacks = bool(settings.get("expose_tracebacks"))
        self.count_server_errors = server_errors.wanted(settings)
        self.responses = ResponseBuilder(settings)
        # The CloudFront distribution of ``function_url_domains`` passes the domain a client asked for as
        # X-Forwarded-Host (the function URL itself only accepts its own Host): trusted for those names only.
        self.url_domains = frozenset(str(d).lower().rstrip(".") for d in settings.get("function_url_domains") or ())
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
        if kind == "url" and self.url_domains:
            forwarded = environ.get("HTTP_X_FORWARDED_HOST")
            if forwarded and forwarded.rsplit(":", 1)[0].lower() in self.url_domains:
                environ["HTTP_HOST"] = forwarded
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
        if self.count_server_errors and response["statusCode"] >= 500:
            server_errors.emit(context)
        return response
