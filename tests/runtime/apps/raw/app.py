"""A framework-free WSGI callable that echoes what reached it (the runtime tests' reference app)."""

import base64
import json
from urllib.parse import parse_qsl

BINARY = bytes(range(256))


def app(environ, start_response):
    path = environ["PATH_INFO"].encode("latin-1").decode("utf-8")
    if path == "/to-the-end":
        # PEP 3333: reading wsgi.input without a size is only safe when the server says the stream ends with the body
        if not environ.get("wsgi.input_terminated"):
            start_response("411 Length Required", [])
            return []
        start_response("200 OK", [("Content-Type", "application/octet-stream")])
        return [environ["wsgi.input"].read()]
    body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    if path == "/boom":
        raise RuntimeError("boom")
    if path == "/binary":
        start_response("200 OK", [("Content-Type", "application/octet-stream"), ("Content-Length", "256")])
        return [BINARY]
    if path == "/upload":
        start_response("200 OK", [("Content-Type", "image/png")])
        return [body]
    if path == "/empty":
        start_response("204 No Content", [])
        return []
    if path == "/cached":
        start_response("304 Not Modified", [("ETag", '"v1"')])
        return [b"ignored"]
    query = environ["QUERY_STRING"]
    echo = {
        "method": environ["REQUEST_METHOD"],
        "root": environ["SCRIPT_NAME"].encode("latin-1").decode("utf-8"),
        "path": path or "/",
        "query": query,
        "args": parse_qsl(query, keep_blank_values=True),
        "header2": environ.get("HTTP_HEADER2"),
        "cookie": environ.get("HTTP_COOKIE"),
        "content_type": environ.get("CONTENT_TYPE"),
        "host": environ.get("HTTP_HOST"),
        "body": base64.b64encode(body).decode(),
        "remote_addr": environ["REMOTE_ADDR"],
        "scheme": environ["wsgi.url_scheme"],
    }
    out = json.dumps(echo, sort_keys=True).encode()
    start_response(
        "200 OK",
        [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(out))),
            ("Set-Cookie", "a=1"),
            ("Set-Cookie", "b=2"),
            ("X-Multi", "one"),
            ("X-Multi", "two"),
        ],
    )
    return [out]
