"""Edge cases through the handler of a real package, for every app: paths, queries, bodies, binary, statuses."""

from __future__ import annotations

import base64
import json

import events_factory as ev
import pytest

APPS = ["raw", "flask", "django", "fastapi"]
BINARY = bytes(range(256))


def echo(response: dict) -> dict:
    assert response["statusCode"] == 200, response
    data = json.loads(response["body"])
    data["body"] = base64.b64decode(data["body"])
    return data


@pytest.fixture(params=APPS)
def app(request, lambda_app):
    return lambda_app(request.param)


@pytest.mark.parametrize(
    "event",
    [
        ev.rest("GET", "/caf%C3%A9/a%20b"),
        ev.url("GET", "/caf%C3%A9/a%20b"),
        ev.alb("GET", "/caf%C3%A9/a%20b"),
        ev.alb("GET", "/caf%C3%A9/a%20b", multi=True),
        ev.v2("GET", "/café/a b"),  # the HTTP API hands the path over already decoded
    ],
    ids=["rest", "url", "alb", "alb-multi", "http-api"],
)
def test_percent_encoded_and_unicode_paths_are_decoded_once(app, event):
    assert echo(app.invoke(event))["path"] == "/café/a b"


def test_an_http_api_path_with_a_literal_percent_is_not_decoded_twice(app):
    assert echo(app.invoke(ev.v2("GET", "/100%25/x")))["path"] == "/100%25/x"


def test_rest_repeated_query_keys_and_special_characters(app):
    got = echo(app.invoke(ev.rest("GET", "/q", query={"a": ["1", "2"], "b": ["x y&z=é"]})))
    assert got["args"] == [["a", "1"], ["a", "2"], ["b", "x y&z=é"]]


def test_v2_raw_query_string_is_kept_verbatim(app):
    got = echo(app.invoke(ev.v2("GET", "/q", raw_query="a=1&a=2&b=x%20y%26z")))
    assert got["query"] == "a=1&a=2&b=x%20y%26z"
    assert got["args"] == [["a", "1"], ["a", "2"], ["b", "x y&z"]]


@pytest.mark.parametrize("multi", [False, True], ids=["single", "multi"])
def test_alb_query_values_are_not_encoded_twice(app, multi):
    got = echo(app.invoke(ev.alb("GET", "/q", query={"q": ["hello%20world"], "amp": ["%26"]}, multi=multi)))
    assert sorted(got["args"]) == [["amp", "&"], ["q", "hello world"]]


@pytest.mark.parametrize("build", [ev.rest, ev.v2, ev.url, ev.alb], ids=["rest", "http", "url", "alb"])
def test_unicode_body_and_empty_body(app, build):
    got = echo(app.invoke(build("POST", "/b", body="héllo ✓", headers={"content-type": "text/plain; charset=utf-8"})))
    assert got["body"] == "héllo ✓".encode()
    assert got["content_type"] == "text/plain; charset=utf-8"
    assert echo(app.invoke(build("POST", "/b")))["body"] == b""


@pytest.mark.parametrize("build", [ev.rest, ev.v2, ev.url, ev.alb], ids=["rest", "http", "url", "alb"])
def test_bodies_reach_the_app_on_every_method(app, build):
    for method in ("GET", "DELETE", "OPTIONS", "PATCH"):
        got = echo(app.invoke(build(method, "/b", body="payload")))
        assert (got["method"], got["body"]) == (method, b"payload")


@pytest.mark.parametrize("build", [ev.rest, ev.v2, ev.url, ev.alb], ids=["rest", "http", "url", "alb"])
def test_binary_upload_and_download_round_trip(app, build):
    up = app.invoke(build("POST", "/upload", body=BINARY, binary=True, headers={"content-type": "image/png"}))
    assert up["statusCode"] == 200
    assert up["isBase64Encoded"] is True
    assert base64.b64decode(up["body"]) == BINARY
    down = app.invoke(build("GET", "/binary"))
    assert (down["isBase64Encoded"], base64.b64decode(down["body"])) == (True, BINARY)


