"""HTTP API events in payload format 1.0 (``"version": "1.0"``, which REST events never carry) are handled as
what they are, through the handler of a real package for every app: the path arrives already decoded and is not
decoded again, a named stage at its start becomes ``SCRIPT_NAME``, and the reply has payload 1.0's shape. The
events follow AWS's documented example (``apiGatewayProxyEvent.json`` is that example) and published captures."""

from __future__ import annotations

import base64
import json

import events_factory as ev
import pytest
from rtharness import load_event
from zappa_runtime.runtime import Runtime, classify

APPS = ["raw", "flask", "django", "fastapi"]


@pytest.fixture(params=APPS)
def app(request, lambda_app):
    return lambda_app(request.param)


def echo(response: dict) -> dict:
    assert response["statusCode"] == 200, response
    data = json.loads(response["body"])
    data["body"] = base64.b64decode(data["body"])
    return data


def test_the_kinds_are_told_apart_by_the_version_field():
    assert classify(load_event("apiGatewayProxyEvent.json")) == "http1"  # AWS's HTTP API 1.0 example
    assert classify(ev.http1("GET", "/")) == "http1"
    assert classify(ev.rest("GET", "/")) == "rest"
    assert classify(load_event("apiGatewayProxyEvent_noVersionAuth.json")) == "rest"


def test_awss_documented_example_reaches_the_app(app):
    event = load_event("apiGatewayProxyEvent.json")
    response = app.invoke(event)
    got = echo(response)
    assert (got["method"], got["root"], got["path"]) == ("GET", "", "/my/path")
    assert got["args"] == [["parameter1", "value1"], ["parameter1", "value2"], ["parameter2", "value"]]
    assert (got["header2"], got["remote_addr"], got["body"]) == ("value1, value2", "192.168.0.1", b"Hello from Lambda!")
    # payload 1.0's reply: headers with one value, multiValueHeaders with several (each cookie once), no `cookies`
    assert "cookies" not in response
    cookies = {k.lower(): v for k, v in response["multiValueHeaders"].items()}["set-cookie"]
    assert [c.split(";")[0] for c in cookies] == ["a=1", "b=2"]  # Django adds "; Path=/"


@pytest.mark.parametrize(
    ("sent", "seen"),
    [
        ("/café/a b", "/café/a b"),
        ("/100%25/x", "/100%25/x"),  # a literal '%25' in the decoded path stays as it is
        ("/files/a%2Fb", "/files/a%2Fb"),
        ("/caf%C3%A9", "/caf%C3%A9"),
    ],
    ids=["unicode-and-space", "literal-percent-25", "literal-percent-2F", "literal-escape"],
)
def test_the_path_is_not_decoded_a_second_time(app, sent, seen):
    assert echo(app.invoke(ev.http1("GET", sent)))["path"] == seen


def test_a_named_stage_at_the_start_of_the_path_becomes_the_script_name(app):
    # as captured from a console-made HTTP API: stage "default", route "ANY /RetroPixelApi"
    event = ev.http1("POST", "/RetroPixelApi", stage="default", route="ANY /RetroPixelApi", body='{"a": 1}',
                     headers={"Content-Type": "application/json"})
    assert event["path"] == "/default/RetroPixelApi"
    got = echo(app.invoke(event))
    assert (got["root"], got["path"], got["body"]) == ("/default", "/RetroPixelApi", b'{"a": 1}')


def test_an_asgi_app_gets_the_path_encoded_again_as_raw_path():
    seen = {}

    async def app(scope, receive, send):
        if scope["type"] != "http":
            raise ValueError("no lifespan")
        seen.update(path=scope["path"], raw_path=scope["raw_path"], root=scope["root_path"])
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    runtime = Runtime({})
    runtime._app, runtime.app_kind, runtime._app_loaded = app, "asgi", True
    assert runtime.invoke(ev.http1("GET", "/100%25/a b", stage="v1"), None)["statusCode"] == 204
    assert seen == {"path": "/v1/100%25/a b", "raw_path": b"/v1/100%2525/a%20b", "root": "/v1"}
