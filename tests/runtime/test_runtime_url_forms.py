"""The app's own URLs on every URL form AWS serves it at: ``SCRIPT_NAME``, ``PATH_INFO``, scheme and host
come from what the event says, so the URL an app rebuilds (``url_for(_external=True)``, redirects) is the
URL the client used. Events are AWS's documented samples with the fields each URL form sets."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from types import SimpleNamespace
from wsgiref.util import request_uri

import pytest
from zappa_runtime.wsgi import WsgiAdapter

SAMPLES = Path(__file__).resolve().parent / "events"


def sample(name: str) -> dict:
    return json.loads((SAMPLES / name).read_text())


def adapter(**settings) -> WsgiAdapter:
    return WsgiAdapter(lambda environ, start: [], SimpleNamespace(settings=settings, handle_exception=lambda *a: None))


def rest(*, host: str, path: str, full: str, stage: str, resource: str, params: dict | None) -> dict:
    event = copy.deepcopy(sample("apiGatewayProxyEvent.json"))
    event.update(path=path, resource=resource, pathParameters=params, queryStringParameters=None,
                 multiValueQueryStringParameters=None, body=None, isBase64Encoded=False)
    event["headers"] = {"Host": host, "X-Forwarded-Proto": "https", "X-Forwarded-Port": "443"}
    event["multiValueHeaders"] = {k: [v] for k, v in event["headers"].items()}
    event["requestContext"].update(path=full, stage=stage, domainName=host, resourcePath=resource)
    return event


def v2(name: str, *, host: str, raw_path: str, stage: str, route_key: str = "$default", params: dict | None = None,
       full: str | None = None) -> dict:
    event = copy.deepcopy(sample(name))
    event.update(rawPath=raw_path, rawQueryString="", routeKey=route_key, body=None, isBase64Encoded=False)
    event.pop("queryStringParameters", None)
    if params is not None:
        event["pathParameters"] = params
    else:
        event.pop("pathParameters", None)
    event["headers"] = {"host": host, "x-forwarded-proto": "https", "x-forwarded-port": "443"}
    event["requestContext"].update(stage=stage, domainName=host, routeKey=route_key)
    event["requestContext"]["http"]["path"] = raw_path if full is None else full
    return event


CASES = {
    # REST API, default endpoint: the stage is in the URL, not in ``path``
    "rest default endpoint": (
        rest(host="abc123.execute-api.us-east-1.amazonaws.com", path="/hello/world", full="/dev/hello/world",
             stage="dev", resource="/{proxy+}", params={"proxy": "hello/world"}), "rest",
        "https://abc123.execute-api.us-east-1.amazonaws.com/dev/hello/world", "/dev", "/hello/world"),
    "rest default endpoint, stage root": (
        rest(host="abc123.execute-api.us-east-1.amazonaws.com", path="/", full="/dev/", stage="dev", resource="/",
             params=None), "rest", "https://abc123.execute-api.us-east-1.amazonaws.com/dev/", "/dev", "/"),
    # custom domain mapped at its root: no prefix at all
    "rest custom domain": (
        rest(host="api.example.com", path="/hello", full="/hello", stage="prod", resource="/{proxy+}",
             params={"proxy": "hello"}), "rest", "https://api.example.com/hello", "", "/hello"),
    # custom domain with base path mapping "v1": API Gateway leaves it in ``path``
    "rest custom domain with base path": (
        rest(host="api.example.com", path="/v1/users/42", full="/v1/users/42", stage="prod",
             resource="/users/{id}", params={"id": "42"}), "rest", "https://api.example.com/v1/users/42", "/v1",
        "/users/42"),
    "rest custom domain with base path, proxy": (
        rest(host="api.example.com", path="/v1/admin/login/", full="/v1/admin/login/", stage="prod",
             resource="/{proxy+}", params={"proxy": "admin/login"}), "rest", "https://api.example.com/v1/admin/login/",
        "/v1", "/admin/login/"),
    # the local gateway's path form: the front door's key before the stage
    "rest local gateway": (
        rest(host="127.0.0.1:8001", path="/hello", full="/abc123/dev/hello", stage="dev", resource="/{proxy+}",
             params={"proxy": "hello"}), "rest", "https://127.0.0.1:8001/abc123/dev/hello", "/abc123/dev", "/hello"),
    "http api $default": (
        v2("apiGatewayProxyV2Event.json", host="abc123.execute-api.us-east-1.amazonaws.com", raw_path="/hello",
           stage="$default"), "http", "https://abc123.execute-api.us-east-1.amazonaws.com/hello", "", "/hello"),
    "http api named stage": (
        v2("apiGatewayProxyV2Event.json", host="abc123.execute-api.us-east-1.amazonaws.com", raw_path="/beta/hello",
           stage="beta"), "http", "https://abc123.execute-api.us-east-1.amazonaws.com/beta/hello", "/beta", "/hello"),
    "http api custom domain with mapping key": (
        v2("apiGatewayProxyV2Event.json", host="api.example.com", raw_path="/orders/pets/6", stage="$default",
           route_key="GET /pets/{id}", params={"id": "6"}), "http", "https://api.example.com/orders/pets/6",
        "/orders", "/pets/6"),
    # the local gateway's path form: the front door's key before ``rawPath`` in ``requestContext.http.path``
    "http api local gateway": (
        v2("apiGatewayProxyV2Event.json", host="127.0.0.1:8001", raw_path="/hello", full="/abc123/hello",
           stage="$default"), "http", "https://127.0.0.1:8001/abc123/hello", "/abc123", "/hello"),
    "http api local gateway, named stage": (
        v2("apiGatewayProxyV2Event.json", host="127.0.0.1:8001", raw_path="/beta/hello", full="/abc123/beta/hello",
           stage="beta"), "http", "https://127.0.0.1:8001/abc123/beta/hello", "/abc123/beta", "/hello"),
    "function url local gateway": (
        v2("lambdaFunctionUrlEvent.json", host="127.0.0.1:8001", raw_path="/hello", full="/my-fn/hello",
           stage="$default"), "url", "https://127.0.0.1:8001/my-fn/hello", "/my-fn", "/hello"),
    "function url": (
        v2("lambdaFunctionUrlEvent.json", host="abcdefg.lambda-url.us-east-1.on.aws", raw_path="/hello",
           stage="$default"), "url", "https://abcdefg.lambda-url.us-east-1.on.aws/hello", "", "/hello"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_the_app_rebuilds_the_url_the_client_used(name):
    event, kind, url, script, path = CASES[name]
    environ = adapter().environ(event, None, kind)
    assert (environ["SCRIPT_NAME"], environ["PATH_INFO"]) == (script, path)
    assert request_uri(environ, include_query=False) == url


def test_an_alb_target_sees_the_load_balancers_host_and_scheme():
    event = sample("albMultiValueHeadersEvent.json")
    environ = adapter().environ(event, None, "alb")
    host, scheme = event["multiValueHeaders"]["host"][0], event["multiValueHeaders"]["x-forwarded-proto"][0]
    assert environ["SCRIPT_NAME"] == "" and request_uri(environ, include_query=False) == f"{scheme}://{host}{event['path']}"


def test_the_base_path_setting_wins_over_derivation():
    event, *_ = CASES["rest custom domain with base path"]
    environ = adapter(base_path="v1").environ(event, None, "rest")
    assert (environ["SCRIPT_NAME"], environ["PATH_INFO"]) == ("/v1", "/users/42")


def test_plain_http_through_the_local_gateway_keeps_its_scheme_and_port():
    event, *_ = CASES["rest local gateway"]
    event = copy.deepcopy(event)
    event["headers"].update({"X-Forwarded-Proto": "http", "X-Forwarded-Port": "8001"})
    event["multiValueHeaders"] = {k: [v] for k, v in event["headers"].items()}
    environ = adapter().environ(event, None, "rest")
    assert request_uri(environ, include_query=False) == "http://127.0.0.1:8001/abc123/dev/hello"


def test_a_function_url_behind_its_cloudfront_domain_sees_the_domain():
    """CloudFront reaches the function URL with the URL's own Host and passes the client's as X-Forwarded-Host:
    the app's URLs use it for the stage's function_url_domains, and for no other name (a client could send one)."""
    event, *_ = CASES["function url"]
    event = copy.deepcopy(event)
    event["headers"]["x-forwarded-host"] = "app.example.com"
    environ = adapter(function_url_domains=["App.Example.com"]).environ(event, None, "url")
    assert request_uri(environ, include_query=False) == "https://app.example.com/hello"
    event["headers"]["x-forwarded-host"] = "evil.example.org"
    environ = adapter(function_url_domains=["app.example.com"]).environ(event, None, "url")
    assert request_uri(environ, include_query=False) == "https://abcdefg.lambda-url.us-east-1.on.aws/hello"
    event["headers"]["x-forwarded-host"] = "app.example.com"
    environ = adapter().environ(event, None, "url")
    assert request_uri(environ, include_query=False) == "https://abcdefg.lambda-url.us-east-1.on.aws/hello"
