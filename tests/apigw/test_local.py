"""Through the local AWS: APIs deployed by this plugin's steps answer real HTTP on 127.0.0.1.

The local AWS (moto server + Lambda executor + gateway) runs in this process; the function is a real zip
run by the executor; requests go over HTTP to the gateway, which finds the routes through this plugin's
``zappa_local_routes``.
"""

from __future__ import annotations

import json
import textwrap
import urllib.error
import urllib.request
import uuid
from typing import Any

import pytest

pytestmark = [pytest.mark.needs_plugins, pytest.mark.e2e]

APP = textwrap.dedent('''
    import base64, json, time

    def handler(event, context):
        if (event.get("rawPath") or event.get("path")) == "/slow":
            time.sleep(1.5)
        if event.get("type") in ("TOKEN", "REQUEST") and ("methodArn" in event or "routeArn" in event):
            token = event.get("authorizationToken") or (event.get("headers") or {}).get("authorization")
            if token == "boom":
                raise Exception("Unauthorized")
            arn = event.get("methodArn") or event.get("routeArn")
            effect = "Allow" if token.startswith("allow") else "Deny"
            with open("/tmp/zappa-apigw-auth-calls", "a") as calls:
                calls.write(token + "\\n")
            return {"principalId": "alice", "context": {"team": "blue"},
                    "policyDocument": {"Version": "2012-10-17", "Statement": [
                        {"Action": "execute-api:Invoke", "Effect": effect, "Resource": arn.split("/")[0] + "/*"}]}}
        if event.get("rawPath") == "/fail" or event.get("path") == "/fail":
            raise RuntimeError("boom")
        body = event.get("body")
        if body is not None and event.get("isBase64Encoded"):
            body = base64.b64decode(body).decode("latin-1")
        echo = {k: event.get(k) for k in ("version", "resource", "path", "rawPath", "httpMethod", "pathParameters",
                                          "queryStringParameters", "rawQueryString", "isBase64Encoded", "cookies")}
        echo["body"] = body
        echo["stage"] = event["requestContext"].get("stage")
        echo["authorizer"] = event["requestContext"].get("authorizer")
        return {"statusCode": 200, "headers": {"Content-Type": "application/json"},
                "multiValueHeaders": {"X-Multi": ["a", "b"]}, "body": json.dumps(echo)}
''')


@pytest.fixture(scope="module")
def local(tmp_path_factory):
    from zappa_core.testing import local_aws

    with local_aws(tmp_path_factory.mktemp("local-cache")) as aws:
        yield aws


@pytest.fixture
def deploy(local, make_settings):
    """``deploy(step_class, **settings)`` -> (settings, ctx): a new project's function, then the step applied."""
    from zappa_core.testing import deploy_function, run_step

    def run(step_class: Any, **keys: Any) -> tuple[Any, Any]:
        settings = make_settings(project_name=f"p{uuid.uuid4().hex[:8]}", **keys)
        function = deploy_function(local.state.aws, settings.function_name, files={"app.py": APP}, handler="app.handler")
        lines: list[str] = []
        ctx = function.context(settings, local=True, echo=lines.append)
        run_step(ctx, step_class(settings))
        ctx.lines = lines  # type: ignore[attr-defined]
        return settings, ctx

    return run


def http(url: str, method: str = "GET", headers: dict[str, str] | None = None, body: bytes | None = None):
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def _status_url(settings: Any, ctx: Any, local: Any) -> str:
    from zappa_aws_apigw.status import stage_status

    (settings.project_dir / ".zappa").mkdir(exist_ok=True)
    (settings.project_dir / ".zappa" / "local.json").write_text(json.dumps({"gateway_endpoint": local.gateway_endpoint,
                                                                             "aws_endpoint": local.aws_endpoint}))
    return stage_status(settings, ctx)["urls"]


def test_rest_api_answers_over_http(local, deploy):
    from zappa_aws_apigw.rest import RestApiStep

    settings, ctx = deploy(RestApiStep)
    urls = _status_url(settings, ctx, local)
    assert urls["api"].startswith(local.gateway_endpoint) and urls["api"].endswith("/dev/")
    status, _, body = http(urls["api"] + "hello/world?x=1&x=2")
    assert status == 200, body
    echo = json.loads(body)
    assert echo["resource"] == "/{proxy+}" and echo["path"] == "/hello/world" and echo["httpMethod"] == "GET"
    assert echo["pathParameters"] == {"proxy": "hello/world"} and echo["queryStringParameters"] == {"x": "2"}
    assert echo["stage"] == "dev"
    root = json.loads(http(urls["api"])[2])
    assert root["resource"] == "/" and root["path"] == "/"
    # binary_support (default): binaryMediaTypes */* -> request bodies arrive base64-encoded
    status, _, body = http(urls["api"] + "upload", "POST", {"Content-Type": "application/octet-stream"}, b"\x00\xffdata")
    echo = json.loads(body)
    assert echo["isBase64Encoded"] is True and echo["body"] == "\x00\xffdata"
    # a function error is a 502
    status, _, body = http(urls["api"] + "fail")
    assert status == 502 and json.loads(body) == {"message": "Internal server error"}
    # an unknown stage is API Gateway's 403
    api_id = ctx.outputs["apigw:rest-api"]["api_id"]
    assert http(f"{local.gateway_endpoint}/{api_id}/nostage/x")[0] == 403


