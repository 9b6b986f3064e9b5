"""The proxy response of an HTTP event, in the shape its kind expects (API Gateway REST and HTTP API payloads,
function URLs, ALB in single- and multi-value mode): the body as text or base64, each ``Set-Cookie`` exactly once;
and the runtime's own 400 and 500 answers, which the WSGI and the ASGI adapter share (only a request that is not
served reaches them)."""

from __future__ import annotations

import json
import logging
from base64 import b64encode
from typing import Any

from zappa_runtime.request import BadRequest

log = logging.getLogger("zappa.runtime")

#: What reading an event that is no request raises: :class:`BadRequest`, or a missing key, a value of the wrong
#: type, text that is no text (``UnicodeError`` is a ``ValueError``) from a malformed event.
NOT_A_REQUEST = (BadRequest, KeyError, TypeError, AttributeError, ValueError)

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


class ResponseBuilder:
    """Proxy-response dicts in the shape each event kind expects."""

    def __init__(self, settings: dict[str, Any]) -> None:
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
        self, kind: str, event: dict[str, Any], status: str, headers: list[Any], body: bytes, method: str
    ) -> dict[str, Any]:
        code = int(status[:3])
        if method == "HEAD" or code in NO_BODY_STATUSES or code < 200:
            body = b""
        # group headers case-insensitively, keeping the first spelling and every value in order
        groups: dict[str, list[Any]] = {}
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

    def error(self, kind: str, event: dict[str, Any], code: int, payload: dict[str, Any]) -> dict[str, Any]:
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


def server_error(exc: BaseException, expose_traceback: bool) -> dict[str, Any]:
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


def not_a_request(responses: ResponseBuilder, kind: str, event: dict[str, Any], exc: Exception) -> dict[str, Any]:
    """The 400 for an event whose request could not be read (``exc``, one of :data:`NOT_A_REQUEST`)."""
    if isinstance(exc, BadRequest):
        return responses.error(kind, event, 400, {"message": str(exc)})
    log.warning("malformed %s event (%s: %s)", kind, type(exc).__name__, exc)
    return responses.error(kind, event, 400, {"message": f"malformed {kind} event"})


def app_failed(adapter: Any, exc: Exception, kind: str, event: dict[str, Any], context: Any, method: str,
               path: str) -> dict[str, Any]:
    """The 500 for a request whose app failed (called while ``exc`` is being handled): logged with its traceback,
    given to the stage's ``exception_handler``; the traceback in the answer only with ``expose_tracebacks``."""
    log.exception("uncaught exception while servicing %s %s", method, path)
    adapter.runtime.handle_exception(exc, event, context)
    return adapter.responses.error(kind, event, 500, server_error(exc, adapter.expose_tracebacks))  # type: ignore[no-any-return]
