"""The gateway: routing by key (path and host forms), plugin discovery, errors, and a route that invokes."""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request

import pluggy
import pytest
from local_zip import make_zip
from zappa_core.local.gateway import Gateway, routes_from_plugins, split_key
from zappa_core.local.http import LocalRequest, LocalResponse
from zappa_core.records import LocalRoute


def echo_route(key: str) -> LocalRoute:
    def handle(request: LocalRequest) -> LocalResponse:
        data = {"method": request.method, "path": request.path, "query": request.query,
                "header": request.header("x-test"), "length": len(request.body), "host": request.host}
        headers = [("Content-Type", "application/json"), ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")]
        if request.path == "/binary":
            return LocalResponse(200, [("Content-Type", "application/octet-stream")], request.body)
        return LocalResponse(201, headers, json.dumps(data).encode())

    return LocalRoute(kind="url", key=key, handle=handle, description="echo")


def broken_route(key: str) -> LocalRoute:
    def handle(request: LocalRequest) -> LocalResponse:
        raise RuntimeError("route bug")

    return LocalRoute(kind="rest", key=key, handle=handle)


@pytest.fixture
def gateway():
    routes = [echo_route("abc123"), broken_route("broken")]
    gw = Gateway(lambda: routes).start()
    gw.routes = routes
    yield gw
    gw.stop()


def request(gateway, method, path, body=None, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", gateway.port, timeout=10)
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    return response.status, response.getheaders(), response.read()


def test_path_form_reaches_the_route_with_the_rest_of_the_path(gateway):
    status, headers, body = request(gateway, "POST", "/abc123/dev/hello%20world?x=1&x=2", b"12345", {"X-Test": "yes"})
    assert status == 201
    data = json.loads(body)
    assert data == {"method": "POST", "path": "/dev/hello%20world", "query": "x=1&x=2", "header": "yes",
                    "length": 5, "host": f"127.0.0.1:{gateway.port}"}
    assert [v for k, v in headers if k == "Set-Cookie"] == ["a=1", "b=2"]


def test_host_form_and_bare_key(gateway):
    status, _, body = request(gateway, "GET", "/dev/x", headers={"Host": f"ABC123.localhost:{gateway.port}"})
    assert status == 201 and json.loads(body)["path"] == "/dev/x"
    status, _, body = request(gateway, "GET", "/abc123")
    assert status == 201 and json.loads(body)["path"] == "/"


def test_binary_body_round_trips(gateway):
    payload = bytes(range(256)) * 40
    status, _, body = request(gateway, "PUT", "/abc123/binary", payload)
    assert status == 200 and body == payload


def test_unknown_key_is_a_404_listing_the_front_doors(gateway):
    status, _, body = request(gateway, "GET", "/nope/dev/")
    data = json.loads(body)
    assert status == 404 and "nope" in data["message"]
    assert {d["key"] for d in data["front_doors"]} == {"abc123", "broken"}
    status, _, body = request(gateway, "GET", "/")
    assert status == 200 and {d["url"] for d in json.loads(body)["front_doors"]} == {
        f"{gateway.url}/abc123/", f"{gateway.url}/broken/"}


def test_a_failing_route_is_a_502_and_the_gateway_keeps_serving(gateway):
    status, _, body = request(gateway, "GET", "/broken/x")
    assert status == 502 and json.loads(body) == {"message": "Internal server error"}
    assert request(gateway, "GET", "/abc123/")[0] == 201


def test_new_routes_are_found_after_invalidate_or_on_a_miss(gateway):
    assert request(gateway, "GET", "/later/")[0] == 404
    gateway.routes.append(echo_route("later"))
    assert request(gateway, "GET", "/later/")[0] == 201  # a miss triggers discovery
    gateway.routes[:] = [echo_route("only")]
    assert request(gateway, "GET", "/abc123/")[0] == 201  # still cached
    gateway.invalidate()
    assert request(gateway, "GET", "/abc123/")[0] == 404


def test_split_key():
    assert split_key("127.0.0.1:80", "/k/a/b") == ("k", "/a/b", False)
    assert split_key("k.localhost:80", "/a") == ("k", "/a", True)
    assert split_key("127.0.0.1", "/") == ("", "/", False)


class _RoutesPlugin:
    hookimpl = pluggy.HookimplMarker("zappa")

    @hookimpl
    def zappa_local_routes(self, settings, state):
        assert settings is None and state == "the-state"
        return [echo_route("from-plugin")]


class _BrokenPlugin:
    hookimpl = pluggy.HookimplMarker("zappa")

    @hookimpl
    def zappa_local_routes(self, settings, state):
        raise RuntimeError("plugin bug")


def test_routes_come_from_plugins_and_a_broken_plugin_is_skipped():
    from zappa_core import hookspecs

    pm = pluggy.PluginManager("zappa")
    pm.add_hookspecs(hookspecs)
    pm.register(_RoutesPlugin(), name="good")
    pm.register(_BrokenPlugin(), name="bad")
    routes = routes_from_plugins(pm, "the-state")()
    assert [(r.key, r.plugin) for r in routes] == [("from-plugin", "good")]


INVOKED_APP = """
import base64

def handler(event, context):
    body = base64.b64decode(event["body"]) if event.get("isBase64Encoded") else event.get("body", "")
    return {"statusCode": 200, "headers": {"Content-Type": "text/plain"},
            "body": f"{event['rawPath']} got {len(body)} bytes"}
"""


@pytest.mark.e2e
def test_a_route_invokes_a_deployed_function_through_the_state(local_aws, deploy_function):
    """A tiny function-URL-like route: HTTP -> state.invoke -> executor -> real handler -> HTTP."""
    import base64

    name = deploy_function({"app.py": INVOKED_APP})
    state = local_aws.state

    def handle(request: LocalRequest) -> LocalResponse:
        event = {"version": "2.0", "rawPath": request.path, "body": base64.b64encode(request.body).decode(),
                 "isBase64Encoded": True}
        payload, error = state.invoke(name, event)
        if error:
            return LocalResponse(502, [], json.dumps(payload).encode())
        return LocalResponse(payload["statusCode"], list(payload["headers"].items()), payload["body"].encode())

    local_aws.routes.append(LocalRoute(kind="url", key=name, handle=handle))
    local_aws.gateway.invalidate()
    with urllib.request.urlopen(urllib.request.Request(f"{local_aws.gateway_endpoint}/{name}/hi", data=b"\x00\xff" * 5)) as r:
        assert r.status == 200 and r.read() == b"/hi got 10 bytes"
    payload, error = state.invoke(f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
                                  f"arn:aws:lambda:us-east-1:123456789012:function:{name}/invocations",
                                  {"rawPath": "/direct"})
    assert error is None and payload["body"] == "/direct got 0 bytes"
    with pytest.raises(urllib.error.HTTPError) as failure:
        urllib.request.urlopen(f"{local_aws.gateway_endpoint}/{name}-missing/")
    assert failure.value.code == 404


def listed_keys(local_aws) -> set[str]:
    with urllib.request.urlopen(f"{local_aws.gateway_endpoint}/") as response:
        return {door["key"] for door in json.loads(response.read())["front_doors"]}


@pytest.mark.e2e
@pytest.mark.parametrize("service", ["apigateway", "apigatewayv2", "lambda", "elbv2"])
def test_a_front_door_write_refreshes_the_listed_routes(local_aws, service):
    """The gateway's listing refreshes after a write to any front-door service, not only on a missed key."""
    import uuid

    clients = local_aws.state.aws
    writes = {
        "apigateway": lambda: clients.client("apigateway").create_rest_api(name="rest"),
        "apigatewayv2": lambda: clients.client("apigatewayv2").create_api(Name="http", ProtocolType="HTTP"),
        "lambda": lambda: clients.client("lambda").publish_layer_version(
            LayerName=f"layer-{key}", Content={"ZipFile": make_zip({"python/x.py": ""})}),
        "elbv2": lambda: clients.client("elbv2").create_target_group(Name=f"tg-{uuid.uuid4().hex[:8]}",
                                                                     TargetType="lambda"),
    }
    key = f"door-{uuid.uuid4().hex[:8]}"
    listed_keys(local_aws)  # the table is loaded now
    local_aws.routes.append(echo_route(key))
    try:
        assert key not in listed_keys(local_aws)  # a listing alone does not discover again
        clients.client("sns").create_topic(Name=f"t-{key}")  # not a front-door service: still not listed
        assert key not in listed_keys(local_aws)
        writes[service]()
        assert key in listed_keys(local_aws)
    finally:
        local_aws.routes.remove(echo_route_by_key(local_aws, key))
        local_aws.gateway.invalidate()


def echo_route_by_key(local_aws, key):
    return next(route for route in local_aws.routes if route.key == key)
