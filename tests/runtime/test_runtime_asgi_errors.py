"""An ASGI app that answers its own error and then re-raises (Starlette's ``ServerErrorMiddleware``, so every
FastAPI ``@app.exception_handler(Exception)`` and Starlette ``exception_handlers={Exception: ...}``): the client
gets the app's response, the exception goes to the logs and to ``exception_handler``. Through the handler of a
built package, with AWS's sample events of each kind (REST, HTTP API, ALB, function URL); a standalone Starlette
app and raw ASGI apps in process."""

from __future__ import annotations

import json

import events_factory as ev
import pytest
from rtharness import load_event
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route
from zappa_runtime.runtime import Runtime

SAMPLES = {
    "rest": "apiGatewayProxyEvent_noVersionAuth.json",
    "http": "apiGatewayProxyV2Event.json",
    "alb": "albEvent.json",
    "url": "lambdaFunctionUrlEvent.json",
}


def sample(kind: str, path: str) -> dict:
    """AWS's sample event of ``kind``, asking for ``GET path``."""
    event = load_event(SAMPLES[kind])
    event.pop("body", None)
    event["isBase64Encoded"] = False
    if kind in ("http", "url"):
        event["rawPath"] = path
        event["rawQueryString"] = ""
        event["requestContext"]["http"].update(method="GET", path=path)
    else:
        event["path"] = path
        event["httpMethod"] = "GET"
    return event


def header(response: dict, name: str) -> list[str]:
    """Every value of header ``name`` the client gets."""
    values = [v for k, v in (response.get("headers") or {}).items() if k.lower() == name]
    for k, vs in (response.get("multiValueHeaders") or {}).items():
        if k.lower() == name:
            values.extend(vs)
    return values


@pytest.fixture(scope="module")
def package(lambda_app):
    return lambda_app("asgi_errors")


@pytest.mark.parametrize("kind", list(SAMPLES))
def test_a_fastapi_global_exception_handler_answers_the_client(package, kind):
    response = package.invoke(sample(kind, "/boom"))
    assert response["statusCode"] == 500
    assert json.loads(response["body"]) == {"error": "handled by the app", "type": "RuntimeError", "path": "/boom"}
    assert header(response, "x-handled-by") == ["fastapi"]
    assert "RuntimeError: fastapi boom" in package.invoke({"command": "hooks.errors_seen"})
    logs = package.logs()
    assert "the response is kept" in logs and 'raise RuntimeError("fastapi boom")' in logs


@pytest.mark.parametrize("kind", list(SAMPLES))
def test_a_starlette_exception_handler_answers_the_client(package, kind):
    response = package.invoke(sample(kind, "/starlette/boom"))
    assert response["statusCode"] == 500
    assert response["body"] == "starlette handled KeyError"
    assert header(response, "x-handled-by") == ["starlette"]
    assert "KeyError: 'starlette boom'" in package.invoke({"command": "hooks.errors_seen"})


def test_a_background_task_failing_after_the_response_keeps_the_response(package):
    response = package.invoke(sample("http", "/later"))
    assert (response["statusCode"], json.loads(response["body"])) == (200, {"ok": True})
    assert "ValueError: background boom" in package.invoke({"command": "hooks.errors_seen"})
    ran = package.invoke(sample("http", "/ran"))
    assert json.loads(ran["body"])["background"] == ["ran"]


async def standalone_boom(request):
    raise LookupError("standalone boom")


async def standalone_handler(request, exc):
    return JSONResponse({"handled": type(exc).__name__}, status_code=503)


def test_a_standalone_starlette_app_through_the_runtime_handler(caplog):
    app = Starlette(routes=[Route("/boom", standalone_boom)], exception_handlers={Exception: standalone_handler})
    seen = []
    runtime = Runtime({"exception_handler": "x.y"})
    runtime._exception_handler = lambda exc, event, context: seen.append(repr(exc))
    runtime._app, runtime.app_kind, runtime._app_loaded = app, "asgi", True
    with caplog.at_level("ERROR", logger="zappa.runtime"):
        for kind in SAMPLES:
            response = runtime.invoke(sample(kind, "/boom"), None)
            assert (response["statusCode"], json.loads(response["body"])) == (503, {"handled": "LookupError"})
    assert seen == ["LookupError('standalone boom')"] * 4
    assert caplog.text.count("LookupError: standalone boom") == 4


def raw_app(*messages, fail=True):
    async def app(scope, receive, send):
        if scope["type"] != "http":
            raise ValueError("no lifespan")
        for message in messages:
            await send(message)
        if fail:
            raise RuntimeError("after sending")
    return app


START = {"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]}


@pytest.mark.parametrize(
    ("messages", "expected"),
    [
        ([START, {"type": "http.response.body", "body": b"all of it"}], (200, "all of it")),
        ([START, {"type": "http.response.body", "body": b"a", "more_body": True},
          {"type": "http.response.body", "body": b"b"}], (200, "ab")),
        ([START], (500, None)),  # started, never finished: half a response is never passed off as whole
        ([START, {"type": "http.response.body", "body": b"half", "more_body": True}], (500, None)),
        ([], (500, None)),
    ],
    ids=["complete", "complete-in-chunks", "started-only", "incomplete-body", "nothing-sent"],
)
def test_an_exception_keeps_only_a_complete_response(messages, expected):
    runtime = Runtime({})
    runtime._app, runtime.app_kind, runtime._app_loaded = raw_app(*messages), "asgi", True
    response = runtime.invoke(ev.v2("GET", "/"), None)
    status, body = expected
    assert response["statusCode"] == status
    if body is None:
        assert json.loads(response["body"])["message"].startswith("An uncaught exception happened")
    else:
        assert response["body"] == body


@pytest.mark.parametrize(
    "messages",
    [
        [{"type": "http.response.body", "body": b"no start"}],
        [START, START],
    ],
    ids=["body-before-start", "start-twice"],
)
def test_messages_out_of_order_are_a_500(messages):
    runtime = Runtime({})
    runtime._app, runtime.app_kind, runtime._app_loaded = raw_app(*messages, fail=False), "asgi", True
    assert runtime.invoke(ev.rest("GET", "/"), None)["statusCode"] == 500


def test_a_body_after_the_complete_response_is_refused_and_the_response_kept(caplog):
    more = {"type": "http.response.body", "body": b"two"}
    runtime = Runtime({})
    runtime._app, runtime.app_kind, runtime._app_loaded = (
        raw_app(START, {"type": "http.response.body", "body": b"one"}, more, fail=False), "asgi", True)
    with caplog.at_level("ERROR", logger="zappa.runtime"):
        response = runtime.invoke(ev.rest("GET", "/"), None)
    assert (response["statusCode"], response["body"]) == (200, "one")
    assert "http.response.body after the response was complete" in caplog.text
