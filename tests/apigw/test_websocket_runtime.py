"""The Lambda side of WebSocket APIs: CONNECT/DISCONNECT/MESSAGE events reach the handlers that the stage's
``websocket_handler_module`` registers through Zappa's ``zappa.websocket`` API. Posting to connections through
the management API is tested end to end on the local AWS (tests/apigw/test_websocket_e2e.py)."""

from __future__ import annotations

import base64
import sys
import textwrap

import pytest
from zappa_runtime.runtime import Runtime

pytestmark = pytest.mark.needs_plugins

CHAT = textwrap.dedent("""
    from zappa.websocket import on_connect, on_disconnect, on_message, on_route

    SEEN = []

    @on_connect
    def connect(event, context):
        SEEN.append(("connect", event["queryStringParameters"], event["headers"].get("User-Agent")))
        if (event.get("queryStringParameters") or {}).get("token") != "good":
            return {"statusCode": 403}
        return {"statusCode": 200}

    @on_disconnect
    def disconnect(event, context):
        SEEN.append(("disconnect", event["requestContext"]["connectionId"]))

    @on_message
    def message(event, context):
        SEEN.append(("message", event["body"], event["isBase64Encoded"]))
        return {"statusCode": 200}

    @on_route("shout")
    def shout(event, context):
        SEEN.append(("shout", event["body"].upper()))
""")

SERVER = textwrap.dedent("""
    from zappa.websocket import ZappaWebSocketServer

    class Echo(ZappaWebSocketServer):
        def __init__(self):
            self.count = 0

        def on_connect(self, event, context):
            self.count += 1
            return {"statusCode": 200, "body": str(self.count)}

        def on_message(self, event, context):
            self.count += 1
            return {"statusCode": 200, "body": str(self.count)}
""")


def ws_event(event_type: str, route: str, *, body: str | bytes | None = None, query: dict | None = None) -> dict:
    """A WebSocket event in the shape API Gateway sends (AWS's documented examples)."""
    rc = {"routeKey": route, "eventType": event_type, "messageDirection": "IN", "stage": "dev", "connectedAt": 1707502303419,
          "requestTimeEpoch": 1707502303420, "identity": {"sourceIp": "192.0.2.1"}, "requestId": "req",
          "domainName": "abc123defg.execute-api.us-east-1.amazonaws.com", "connectionId": "Tc3nXcGvoAMCJ0w=", "apiId": "abc123defg"}
    event: dict = {"requestContext": rc, "isBase64Encoded": False}
    if event_type == "CONNECT":
        event["headers"] = {"Host": rc["domainName"], "Sec-WebSocket-Version": "13", "User-Agent": "pytest"}
        event["queryStringParameters"] = query
    if isinstance(body, bytes):
        event.update(body=base64.b64encode(body).decode(), isBase64Encoded=True)
    elif body is not None:
        event["body"] = body
    return event


@pytest.fixture
def load(tmp_path, monkeypatch):
    from zappa_aws_apigw import websocket

    def make(source: str) -> tuple[Runtime, object]:
        (tmp_path / "ws_app.py").write_text(source)
        monkeypatch.syspath_prepend(str(tmp_path))
        rt = Runtime({"websocket_handler_module": "ws_app"}, root=str(tmp_path))
        rt.register_plugins(["zappa_aws_apigw.runtime"])
        rt.configure_plugins()
        return rt, tmp_path

    monkeypatch.setattr(websocket, "_registry", {})
    monkeypatch.setattr(websocket, "_validated", False)
    sys.modules.pop("ws_app", None)
    yield make
    sys.modules.pop("ws_app", None)


def test_connect_refuses_a_bad_token_and_messages_reach_the_handlers(load):
    rt, _ = load(CHAT)
    assert rt.invoke(ws_event("CONNECT", "$connect", query={"token": "bad"}), None) == {"statusCode": 403}
    assert rt.invoke(ws_event("CONNECT", "$connect", query={"token": "good"}), None) == {"statusCode": 200}
    app = sys.modules["ws_app"]
    assert app.SEEN[:2] == [("connect", {"token": "bad"}, "pytest"), ("connect", {"token": "good"}, "pytest")]
    assert rt.invoke(ws_event("MESSAGE", "$default", body="hello"), None) == {"statusCode": 200}
    assert rt.invoke(ws_event("MESSAGE", "shout", body="hey"), None) == {"statusCode": 200}  # a custom route
    rt.invoke(ws_event("MESSAGE", "no-such-route", body=b"\x00\xff"), None)  # binary: base64 in the event
    assert app.SEEN[2:] == [("message", "hello", False), ("shout", "HEY"), ("message", "AP8=", True)]
    # a disconnect goes to its own handler, and returns 200 when the handler returns nothing
    assert rt.invoke(ws_event("DISCONNECT", "$disconnect"), None) == {"statusCode": 200}
    assert app.SEEN[-1] == ("disconnect", "Tc3nXcGvoAMCJ0w=")


def test_the_base_class_registers_its_overridden_methods_on_one_instance(load):
    rt, _ = load(SERVER)
    assert rt.invoke(ws_event("CONNECT", "$connect"), None) == {"statusCode": 200, "body": "1"}
    assert rt.invoke(ws_event("MESSAGE", "$default", body="x"), None) == {"statusCode": 200, "body": "2"}
    assert rt.invoke(ws_event("DISCONNECT", "$disconnect"), None) == {"statusCode": 200}  # not overridden


def test_handlers_without_connect_or_default_are_a_clear_error(load):
    from zappa.websocket import WebSocketConfigurationError

    rt, _ = load("from zappa.websocket import on_message\n\n@on_message\ndef m(event, context):\n    return None\n")
    with pytest.raises(WebSocketConfigurationError, match="missing required routes: @on_connect"):
        rt.invoke(ws_event("MESSAGE", "$default", body="x"), None)


def test_payloads_and_the_management_endpoint(monkeypatch):
    from zappa_aws_apigw.websocket import management_endpoint, payload_bytes

    assert payload_bytes({"a": 1}) == b'{"a": 1}' and payload_bytes("é") == "é".encode() and payload_bytes(b"\x00") == b"\x00"
    monkeypatch.delenv("ZAPPA_LOCAL_GATEWAY", raising=False)
    assert management_endpoint("abc.execute-api.eu-west-1.amazonaws.com", "dev") == "https://abc.execute-api.eu-west-1.amazonaws.com/dev"
    assert management_endpoint("chat.example.com", "dev") == "https://chat.example.com/dev"
    # a client that connected through a custom domain: the event names the domain, whose API mapping serves no
    # @connections; the API's own endpoint in the function's region does
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    assert management_endpoint("ws.example.com", "dev", "abc") == "https://abc.execute-api.eu-west-1.amazonaws.com/dev"
    monkeypatch.setenv("ZAPPA_LOCAL_GATEWAY", "http://127.0.0.1:9000")
    assert management_endpoint("abc.execute-api.eu-west-1.amazonaws.com", "dev") == "http://127.0.0.1:9000/abc/dev"
    assert management_endpoint("ws.example.com", "dev", "abc") == "http://127.0.0.1:9000/abc/dev"
