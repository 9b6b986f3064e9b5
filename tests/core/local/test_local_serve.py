"""`zappa serve`: the app from the source folder through the runtime, with the stage's event shape, reloading."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.needs_plugins]

APP = textwrap.dedent("""
    from flask import Flask, request

    app = Flask(__name__)

    @app.route("/", defaults={"path": ""}, methods=["GET", "POST"])
    @app.route("/<path:path>", methods=["GET", "POST"])
    def echo(path):
        if request.method == "POST":
            return request.get_data(), 200, {"Content-Type": "application/octet-stream"}
        return {"message": "MESSAGE", "path": request.path, "query": request.args.to_dict(flat=False)}
""")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url, timeout=60.0):
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                return response.status, response.read()
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.mark.parametrize("stage, settings, shape", [
    ("rest", {}, "v1"),
    ("http", {"apigateway_version": "v2"}, "v2"),
])
def test_serve_answers_through_the_runtime_and_reloads_on_change(tmp_path, stage, settings, shape):
    module = f"serveapp_{stage}"
    (tmp_path / f"{module}.py").write_text(APP.replace("MESSAGE", "first"))
    (tmp_path / "zappa_settings.json").write_text(json.dumps(
        {stage: {"app_function": f"{module}.app", "s3_bucket": "serve-bucket", "aws_region": "us-east-1", **settings}}))
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    server = subprocess.Popen([sys.executable, "-m", "zappa_core", "serve", stage, "--port", str(port)], cwd=tmp_path,
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        status, body = get(f"{base}/hello/world?x=1&x=2")
        assert status == 200
        assert json.loads(body) == {"message": "first", "path": "/hello/world", "query": {"x": ["1", "2"]}}
        payload = bytes(range(256)) * 8
        request = urllib.request.Request(f"{base}/upload", data=payload, method="POST",
                                         headers={"Content-Type": "application/octet-stream"})
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.read() == payload

        time.sleep(1.1)  # a new modification time, whatever the file system's resolution
        (tmp_path / f"{module}.py").write_text(APP.replace("MESSAGE", "second"))
        deadline = time.monotonic() + 60
        while json.loads(get(f"{base}/")[1])["message"] != "second":
            assert time.monotonic() < deadline, "the server did not reload"
            time.sleep(0.3)
    finally:
        os.killpg(server.pid, signal.SIGINT)
        output = server.communicate(timeout=30)[0].decode()
    assert "restarting" in output and f"({shape} events)" in output
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"{base}/", timeout=5)


def test_serve_needs_a_stage_that_exists(tmp_path, monkeypatch, capsys):
    from zappa_core.cli import run

    (tmp_path / "zappa_settings.json").write_text(json.dumps({"dev": {"app_function": "a.app", "s3_bucket": "b-bucket"}}))
    monkeypatch.chdir(tmp_path)
    assert run(["serve", "prod", "--no-reload"]) == 2


@pytest.mark.needs_plugins
@pytest.mark.parametrize("keys, kind", [
    ({}, "v1"),
    ({"apigateway_version": "v2"}, "v2"),
    ({"apigateway_enabled": False, "function_url_enabled": True}, "v2"),
    ({"alb_enabled": True, "alb_vpc_config": {"SubnetIds": ["subnet-a", "subnet-b"]}}, "alb"),
])
def test_the_front_door_plugin_shapes_the_events(zappa_stage, keys, kind):
    """``zappa serve`` asks the plugins for the stage's front door (``zappa_local_front_door``): the load
    balancer's events when it is on, else API Gateway's (payload 2.0 for an HTTP API or a lone function URL)."""
    from zappa_core.local.devserver import front_door
    from zappa_core.local.http import LOCAL_ACCOUNT as ACCOUNT
    from zappa_core.local.http import LocalRequest
    from zappa_core.plugins import get_plugin_manager

    settings = zappa_stage(keys)
    door = front_door(settings, get_plugin_manager())
    assert door.kind == kind
    request = LocalRequest(method="GET", path="/a%20b", query="x=1", headers=[("Host", "127.0.0.1:8000")], body=b"",
                           source_ip="127.0.0.1", host="127.0.0.1:8000")
    event = door.build_event(request)
    if kind == "alb":
        assert event["requestContext"]["elb"]["targetGroupArn"].startswith(f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:")
        assert event["multiValueQueryStringParameters"] == {"x": ["1"]}
        assert event["multiValueHeaders"]["x-forwarded-port"] == ["8000"]
    elif kind == "v2":
        assert event["version"] == "2.0" and event["rawPath"] == "/a b" and event["requestContext"]["accountId"] == ACCOUNT
    else:
        assert event["path"] == "/a b" and event["pathParameters"] == {"proxy": "a b"} and event["requestContext"]["stage"] == "dev"
    response = door.read_response({"statusCode": 201, "body": "made", "headers": {"X-Made": "yes"}}, None)
    assert response.status == 201 and response.body == b"made"
    assert door.read_response({"errorMessage": "boom", "errorType": "ValueError"}, "Unhandled").status == 502


def test_without_a_front_door_plugin_serve_names_the_fix(zappa_stage):
    from zappa_core.errors import UsageError
    from zappa_core.local.devserver import front_door
    from zappa_core.plugins import get_plugin_manager

    settings = zappa_stage({})
    with pytest.raises(UsageError) as caught:
        front_door(settings, get_plugin_manager(load_entry_points=False))
    assert caught.value.exit_code == 2 and "no installed plugin serves the front door of stage 'dev'" in str(caught.value)
    assert 'pip install "zappa-ng[apigw]"' in caught.value.hint


CHAT = textwrap.dedent("""
    import base64

    from zappa.websocket import on_connect, on_disconnect, on_message, on_route, send_message

    VERSION = "first"


    @on_connect
    def connect(event, context):
        if (event.get("queryStringParameters") or {}).get("token") != "ok":
            return {"statusCode": 403}
        return {"statusCode": 200}


    @on_route("shout")
    def shout(event, context):
        send_message(event["requestContext"]["connectionId"], event["body"].upper())


    @on_message
    def message(event, context):
        me = event["requestContext"]["connectionId"]
        if event["isBase64Encoded"]:
            send_message(me, base64.b64decode(event["body"])[::-1])
        else:
            send_message(me, {"echo": event["body"], "version": VERSION, "stage": event["requestContext"]["stage"]})