def test_api_key_required(local, deploy):
    from zappa_aws_apigw.rest import RestApiStep

    settings, ctx = deploy(RestApiStep, api_key_required=True)
    url = _status_url(settings, ctx, local)["api"]
    assert http(url + "x")[0] == 403
    assert http(url + "x", headers={"x-api-key": "wrong"})[0] == 403
    key_id = ctx.outputs["apigw:rest-api"]["api_key_id"]
    assert any(key_id in line for line in ctx.lines)
    value = local.state.aws.client("apigateway").get_api_key(apiKey=key_id, includeValue=True)["value"]
    assert not any(value in line for line in ctx.lines), "the key's value must never be printed"
    assert http(url + "x", headers={"x-api-key": value})[0] == 200


def test_token_authorizer_denies_and_allows(local, deploy, tmp_path):
    from zappa_aws_apigw.rest import RestApiStep

    settings, ctx = deploy(RestApiStep, authorizer={"function": "app.authorize", "result_ttl": 300})
    url = _status_url(settings, ctx, local)["api"]
    assert http(url + "x")[0] == 401  # no token
    status, _, body = http(url + "x", headers={"Authorization": "deny"})
    assert status == 403 and "explicit deny" in json.loads(body)["message"]
    assert http(url + "x", headers={"Authorization": "boom"})[0] == 401  # the authorizer raised "Unauthorized"
    token = f"allow-{uuid.uuid4().hex}"
    status, _, body = http(url + "x", headers={"Authorization": token})
    assert status == 200, body
    assert json.loads(body)["authorizer"] == {"principalId": "alice", "team": "blue"}
    # result_ttl: the second request with the same token is answered from the cache (one call logged)
    assert http(url + "other", headers={"Authorization": token})[0] == 200
    with open("/tmp/zappa-apigw-auth-calls") as calls:
        assert calls.read().split().count(token) == 1


def test_cors_preflight_answers_with_the_configured_headers(local, deploy):
    from zappa_aws_apigw.rest import RestApiStep

    cors = {"allowed_headers": ["X-Custom", "Content-Type"], "allowed_methods": ["GET", "POST"], "allowed_origin": "https://app.example"}
    settings, ctx = deploy(RestApiStep, cors=cors)
    url = _status_url(settings, ctx, local)["api"]
    status, headers, _ = http(url + "anything", "OPTIONS", {"Origin": "https://app.example", "Access-Control-Request-Method": "POST"})
    assert status == 200
    assert headers["Access-Control-Allow-Origin"] == "https://app.example"
    assert headers["Access-Control-Allow-Methods"] == "GET,POST"
    assert headers["Access-Control-Allow-Headers"] == "X-Custom,Content-Type"


def test_http_api_answers_over_http(local, deploy):
    from zappa_aws_apigw.httpapi import HttpApiStep

    settings, ctx = deploy(HttpApiStep, apigateway_version="v2", cors={"allowed_origins": ["https://a.example"]})
    url = _status_url(settings, ctx, local)["api"]
    status, headers, body = http(url + "hi/there?a=1&a=2", headers={"Cookie": "c1=1; c2=2", "Origin": "https://a.example"})
    assert status == 200, body
    echo = json.loads(body)
    assert echo["version"] == "2.0" and echo["rawPath"] == "/hi/there" and echo["rawQueryString"] == "a=1&a=2"
    assert echo["queryStringParameters"] == {"a": "1,2"} and echo["cookies"] == ["c1=1", "c2=2"]
    assert headers["Access-Control-Allow-Origin"] == "https://a.example"
    status, headers, _ = http(url + "x", "OPTIONS", {"Origin": "https://a.example", "Access-Control-Request-Method": "GET"})
    assert status == 204 and headers["Access-Control-Allow-Origin"] == "https://a.example"
    assert http(url + "fail")[0] == 502


