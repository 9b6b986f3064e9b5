"""Every HTTP sample event through the handler of a real package, for Flask, Django, FastAPI and a raw WSGI app.

Expected values are read off each event file: what the app must see (method, SCRIPT_NAME, path, query, every
value of repeated headers, v2 cookies, the body, the client address, the scheme) and what the client must get
(each ``Set-Cookie`` exactly once, both ``X-Multi`` values), counted the way AWS delivers a proxy response.
"""

from __future__ import annotations

import base64
import json
from urllib.parse import parse_qsl

import pytest
from rtharness import LambdaError, load_event

APPS = ["raw", "flask", "django", "fastapi"]

COMMON = {"content_type": None, "root": "", "scheme": "https"}
ALB_HOST = "alb-c-LoadB-14POFKYCLBNSF-1815800096.eu-central-1.elb.amazonaws.com"
URL_HOST = "<url-id>.lambda-url.us-east-1.on.aws"
PARAMS = "parameter1=value1&parameter1=value2&parameter2=value"
EXPECTED = {
    "albEvent.json": ("alb", dict(COMMON, method="GET", path="/lambda", query="query=1234ABCD", header2=None,
        cookie=None, host="lambda-alb-123578498.us-east-2.elb.amazonaws.com", body="Test",
        remote_addr="72.12.164.125", scheme="http")),
    "albMultiValueHeadersEvent.json": ("alb", dict(COMMON, method="GET", path="/todos", query="", header2=None,
        cookie=None, host=ALB_HOST, body="", remote_addr="123.123.123.123", scheme="http")),
    "albMultiValueQueryStringEvent.json": ("alb", dict(COMMON, method="GET", path="/todos", query=PARAMS,
        header2="value1, value2", cookie=None, host=ALB_HOST, body="", remote_addr="123.123.123.123",
        scheme="http")),
    "apiGatewayProxyEvent.json": ("rest", dict(COMMON, method="GET", path="/my/path", query=PARAMS,
        header2="value1, value2", cookie=None, host=None, body="Hello from Lambda!", remote_addr="192.168.0.1")),
    "apiGatewayProxyV2Event.json": ("http", dict(COMMON, method="POST", path="/my/path", query=PARAMS,
        header2="value1,value2", cookie="cookie1; cookie2", host=None,
        body='{"message": "hello world", "username": "tom"}', remote_addr="192.168.0.1")),
    "apiGatewayProxyV2Event_GET.json": ("http", dict(COMMON, method="GET", path="/my/path", query=PARAMS,
        header2="value1,value2", cookie="cookie1; cookie2", host=None, body="", remote_addr="192.168.0.1")),
    "apiGatewayProxyV2IamEvent.json": ("http", dict(COMMON, method="GET", path="/my/path", query=PARAMS,
        header2="value2", cookie="cookie1; cookie2", host=None, body='{\r\n\t"a": 1\r\n}',
        remote_addr="192.168.0.1")),
    "apiGatewayProxyV2LambdaAuthorizerEvent.json": ("http", dict(COMMON, method="GET", path="/my/path",
        query=PARAMS, header2="value2", cookie="cookie1; cookie2", host=None, body='{\r\n\t"a": 1\r\n}',
        remote_addr="192.168.0.1")),
    "lambdaFunctionUrlEvent.json": ("url", dict(COMMON, method="GET", path="/", query="", header2=None,
        cookie=None, host=URL_HOST, body="", remote_addr="123.123.123.123")),
    # rawQueryString is empty in this sample: the query comes from queryStringParameters (AWS comma-joins repeats)
    "lambdaFunctionUrlEventWithHeaders.json": ("url", dict(COMMON, method="GET", path="/",
        query="parameter1=value1%2Cvalue2&parameter2=value", header2="value1,value2", cookie=None, host=URL_HOST,
        body="", remote_addr="123.123.123.123")),
    "lambdaFunctionUrlIAMEvent.json": ("url", dict(COMMON, method="POST", path="/my/path", query=PARAMS,
        header2="value1,value2", cookie="cookie1; cookie2", host=None, body="Hello from client!",
        remote_addr="123.123.123.123")),
}
INVALID_BASE64 = [
    "apiGatewayProxyEventAnotherPath.json",
    "apiGatewayProxyEventPathTrailingSlash.json",
    "apiGatewayProxyEvent_noVersionAuth.json",
]
AUTHORIZERS = [
    "apiGatewayAuthorizerTokenEvent.json",
    "apiGatewayAuthorizerRequestEvent.json",
    "apiGatewayAuthorizerV2Event.json",
]


