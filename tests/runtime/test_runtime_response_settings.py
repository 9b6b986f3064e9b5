"""Settings that shape the request and the response, in process for a WSGI and an ASGI app alike:
``binary_support``, ``additional_text_mimetypes``, ``base_path``, ``context_header_mappings``, ``debug`` and
``expose_tracebacks``."""

from __future__ import annotations

import base64
import json

import events_factory as ev
import pytest
from zappa_runtime.asgi import AsgiAdapter
from zappa_runtime.runtime import Runtime
from zappa_runtime.wsgi import WsgiAdapter

BODIES = {
    "/csv": ("application/vnd.example+csv; charset=utf-8", "a,b\n1,é\n".encode()),
    "/png-text": ("image/png", b"PNG-AS-TEXT"),
    "/bytes": ("application/octet-stream", bytes(range(256))),
    "/gzip": ("text/plain", b"\x1f\x8b\x08\x00"),
}


def wsgi_app(environ, start_response):
    path = environ["PATH_INFO"]
    if path == "/boom":
        raise RuntimeError("boom")
    if path in BODIES:
        content_type, body = BODIES[path]
        headers = [("Content-Type", content_type)] + ([("Content-Encoding", "gzip")] if path == "/gzip" else [])
        start_response("200 OK", headers)
        return [body]
    start_response("200 OK", [("Content-Type", "application/json")])
    seen = {"root": environ["SCRIPT_NAME"], "path": environ["PATH_INFO"], "stage": environ.get("HTTP_X_STAGE"),
            "claims": environ.get("HTTP_X_CLAIMS")}
    return [json.dumps(seen).encode()]


async def asgi_app(scope, receive, send):
    if scope["type"] != "http":
        raise ValueError("no lifespan")
    path = scope["path"][len(scope["root_path"]):]
    if path == "/boom":
        raise RuntimeError("boom")
    headers = dict(scope["headers"])
    if path in BODIES:
        content_type, body = BODIES[path]
        out = [(b"content-type", content_type.encode())] + ([(b"content-encoding", b"gzip")] if path == "/gzip" else [])
    else:
        body = json.dumps({"root": scope["root_path"], "path": path, "stage": _text(headers.get(b"x-stage")),
                           "claims": _text(headers.get(b"x-claims"))}).encode()
        out = [(b"content-type", b"application/json")]
    await send({"type": "http.response.start", "status": 200, "headers": out})
    await send({"type": "http.response.body", "body": body})


def _text(value):
    return value.decode("latin-1") if value is not None else None


@pytest.fixture(params=["wsgi", "asgi"])
def serve(request):
    adapters = []

    def make(**settings):
        runtime = Runtime(settings)
        if request.param == "wsgi":
            adapter = WsgiAdapter(wsgi_app, runtime)
        else:
            adapter = AsgiAdapter(asgi_app, runtime)
            adapters.append(adapter)
        return adapter

    yield make
    for adapter in adapters:
        adapter.loop.close()


def get(adapter, path, build=ev.v2, **kwargs):
    event = build("GET", path, **kwargs)
    kind = {ev.v2: "http", ev.rest: "rest", ev.alb: "alb"}[build]
    return adapter(event, None, kind)


def test_by_default_only_text_types_travel_as_text(serve):
    adapter = serve()
    csv = get(adapter, "/csv")
    assert (csv["isBase64Encoded"], base64.b64decode(csv["body"])) == (True, BODIES["/csv"][1])
    assert get(adapter, "/png-text")["isBase64Encoded"] is True
    assert get(adapter, "/gzip")["isBase64Encoded"] is True  # a Content-Encoding is always binary


def test_additional_text_mimetypes_are_sent_as_text_whatever_their_case(serve):
    adapter = serve(additional_text_mimetypes=["Application/VND.Example+CSV"])
    csv = get(adapter, "/csv")
    assert (csv["isBase64Encoded"], csv["body"]) == (False, "a,b\n1,é\n")
    assert get(adapter, "/png-text")["isBase64Encoded"] is True


def test_binary_support_off_sends_utf8_as_text_and_only_other_bytes_as_base64(serve):
    adapter = serve(binary_support=False)
    png = get(adapter, "/png-text", build=ev.rest)
    assert (png["isBase64Encoded"], png["body"]) == (False, "PNG-AS-TEXT")
    raw = get(adapter, "/bytes", build=ev.rest)
    assert (raw["isBase64Encoded"], base64.b64decode(raw["body"])) == (True, bytes(range(256)))


@pytest.mark.parametrize("base_path", ["api/v1", "/api/v1/"])
def test_base_path_of_several_segments_moves_into_the_script_name(serve, base_path):
    adapter = serve(base_path=base_path)
    got = json.loads(get(adapter, "/api/v1/users/7", build=ev.rest, host="api.example.com")["body"])
    assert (got["root"], got["path"]) == ("/api/v1", "/users/7")
    other = json.loads(get(adapter, "/api/v10/users", build=ev.rest, host="api.example.com")["body"])
    assert (other["root"], other["path"]) == ("", "/api/v10/users")


def test_context_header_mappings_reach_both_kinds_of_app(serve):
    adapter = serve(context_header_mappings={"X-Stage": "stage", "X-Claims": "authorizer.jwt.claims"})
    event = ev.v2("GET", "/echo", stage="$default", headers={"x-stage": "spoofed", "x-claims": "spoofed"})
    event["requestContext"]["authorizer"] = {"jwt": {"claims": {"sub": "u1"}}}
    got = json.loads(adapter(event, None, "http")["body"])
    assert (got["stage"], got["claims"]) == ("$default", "{'sub': 'u1'}")
    del event["requestContext"]["authorizer"]
    got = json.loads(adapter(event, None, "http")["body"])
    assert (got["stage"], got["claims"]) == ("$default", None)


@pytest.mark.parametrize("debug", [True, False])
@pytest.mark.parametrize("expose", [None, True, False])
def test_only_expose_tracebacks_puts_the_traceback_in_a_500(serve, debug, expose, caplog):
    settings = {"debug": debug} if expose is None else {"debug": debug, "expose_tracebacks": expose}
    with caplog.at_level("ERROR", logger="zappa.runtime"):
        response = get(serve(**settings), "/boom")
    body = json.loads(response["body"])
    assert response["statusCode"] == 500
    assert body["message"].startswith("An uncaught exception happened")
    assert ("RuntimeError: boom" in "".join(body.get("traceback", []))) is bool(expose)
    assert set(body) == ({"message", "traceback"} if expose else {"message"})
    assert "RuntimeError: boom" in caplog.text  # the logs always have it
