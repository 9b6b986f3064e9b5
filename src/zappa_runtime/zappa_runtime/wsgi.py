"""WSGI apps behind HTTP events: the environ built by hand from the event (no werkzeug), the response returned in
the shape of the event's kind.

Every header value is kept (repeated headers joined with ``", "``, cookies with ``"; "``), the body decoded
(base64 strictly: invalid base64 is a 400), ``CONTENT_LENGTH`` from the decoded body on every method,
``SCRIPT_NAME`` from the stage / ``base_path``, ``REMOTE_ADDR`` from the source IP that AWS saw.
"""

from __future__ import annotations

import sys
import time
from io import BytesIO
from typing import Any

from zappa_runtime import server_errors
from zappa_runtime.access import log_request
from zappa_runtime.records import AppNotConfiguredError
from zappa_runtime.request import (
    base_path_of,
    context_mappings,
    decode_body,
    fold_headers,
    function_url_domains,
    map_context_headers,
    native,
    remote_user,
    request_line,
    server_address,
    source_ip,
    trust_forwarded_host,
)
from zappa_runtime.request_url import split_stage_and_base
from zappa_runtime.responses import NOT_A_REQUEST, ResponseBuilder, app_failed, not_a_request

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


class WsgiAdapter:
    """``adapter(event, context, kind) -> proxy response`` around a WSGI app."""

    def __init__(self, app: Any, runtime: Any) -> None:
        settings = runtime.settings
        self.app = app
        self.runtime = runtime
        self.base_path = base_path_of(settings)
        self.expose_tracebacks = bool(settings.get("expose_tracebacks"))
        self.count_server_errors = server_errors.wanted(settings)
        self.responses = ResponseBuilder(settings)
        self.url_domains = function_url_domains(settings)
        self.context_headers = context_mappings(settings, context_env_key)

    def environ(self, event: dict[str, Any], context: Any, kind: str) -> dict[str, Any]:
        """The WSGI environ of the request in ``event``, built straight from the event (:mod:`zappa_runtime.request`);
        raises :class:`BadRequest` (or ``KeyError``, ``TypeError``, ... for a malformed event)."""
        rc = event.get("requestContext")
        if type(rc) is not dict:
            rc = {}
        environ = fold_headers(event, kind, _ENV_KEYS, header_env_key, "HTTP_COOKIE")
        method, path, query, protocol = request_line(event, rc, kind)
        if kind == "url" and self.url_domains:
            trust_forwarded_host(environ, "HTTP_HOST", "HTTP_X_FORWARDED_HOST", self.url_domains)
        get = environ.get
        host = get("HTTP_HOST") or rc.get("domainName") or ""
        if type(host) is not str:
            host = ""
        script, path = split_stage_and_base(kind, path, rc, host, self.base_path, event)
        body = decode_body(event)
        scheme, server_name, port = server_address(host, get("HTTP_X_FORWARDED_PROTO"), get("HTTP_X_FORWARDED_PORT"))
        environ["REQUEST_METHOD"] = method
        environ["SCRIPT_NAME"] = script if script.isascii() else native(script)
        environ["PATH_INFO"] = path if path.isascii() else native(path)
        environ["QUERY_STRING"] = query if query.isascii() else native(query)
        environ["SERVER_NAME"] = server_name
        environ["SERVER_PORT"] = port
        environ["SERVER_PROTOCOL"] = protocol
        environ["REMOTE_ADDR"] = source_ip(kind, rc, get("HTTP_X_FORWARDED_FOR"))
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
        if self.context_headers:
            map_context_headers(environ, rc, self.context_headers)
        return environ

    def call_app(self, environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes]:
        state: list[Any] = []
        chunks: list[bytes] = []

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
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

    def __call__(self, event: dict[str, Any], context: Any, kind: str) -> dict[str, Any]:
        started = time.perf_counter()
        try:
            environ = self.environ(event, context, kind)
        except NOT_A_REQUEST as exc:
            return not_a_request(self.responses, kind, event, exc)
        try:
            if self.app is None:
                raise AppNotConfiguredError(
                    "HTTP request, but the stage has neither `app_function` nor `django_settings`"
                )
            status, headers, body = self.call_app(environ)
            response = self.responses.build(kind, event, status, headers, body, environ["REQUEST_METHOD"])
        except Exception as exc:  # noqa: BLE001 - every failure becomes a 500 (logged), never a crashed invocation
            response = app_failed(self, exc, kind, event, context, environ["REQUEST_METHOD"], environ["PATH_INFO"])
            body = b""
        log_request(environ, response["statusCode"], len(body), started)
        if self.count_server_errors and response["statusCode"] >= 500:
            server_errors.emit(context)
        return response
