"""A WebSocket chat through the whole tool on the local AWS, driven by a real WebSocket client (``websockets``).

``zappa deploy --local`` packages the app, creates the function and its WebSocket API; clients connect to the
local gateway's ``ws://`` URL from ``zappa status``; a bad token is refused at ``$connect``; a broadcast goes to
every connected client through the management API; binary frames go both ways; a client that vanished without
its ``$disconnect`` reaching the app (API Gateway delivers it best-effort) makes the app's send fail with
``ConnectionGone``, which the app handles; closing cleans up; ``undeploy`` removes the API.

The local AWS (moto server + Lambda executor + gateway) runs in this process; the function is the real
package that ``zappa`` built, run by the executor; the app keeps its connections in DynamoDB (moto).
"""

from __future__ import annotations

import json
import textwrap
import time

import pytest

pytestmark = [pytest.mark.needs_plugins, pytest.mark.e2e]

websockets_sync = pytest.importorskip("websockets.sync.client", reason="the dev extra installs websockets")
from websockets.exceptions import ConnectionClosed, InvalidStatus  # noqa: E402

CHAT = textwrap.dedent('''
    import base64
    import json

    import boto3
    from zappa.websocket import ConnectionGone, Connections, on_connect, on_disconnect, on_message, on_route, send_message

    TABLE = boto3.resource("dynamodb").Table("chat-connections")


    def me(event):
        return event["requestContext"]["connectionId"]


    @on_connect
    def connect(event, context):
        query = event.get("queryStringParameters") or {}
        if query.get("token") != "letmein":
            return {"statusCode": 401}
        TABLE.put_item(Item={"id": me(event), "name": query.get("name", "anonymous"),
                             "agent": event["headers"].get("User-Agent", "")})
        return {"statusCode": 200}


    @on_disconnect
    def disconnect(event, context):
        item = TABLE.get_item(Key={"id": me(event)}).get("Item") or {}
        if item.get("name") != "ghost":  # a $disconnect the app misses: AWS delivers it best-effort
            TABLE.delete_item(Key={"id": me(event)})
        return {"statusCode": 200}


    @on_route("broadcast")
    def broadcast(event, context):
        text = json.loads(event["body"])["text"]
        sender = TABLE.get_item(Key={"id": me(event)})["Item"]["name"]
        delivered, gone = 0, []
        for item in TABLE.scan()["Items"]:
            try:
                send_message(item["id"], {"from": sender, "text": text})
                delivered += 1
            except ConnectionGone:
                TABLE.delete_item(Key={"id": item["id"]})
                gone.append(item["name"])
        send_message(me(event), {"delivered": delivered, "gone": gone})
        return {"statusCode": 200}


    @on_message
    def default(event, context):
        if event["isBase64Encoded"]:
            send_message(me(event), base64.b64decode(event["body"])[::-1])
        elif event["body"] == "who am i":
            info = Connections.for_event(event).info(me(event))
            send_message(me(event), {"sourceIp": info["Identity"]["SourceIp"], "connected": bool(info["ConnectedAt"])})
        elif event["body"] == "bye":
            Connections.for_event(event).close(me(event))
        elif event["body"] == "crash":
            raise RuntimeError("boom")
        else:
            send_message(me(event), {"echo": event["body"]})
        return {"statusCode": 200}
''')

WSGI = "def app(environ, start_response):\n    start_response('200 OK', [])\n    return [b'ok']\n"