@pytest.mark.parametrize("build", [ev.rest, ev.v2, ev.url, ev.alb], ids=["rest", "http", "url", "alb"])
def test_the_body_stream_ends_with_the_body_and_says_so(lambda_app, build):
    """``wsgi.input_terminated``: an app may read to the end, and werkzeug skips its length-limiting wrapper."""
    raw = lambda_app("raw")
    got = raw.invoke(build("POST", "/to-the-end", body=BINARY, binary=True))
    assert (got["statusCode"], base64.b64decode(got["body"])) == (200, BINARY)
    assert raw.invoke(build("POST", "/to-the-end"))["body"] == ""


@pytest.mark.parametrize("build", [ev.rest, ev.v2, ev.alb], ids=["rest", "http", "alb"])
def test_204_304_and_head_have_no_body(app, build):
    empty = app.invoke(build("GET", "/empty"))
    assert (empty["statusCode"], empty["body"], empty["isBase64Encoded"]) == (204, "", False)
    cached = app.invoke(build("GET", "/cached"))
    assert (cached["statusCode"], cached["body"]) == (304, "")
    head = app.invoke(build("HEAD", "/x"))
    assert (head["statusCode"], head["body"]) == (200, "")


def test_stage_and_script_name(app):
    rest = echo(app.invoke(ev.rest("GET", "/hello", stage="prod")))
    assert (rest["root"], rest["path"]) == ("/prod", "/hello")
    custom = echo(app.invoke(ev.rest("GET", "/hello", stage="prod", host="api.example.com")))
    assert (custom["root"], custom["path"]) == ("", "/hello")
    named = echo(app.invoke(ev.v2("GET", "/prod/hello", stage="prod")))
    assert (named["root"], named["path"]) == ("/prod", "/hello")
    lookalike = echo(app.invoke(ev.v2("GET", "/products", stage="prod")))
    assert (lookalike["root"], lookalike["path"]) == ("", "/products")


def test_client_address_and_scheme_come_from_aws_not_from_the_client(app):
    rest = echo(app.invoke(ev.rest("GET", "/", headers={"X-Forwarded-For": "6.6.6.6"}, source_ip="203.0.113.9")))
    assert (rest["remote_addr"], rest["scheme"]) == ("203.0.113.9", "https")
    alb = echo(app.invoke(ev.alb("GET", "/", forwarded_for="6.6.6.6, 198.51.100.7")))
    assert (alb["remote_addr"], alb["scheme"]) == ("198.51.100.7", "http")


def test_repeated_request_headers_and_cookies_are_all_kept(app):
    event = ev.rest("GET", "/")
    event["multiValueHeaders"]["Header2"] = ["a", "b"]
    event["multiValueHeaders"]["Cookie"] = ["x=1", "y=2"]
    got = echo(app.invoke(event))
    assert (got["header2"], got["cookie"]) == ("a, b", "x=1; y=2")
    v2 = echo(app.invoke(ev.v2("GET", "/", cookies=["x=1", "y=2"], headers={"header2": "a,b"})))
    assert (v2["header2"], v2["cookie"]) == ("a,b", "x=1; y=2")


@pytest.mark.parametrize("build", [ev.rest, ev.v2, ev.alb], ids=["rest", "http", "alb"])
def test_invalid_base64_body_is_a_400_and_never_reaches_the_app(app, build):
    event = build("POST", "/boom", body="not base64!")
    event["isBase64Encoded"] = True
    response = app.invoke(event)
    assert response["statusCode"] == 400
    assert json.loads(response["body"]) == {"message": "the request body is marked base64 but is not valid base64"}


def test_an_exception_in_the_app_is_a_500_and_goes_to_the_exception_handler(app, request):
    response = app.invoke(ev.v2("GET", "/boom"))
    assert response["statusCode"] == 500
    name = request.node.callspec.params["app"]
    if name in ("flask", "django"):
        return  # these frameworks answer the 500 page themselves; nothing escapes to the runtime
    if name == "fastapi":  # Starlette sends its own 500, then re-raises: the client gets Starlette's page
        assert (response["body"], response["headers"]["content-type"]) == (
            "Internal Server Error", "text/plain; charset=utf-8")
        assert "RuntimeError: boom" in app.invoke({"command": "hooks.errors_seen"})
        return
    body = json.loads(response["body"])
    assert body["message"].startswith("An uncaught exception happened")
    assert set(body) == {"message"}  # the traceback goes to the logs, not to the client, unless asked for
    assert "RuntimeError: boom" in app.invoke({"command": "hooks.errors_seen"})