def delivered(response: dict, kind: str, event: dict, name: str) -> list[str]:
    """Every value of header ``name`` the client receives, the way AWS turns the proxy response into HTTP."""
    name = name.lower()
    if kind in ("http", "url"):
        values = [v for k, v in response["headers"].items() if k.lower() == name]
        if name == "set-cookie":
            assert values == [], "v2 cookies belong in `cookies`, not in `headers`"
            return list(response.get("cookies", []))
        return [part.strip() for v in values for part in v.split(",")]
    blocks = []
    if kind == "rest":
        blocks = [("headers", False), ("multiValueHeaders", True)]
    elif event.get("multiValueHeaders"):
        blocks = [("multiValueHeaders", True)]
        assert "headers" not in response, "an ALB target in multi-value mode answers with multiValueHeaders only"
    else:
        blocks = [("headers", False)]
        assert "multiValueHeaders" not in response
    pairs = []
    for block, multi in blocks:
        for key, value in response.get(block, {}).items():
            if key.lower() == name:
                for v in value if multi else [value]:
                    if (key.lower(), v) not in pairs:  # AWS merges a pair present in both blocks once
                        pairs.append((key.lower(), v))
    values = [v for _, v in pairs]
    if name == "x-multi":
        return [part.strip() for v in values for part in v.split(",")]
    return values


@pytest.mark.parametrize("app", APPS)
@pytest.mark.parametrize("sample", sorted(EXPECTED))
def test_http_sample_reaches_the_app_and_comes_back(lambda_app, app, sample):
    kind, want = EXPECTED[sample]
    event = load_event(sample)
    response = lambda_app(app).invoke(event)

    assert response["statusCode"] == 200
    assert response["isBase64Encoded"] is False
    echo = json.loads(response["body"])
    echo["body"] = base64.b64decode(echo["body"]).decode()
    args = echo.pop("args")
    assert echo == want
    assert [tuple(a) for a in args] == parse_qsl(want["query"], keep_blank_values=True)
    cookies = [c.split(";")[0] for c in delivered(response, kind, event, "Set-Cookie")]
    assert cookies == ["a=1", "b=2"]
    assert delivered(response, kind, event, "X-Multi") == ["one", "two"]
    assert delivered(response, kind, event, "Content-Type")[0].startswith("application/json")
    if kind == "alb":
        assert response["statusDescription"] == "200 OK"
    else:
        assert "statusDescription" not in response


@pytest.mark.parametrize("app", APPS)
@pytest.mark.parametrize("sample", INVALID_BASE64)
def test_a_body_marked_base64_that_is_not_base64_is_a_400(lambda_app, app, sample):
    response = lambda_app(app).invoke(load_event(sample))
    assert response == {
        "statusCode": 400,
        "headers": {"Content-Type": "application/json", "Content-Length": "72"},
        "multiValueHeaders": {},
        "body": '{"message": "the request body is marked base64 but is not valid base64"}',
        "isBase64Encoded": False,
    }


@pytest.mark.parametrize("sample", AUTHORIZERS)
def test_authorizer_events_never_reach_the_app(lambda_app, sample):
    worker = lambda_app("raw")
    with pytest.raises(LambdaError) as raised:
        worker.invoke(load_event(sample))
    assert raised.value.name == "UnhandledEventError"
    assert "API Gateway authorizer event" in raised.value.message
    assert "never reaches the app" in raised.value.message


def test_the_package_runs_its_own_copy_of_the_runtime(lambda_app):
    worker = lambda_app("raw")
    assert worker.runtime_file.startswith(str(worker.folder))