@pytest.fixture
def project(zappa_local, zappa_local_project):
    zappa_local.state.aws.client("dynamodb").create_table(
        TableName="chat-connections", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")
    return zappa_local_project({"dev": {
        "project_name": "chat", "app_function": "app.app", "s3_bucket": "chat-code", "aws_region": "us-east-1",
        "apigateway_enabled": False, "keep_warm": False, "touch": False,
        "websocket_handler_module": "chat", "websocket_routes": ["broadcast"]}}, files={"app.py": WSGI, "chat.py": CHAT})


def names(zappa_local) -> list[str]:
    items = zappa_local.state.aws.client("dynamodb").scan(TableName="chat-connections")["Items"]
    return sorted(item["name"]["S"] for item in items)


def wait_for(condition, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_chat_through_the_cli_on_the_local_aws(zappa_local, project):
    project.cli("deploy", "dev", "--local")
    status = project.status()
    url = status["urls"]["websocket"]
    api_id = status["websocket"]["id"]
    assert url == f"{zappa_local.gateway_endpoint.replace('http://', 'ws://')}/{api_id}/dev"
    connect = websockets_sync.connect
    from zappa_aws_apigw.local_websocket import CONNECTIONS

    with pytest.raises(InvalidStatus) as refused:  # a bad token is refused by the $connect handler
        connect(f"{url}?token=wrong&name=mallory", open_timeout=120)
    assert refused.value.response.status_code == 401

    with connect(f"{url}?token=letmein&name=alice", open_timeout=120) as alice, \
            connect(f"{url}?token=letmein&name=bob", open_timeout=120, user_agent_header="bob-client/1.0") as bob:
        assert names(zappa_local) == ["alice", "bob"]
        bob.send(json.dumps({"action": "broadcast", "text": "hi all"}))
        assert json.loads(alice.recv(timeout=60)) == {"from": "bob", "text": "hi all"}
        assert json.loads(bob.recv(timeout=60)) == {"from": "bob", "text": "hi all"}
        assert json.loads(bob.recv(timeout=60)) == {"delivered": 2, "gone": []}

        alice.send(b"\x00\x01binary\xff")  # binary frames: base64 in the event, raw bytes back
        assert alice.recv(timeout=60) == b"\xffyranib\x01\x00"
        alice.send("plain text")  # not JSON: the $default route
        assert json.loads(alice.recv(timeout=60)) == {"echo": "plain text"}
        alice.send(json.dumps({"action": "nothing-routes-this"}))
        assert json.loads(alice.recv(timeout=60)) == {"echo": '{"action": "nothing-routes-this"}'}
        alice.send("who am i")  # connection info through the management API
        assert json.loads(alice.recv(timeout=60)) == {"sourceIp": "127.0.0.1", "connected": True}
        alice.send("crash")  # a function error: API Gateway's error message on the socket, the connection stays
        crash = json.loads(alice.recv(timeout=60))
        assert crash["message"] == "Internal server error" and crash["connectionId"]
        assert alice.ping().wait(10)  # ping/pong

        ghost = connect(f"{url}?token=letmein&name=ghost", open_timeout=120)
        assert names(zappa_local) == ["alice", "bob", "ghost"]
        ghost.socket.close()  # vanishes without a close frame; its $disconnect does not clean up
        wait_for(lambda: CONNECTIONS.count(api_id, "dev") == 2)  # the gateway saw it go (and ran its $disconnect)
        bob.send(json.dumps({"action": "broadcast", "text": "still here?"}))
        assert json.loads(alice.recv(timeout=60)) == {"from": "bob", "text": "still here?"}
        assert json.loads(bob.recv(timeout=60)) == {"from": "bob", "text": "still here?"}
        assert json.loads(bob.recv(timeout=60)) == {"delivered": 2, "gone": ["ghost"]}
        assert names(zappa_local) == ["alice", "bob"]

        alice.send("bye")  # the app closes the connection through the management API
        with pytest.raises(ConnectionClosed) as closed:
            alice.recv(timeout=60)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1000
        wait_for(lambda: names(zappa_local) == ["bob"])  # its $disconnect cleaned up
    wait_for(lambda: names(zappa_local) == [])  # bob closed normally: cleaned up too

    project.cli("undeploy", "dev", "--local", "--yes")
    assert not [a for a in zappa_local.state.aws.client("apigatewayv2").get_apis()["Items"] if a["ProtocolType"] == "WEBSOCKET"]
    with pytest.raises(InvalidStatus) as gone:
        connect(f"{url}?token=letmein", open_timeout=120)
    assert gone.value.response.status_code == 404
