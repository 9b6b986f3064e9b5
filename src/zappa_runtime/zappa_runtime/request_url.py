"""The URL of the request an HTTP event carries, as its app sees it: the path split into the part the app's
routes see and the prefix before it (a stage, a base path mapping, ``base_path``), and the query string,
encoded again where AWS hands it over decoded."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote_plus, unquote


def decode_path(raw: str) -> str:
    """Percent-decode a path (UTF-8; undecodable bytes kept as surrogates)."""
    if "%" not in raw:
        return raw
    return unquote(raw, errors="surrogateescape")


def split_stage_and_base(kind: str, path: str, rc: dict[str, Any], host: str, base_path: str, event: dict[str, Any] | None = None) -> tuple[str, str]:
    """``(SCRIPT_NAME, PATH_INFO)`` as decoded text: the part of the URL the client used that the app's routes
    do not see, derived from what the event says about the URL.

    - REST: ``requestContext.path`` is the path the client used on the host (``/{stage}/res`` on the
      default endpoint, where ``path`` is ``/res``): what it has before ``path`` is the prefix. On a custom
      domain both are the same and a base path mapping stays in ``path``: the part of ``path`` before what the
      ``resource`` and its ``pathParameters`` matched is the prefix. (Without ``requestContext.path``, the
      ``*.execute-api.*`` host still means ``/{stage}``.)
    - HTTP API and function URL: ``requestContext.http.path`` is the path on the host; AWS sends it equal to
      ``rawPath``, and what it has before ``rawPath`` is the prefix (the local gateway's ``/<key>`` form).
      A named stage at the start of ``rawPath`` (payload 1.0: ``path``; on a segment boundary) moves
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
    elif kind in ("http", "http1", "url"):
        http = rc.get("http")
        full = http.get("path") if type(http) is dict else None
        if type(full) is str and len(full) > len(path) and full.endswith(path) and path.startswith("/"):
            script = decode_path(full[: len(full) - len(path)])
        stage = rc.get("stage")
        if stage and stage != "$default" and type(stage) is str:
            prefix = "/" + stage
            if path == prefix or path.startswith(prefix + "/"):
                script += prefix
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


#: Route templates -> their segments, each ``(False, literal text)`` or ``(True, parameter name)``; bounded.
_ROUTES: dict[str, tuple[tuple[bool, str], ...]] = {}


def route_segments(template: str) -> tuple[tuple[bool, str], ...]:
    """The non-empty segments of a route template (``/items/{id}``, ``/{proxy+}``), parsed once per template."""
    segments = _ROUTES.get(template)
    if segments is None:
        segments = tuple((True, part[1:-1].rstrip("+")) if part.startswith("{") and part.endswith("}") else (False, part)
                         for part in template.strip("/").split("/") if part)
        if len(_ROUTES) < 256:
            _ROUTES[template] = segments
    return segments


def routed_prefix(template: Any, params: Any, path: str) -> str:
    """The part of ``path`` before what the route ``template`` (``/items/{id}``, ``/{proxy+}``) matched with
    ``params``; ``""`` when there is none or the path does not end with the match (a custom domain's base path
    mapping or API mapping key, which API Gateway leaves in the path)."""
    if type(template) is not str or not template.startswith("/") or (params is not None and type(params) is not dict):
        return ""
    params = params or {}
    matched = []
    for is_param, text in route_segments(template):
        if is_param:
            value = params.get(text)
            if type(value) is not str:
                return ""
            matched.append(value)
        else:
            matched.append(text)
    tail = ("/" + "/".join(matched)).rstrip("/")
    trimmed = path.rstrip("/")
    if trimmed == tail:
        return ""
    if tail and not trimmed.endswith(tail):
        return ""
    prefix = trimmed[: len(trimmed) - len(tail)]
    return prefix if prefix.startswith("/") and prefix != "/" else ""


_UNRESERVED = re.compile(r"[A-Za-z0-9_.~-]*\Z").match


def quote_value(text: str) -> str:
    """``quote_plus``, skipped for the common text that it would return unchanged (the hot path)."""
    if (text.isascii() and text.isalnum()) or _UNRESERVED(text):
        return text
    return quote_plus(text)


def rest_query(event: dict[str, Any]) -> str:
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


def alb_query(event: dict[str, Any]) -> str:
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


def v2_query(event: dict[str, Any]) -> str:
    raw: str | None = event.get("rawQueryString")
    if raw:
        return raw
    single = event.get("queryStringParameters")  # hand-made events: rawQueryString missing or empty
    if single:
        return "&".join(quote_plus(k) + "=" + quote_plus("" if v is None else v) for k, v in single.items())
    return ""