""")


def test_serve_drives_the_websocket_handlers_and_reloads_them(tmp_path):
    """``zappa serve`` with ``websocket_handler_module``: a real WebSocket client on the server's port runs the
    handlers ($connect refusing, a custom route, $default, binary), which answer through the management API the
    server serves; a change to the handlers restarts the server and a new connection runs the new code."""
    websockets_sync = pytest.importorskip("websockets.sync.client", reason="the dev extra installs websockets")
    from websockets.exceptions import ConnectionClosed, InvalidStatus

    (tmp_path / "serveapp_ws.py").write_text(APP.replace("MESSAGE", "web"))
    (tmp_path / "chat.py").write_text(CHAT)
    (tmp_path / "zappa_settings.json").write_text(json.dumps({"dev": {
        "app_function": "serveapp_ws.app", "s3_bucket": "serve-bucket", "aws_region": "us-east-1",
        "websocket_handler_module": "chat", "websocket_routes": ["shout"]}}))
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}  # no credentials: none are needed
    server = subprocess.Popen([sys.executable, "-m", "zappa_core", "serve", "dev", "--port", str(port)], cwd=tmp_path,
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"ws://127.0.0.1:{port}/?token=ok"
    try:
        assert json.loads(get(f"http://127.0.0.1:{port}/x")[1])["message"] == "web"  # the app beside it
        with pytest.raises(InvalidStatus) as refused:
            websockets_sync.connect(f"ws://127.0.0.1:{port}/?token=bad", open_timeout=60)
        assert refused.value.response.status_code == 403
        with websockets_sync.connect(url, open_timeout=60) as client:
            client.send("hello")
            assert json.loads(client.recv(timeout=60)) == {"echo": "hello", "version": "first", "stage": "dev"}
            client.send(json.dumps({"action": "shout", "text": "hey"}))
            assert client.recv(timeout=60) == '{"ACTION": "SHOUT", "TEXT": "HEY"}'
            client.send(b"\x01\x02\xff")
            assert client.recv(timeout=60) == b"\xff\x02\x01"

            time.sleep(1.1)  # a new modification time, whatever the file system's resolution
            (tmp_path / "chat.py").write_text(CHAT.replace('VERSION = "first"', 'VERSION = "second"'))
            with pytest.raises(ConnectionClosed) as ended:  # the restart ends the connection, without a close frame
                client.recv(timeout=60)
            assert ended.value.rcvd is None and client.protocol.close_code == 1006
        deadline = time.monotonic() + 60
        while True:
            try:
                with websockets_sync.connect(url, open_timeout=10) as client:
                    client.send("again")
                    assert json.loads(client.recv(timeout=60))["version"] == "second"
                    break
            except (OSError, InvalidStatus, ConnectionClosed):
                assert time.monotonic() < deadline, "the server did not come back"
                time.sleep(0.3)
    finally:
        os.killpg(server.pid, signal.SIGINT)
        output = server.communicate(timeout=30)[0].decode()
    assert f"WebSocket API on ws://127.0.0.1:{port}/" in output and "restarting" in output
