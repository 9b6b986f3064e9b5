"""A WSGI app and an ASGI app see the same request: both adapters read the event with one parsing layer
(zappa_runtime.request; the ASGI scope is built from its HttpRequest record, the WSGI environ straight from the
event), so headers, cookies, paths, client address and ``context_header_mappings`` agree byte for byte, for every
kind of event."""

from __future__ import annotations

import json

import events_factory as ev
import pytest
from zappa_runtime.asgi import AsgiAdapter
from zappa_runtime.runtime import Runtime
from zappa_runtime.wsgi import WsgiAdapter

SETTINGS = {"context_header_mappings": {"X-Stage": "stage", "Api_Id": "apiId"}, "function_url_domains": ["app.example.com"]}


def wsgi_app(environ, start_response):
    """What the app saw, text as WSGI's native strings (UTF-8 bytes, latin-1 mapped)."""
    headers = {}
    for key, value in environ.items():
        if key.startswith("HTTP_") or key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            headers[key.removeprefix("HTTP_").replace("_", "-").lower()] = value
    seen = {
        "method": environ["REQUEST_METHOD"],
        "root": environ["SCRIPT_NAME"],
        "full": environ["SCRIPT_NAME"] + environ["PATH_INFO"],
        "query": environ["QUERY_STRING"],
        "headers": headers,
        "client": environ["REMOTE_ADDR"],
        "server": [environ["SERVER_NAME"], int(environ["SERVER_PORT"])],
        "scheme": environ["wsgi.url_scheme"],
        "body": environ["wsgi.input"].read().decode("latin-1"),
    }
    start_response("200 OK", [("Content-Type", "application/json")])
    return [json.dumps(seen).encode()]


async def asgi_app(scope, receive, send):
    if scope["type"] != "http":
        raise ValueError("no lifespan")
    message = await receive()
    headers = {}
    for name, value in scope["headers"]:
        key = name.decode("latin-1")
        headers[key] = headers[key] + ", " + value.decode("latin-1") if key in headers else value.decode("latin-1")
    seen = {
        "method": scope["method"],
        "root": native(scope["root_path"]),
        "full": native(scope["path"]),
        "query": scope["query_string"].decode("latin-1"),
        "headers": headers,
        "client": scope["client"][0],
        "server": list(scope["server"]),
        "scheme": scope["scheme"],
        "body": message["body"].decode("latin-1"),
    }
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": json.dumps(seen).encode()})


def native(text: str) -> str:
    return text.encode("utf-8", "surrogateescape").decode("latin-1")


def through(adapter, event, kind) -> dict:
    response = adapter(event, None, kind)
    assert response["statusCode"] == 200, response
    return json.loads(response["body"])


@pytest.fixture
def both():
    runtime = Runtime(dict(SETTINGS))
    asgi = AsgiAdapter(asgi_app, runtime)
    yield WsgiAdapter(wsgi_app, runtime), asgi
    asgi.loop.close()


HEADERS = {"X-Name": "Zoë ☃", "Accept": "text/html", "X_Forwarded_For": "6.6.6.6", "X-Stage": "spoofed",
           "Api-Id": "spoofed", "Content-Type": "text/plain; charset=utf-8"}
CASES = {
    "rest": lambda: ev.rest("POST", "/prod/caf%C3%A9/x", headers=HEADERS, query={"q": ["a b", "é"]}, body="hé"),
    "http": lambda: ev.v2("POST", "/café/x", headers={k.lower(): v for k, v in HEADERS.items()}, raw_query="q=a+b",
                          cookies=["a=1", "b=ü"], body="hé", stage="prod"),
    "url": lambda: ev.url("POST", "/café/x", headers={k.lower(): v for k, v in HEADERS.items()}, cookies=["a=1"],
                          body="hé"),
    "alb": lambda: ev.alb("POST", "/caf%C3%A9/x", headers={k.lower(): v for k, v in HEADERS.items()},
                          query={"q": ["a%20b"]}, body="hé", multi=True),
    "http1": lambda: ev.http1("POST", "/café/x", headers=HEADERS, query={"q": ["a b"]}, body="hé", stage="prod"),
}


@pytest.mark.parametrize("kind", list(CASES))
def test_a_wsgi_and_an_asgi_app_see_the_same_request(both, kind):
    wsgi, asgi = both
    event = CASES[kind]()
    event.setdefault("requestContext", {})["apiId"] = "abc123"
    seen_by_wsgi, seen_by_asgi = through(wsgi, event, kind), through(asgi, event, kind)
    assert seen_by_asgi == seen_by_wsgi
    headers = seen_by_wsgi["headers"]
    assert headers["x-name"] == "Zoë ☃".encode().decode("latin-1")  # UTF-8 bytes, for both
    assert "6.6.6.6" not in json.dumps(seen_by_wsgi)  # a header spelled with "_" is dropped for both
    assert headers["api-id"] == "abc123"  # a mapped header comes from the request context, never the client
    assert headers.get("x-stage") != "spoofed"
    assert headers["content-length"] == str(len("hé".encode()))
    assert seen_by_wsgi["body"] == "hé".encode().decode("latin-1")


def test_the_scope_is_built_from_the_request_record():
    from zappa_runtime.request import RequestParser

    runtime = Runtime(dict(SETTINGS))
    asgi = AsgiAdapter(asgi_app, runtime)
    try:
        event = CASES["http"]()
        event["requestContext"]["apiId"] = "abc123"
        request = RequestParser(SETTINGS).parse(event, None, "http")
        environ = WsgiAdapter(wsgi_app, runtime).environ(event, None, "http")
        assert native(request.script_name) == environ["SCRIPT_NAME"] and native(request.path) == environ["PATH_INFO"]
        assert (request.method, request.query, request.client) == ("POST", "q=a+b", environ["REMOTE_ADDR"])
        assert request.headers["cookie"] == environ["HTTP_COOKIE"] == "a=1; b=" + native("ü")
        assert request.headers["api-id"] == environ["HTTP_API_ID"] == "abc123"
        scope = asgi.scope(request)
        assert scope["path"] == request.script_name + "/café/x" and scope["root_path"] == request.script_name
        assert scope["raw_path"] == (request.script_name + "/caf%C3%A9/x").encode() and scope["query_string"] == b"q=a+b"
        assert (b"cookie", "a=1; b=ü".encode()) in scope["headers"]
        assert scope["headers"][-1] == (b"content-length", str(len("hé".encode())).encode())
    finally:
        asgi.loop.close()


def test_both_see_a_function_url_domain_as_the_host(both):
    wsgi, asgi = both
    event = ev.url("GET", "/x", headers={"host": "abc.lambda-url.us-east-1.on.aws", "x-forwarded-host": "app.example.com"})
    seen_by_wsgi, seen_by_asgi = through(wsgi, event, "url"), through(asgi, event, "url")
    assert seen_by_asgi == seen_by_wsgi
    assert seen_by_wsgi["headers"]["host"] == "app.example.com" and seen_by_wsgi["server"] == ["app.example.com", 443]
