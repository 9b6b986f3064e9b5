"""What every HTTP event says about its request, whatever its kind (API Gateway REST payload 1.0, HTTP API
payload 2.0 and 1.0, function URLs, ALB): headers, body, client address and authorizer; shared by the WSGI and
ASGI adapters. The URL part is :mod:`zappa_runtime.request_url`."""

from __future__ import annotations

from base64 import b64decode
from binascii import Error as Base64Error
from typing import Any


class BadRequest(Exception):
    """The event cannot be turned into a request (malformed event, invalid base64 body): answered with a 400."""


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