def test_http_api_paths_arrive_decoded_in_both_payload_formats(local, deploy):
    from zappa_aws_apigw.httpapi import HttpApiStep

    settings, ctx = deploy(HttpApiStep, apigateway_version="v2")
    url = _status_url(settings, ctx, local)["api"]
    status, _, body = http(url + "caf%C3%A9/a%20b")
    echo = json.loads(body)
    assert (status, echo["version"], echo["rawPath"]) == (200, "2.0", "/café/a b")
    # the integration switched to payload 1.0 by hand, as a user of an existing HTTP API may have it
    v2 = local.state.aws.client("apigatewayv2")
    api_id = url.rstrip("/").rsplit("/", 1)[-1]
    for integration in v2.get_integrations(ApiId=api_id)["Items"]:
        v2.update_integration(ApiId=api_id, IntegrationId=integration["IntegrationId"], PayloadFormatVersion="1.0")
    status, _, body = http(url + "caf%C3%A9/a%20b?x=1&x=2", "POST",
                                 {"Content-Type": "text/plain"}, b"hello")
    assert status == 200, body
    echo = json.loads(body)
    assert (echo["version"], echo["path"], echo["httpMethod"], echo["body"]) == ("1.0", "/café/a b", "POST", "hello")
    assert echo["rawPath"] is None and echo["queryStringParameters"] == {"x": "2"}


def test_http_api_lambda_authorizer(local, deploy):
    from zappa_aws_apigw.httpapi import HttpApiStep

    settings, ctx = deploy(HttpApiStep, apigateway_version="v2", authorizer={"function": "app.authorize", "type": "REQUEST"})
    url = _status_url(settings, ctx, local)["api"]
    assert http(url + "x")[0] == 401
    assert http(url + "x", headers={"Authorization": "deny"})[0] == 403
    status, _, body = http(url + "x", headers={"Authorization": "allow"})
    assert status == 200 and json.loads(body)["authorizer"]["lambda"]["team"] == "blue"


def test_function_url_answers_over_http(local, deploy):
    from zappa_aws_apigw.function_url import FunctionUrlStep

    settings, ctx = deploy(FunctionUrlStep, function_url_enabled=True, apigateway_enabled=False)
    urls = _status_url(settings, ctx, local)
    assert "api" not in urls
    status, _, body = http(urls["function_url"] + "path?q=1", "POST", {"Content-Type": "text/plain"}, b"hello")
    assert status == 200, body
    echo = json.loads(body)
    assert echo["rawPath"] == "/path" and echo["body"] == "hello" and echo["isBase64Encoded"] is False
    status, _, body = http(urls["function_url"] + "bin", "POST", {"Content-Type": "image/png"}, b"\x89PNG")
    echo = json.loads(body)
    assert echo["isBase64Encoded"] is True and echo["body"].encode("latin-1") == b"\x89PNG"


def _together(url: str, count: int, body: bytes | None = None) -> list[tuple[int, bytes]]:
    """``count`` clients requesting ``url`` at the same moment: their statuses and bodies."""
    import threading

    results: list[tuple[int, bytes]] = []
    go = threading.Event()

    def client() -> None:
        go.wait()
        status, _, answer = http(url, "POST" if body else "GET", {"Content-Type": "text/plain"}, body)
        results.append((status, answer))

    threads = [threading.Thread(target=client) for _ in range(count)]
    for thread in threads:
        thread.start()
    go.set()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.parametrize("kind", ["rest", "url"])
def test_concurrent_clients_past_the_reserved_concurrency_are_throttled(local, deploy, kind):
    """Two may run at once: of six clients, the other four get API Gateway's 500 (a REST API) or Lambda's
    429 (a function URL), as AWS answers a throttled invocation; and an event over Lambda's 6 MB is a 413."""
    from zappa_aws_apigw.function_url import FunctionUrlStep
    from zappa_aws_apigw.rest import RestApiStep

    settings, ctx = deploy(RestApiStep) if kind == "rest" else deploy(FunctionUrlStep, function_url_enabled=True,
                                                                     apigateway_enabled=False)
    local.state.aws.client("lambda").put_function_concurrency(FunctionName=settings.function_name,
                                                              ReservedConcurrentExecutions=2)
    url = _status_url(settings, ctx, local)["api" if kind == "rest" else "function_url"]
    results = _together(url + "slow", 6)
    statuses = sorted(status for status, _ in results)
    throttled = [json.loads(answer) for status, answer in results if status != 200]
    if kind == "rest":
        assert statuses == [200, 200, 500, 500, 500, 500]
        assert throttled == [{"message": "Internal server error"}] * 4
    else:
        assert statuses == [200, 200, 429, 429, 429, 429]
        assert {t["Reason"] for t in throttled} == {"ReservedFunctionConcurrentInvocationLimitExceeded"}
    status, _, answer = http(url + "big", "POST", {"Content-Type": "text/plain"}, b"x" * (7 * 1024 * 1024))
    assert status == 413, answer
