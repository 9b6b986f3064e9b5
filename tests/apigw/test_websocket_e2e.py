"""A WebSocket chat through the whole tool on the local AWS, driven by a real WebSocket client (``websockets``).

``zappa deploy --local`` packages the app, creates the function and its WebSocket API; clients connect to the
local gateway's ``ws://`` URL from ``zappa status``; a bad token is refused at ``$connect``; a broadcast goes to
every connected client through the management API; binary frames go both ways; a client that vanished without
its ``$disconnect`` reaching the app (API Gateway delivers it best-effort) makes the app's send fail with
``ConnectionGone``, which the app handles; closing cleans up.

Then its custom domains: ``zappa certify --local`` gets a Let's Encrypt certificate for the HTTP API's ``domain``
and for ``websocket_domain`` from Debian's ``pebble`` (DNS-01 in the local Route53, mirrored to pebble's DNS
server by a small test plugin on the certs plugin's challenge hooks), binds each to its API and writes the
Route53 aliases; ``status`` shows ``wss://<websocket_domain>``; a WebSocket client whose socket goes to the local
gateway with ``Host: ws.example.com`` (as DNS would send it) talks to the app; ``undeploy`` removes the APIs and
the domain's mapping.

The local AWS (moto server + Lambda executor + gateway) runs in this process; the function is the real
package that ``zappa`` built, run by the executor, deployed once for the module; the app keeps its connections
in DynamoDB (moto).
"""

from __future__ import annotations

import http.client
import json
import socket
import sys
import textwrap
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from zappa_core.hookspecs import hookimpl

sys.path.insert(0, str(Path(__file__).parents[1] / "certs"))
from pebble_acme import missing_reason, run_pebble

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
        elif event["body"] == "where":
            rc = event["requestContext"]
            send_message(me(event), {"domain": rc["domainName"], "stage": rc["stage"]})
        else:
            send_message(me(event), {"echo": event["body"]})
        return {"statusCode": 200}
''')

WSGI = "def app(environ, start_response):\n    start_response('200 OK', [])\n    return [environ['HTTP_HOST'].encode()]\n"


@pytest.fixture(scope="module")
def stage(zappa_local, tmp_path_factory):
    """The chat project deployed once on the module's local AWS: ``(local AWS, project folder)``."""
    from zappa_core.testing import point_at_local

    project = tmp_path_factory.mktemp("chat")
    (project / "app.py").write_text(WSGI)
    (project / "chat.py").write_text(CHAT)
    (project / "requirements.txt").write_text("# no dependencies\n")  # else the whole test environment is shipped
    (project / "zappa_settings.json").write_text(json.dumps({"dev": {
        "project_name": "chat", "app_function": "app.app", "s3_bucket": "chat-code", "aws_region": "us-east-1",
        "apigateway_version": "v2", "keep_warm": False, "touch": False, "websocket_handler_module": "chat",
        "websocket_routes": ["broadcast"], "domain": "api.example.com", "websocket_domain": "ws.example.com",
        "lets_encrypt_key": "account.key"}}))
    point_at_local(project, zappa_local)
    zappa_local.state.aws.client("dynamodb").create_table(
        TableName="chat-connections", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(project)
        code, out, err = run_zappa("deploy", "dev", "--local")
        assert code == 0, out + err
        yield zappa_local, project


@pytest.fixture
def local(stage):
    return stage[0]


def run_zappa(*args: str, plugins=()) -> tuple[int, str, str]:
    """``zappa ARGS`` in this process (with extra ``plugins``): (exit code, stdout, stderr)."""
    import contextlib
    import io

    from zappa_core.cli import build_command
    from zappa_core.errors import ZappaError
    from zappa_core.plugins import get_plugin_manager

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            build_command(get_plugin_manager(plugins=plugins)).main(args=list(args), prog_name="zappa", standalone_mode=False)
            code = 0
        except ZappaError as exc:
            print(f"Error: {exc}", file=sys.stderr)
            code = exc.exit_code
    return code, out.getvalue(), err.getvalue()


def names(local) -> list[str]:
    items = local.state.aws.client("dynamodb").scan(TableName="chat-connections")["Items"]
    return sorted(item["name"]["S"] for item in items)


def wait_for(condition, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_chat_through_the_cli_on_the_local_aws(local):
    code, out, err = run_zappa("status", "dev", "--local", "--json")
    assert code == 0, err
    status = json.loads(out)
    url = status["urls"]["websocket"]
    api_id = status["websocket"]["id"]
    assert url == f"{local.gateway_endpoint.replace('http://', 'ws://')}/{api_id}/dev"
    connect = websockets_sync.connect
    from zappa_aws_apigw.local_websocket import CONNECTIONS

    with pytest.raises(InvalidStatus) as refused:  # a bad token is refused by the $connect handler
        connect(f"{url}?token=wrong&name=mallory", open_timeout=120)
    assert refused.value.response.status_code == 401

    with connect(f"{url}?token=letmein&name=alice", open_timeout=120) as alice, \
            connect(f"{url}?token=letmein&name=bob", open_timeout=120, user_agent_header="bob-client/1.0") as bob:
        assert names(local) == ["alice", "bob"]
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
        assert names(local) == ["alice", "bob", "ghost"]
        ghost.socket.close()  # vanishes without a close frame; its $disconnect does not clean up
        wait_for(lambda: CONNECTIONS.count(api_id, "dev") == 2)  # the gateway saw it go (and ran its $disconnect)
        bob.send(json.dumps({"action": "broadcast", "text": "still here?"}))
        assert json.loads(alice.recv(timeout=60)) == {"from": "bob", "text": "still here?"}
        assert json.loads(bob.recv(timeout=60)) == {"from": "bob", "text": "still here?"}
        assert json.loads(bob.recv(timeout=60)) == {"delivered": 2, "gone": ["ghost"]}
        assert names(local) == ["alice", "bob"]

        alice.send("bye")  # the app closes the connection through the management API
        with pytest.raises(ConnectionClosed) as closed:
            alice.recv(timeout=60)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1000
        wait_for(lambda: names(local) == ["bob"])  # its $disconnect cleaned up
    wait_for(lambda: names(local) == [])  # bob closed normally: cleaned up too


class Mirror:
    """Copies the DNS-01 record certify wrote to the local Route53 to pebble's DNS server (test wiring: moto serves
    no DNS)."""

    def __init__(self, pebble) -> None:
        self.pebble = pebble

    @hookimpl
    def zappa_dns_challenge_ready(self, domain, name, value, zone_id):
        self.pebble.set_txt(name, value)

    @hookimpl
    def zappa_dns_challenge_removed(self, domain, name, value, zone_id):
        self.pebble.clear_txt(name)


@pytest.fixture
def pebble(tmp_path, monkeypatch):
    if missing_reason() is not None:
        pytest.skip(f"Let's Encrypt: {missing_reason()}")
    with run_pebble(tmp_path / "pebble") as server:
        monkeypatch.setenv("ZAPPA_ACME_DIRECTORY", server.directory)
        monkeypatch.setenv("ZAPPA_ACME_CA_BUNDLE", str(server.ca_bundle))
        yield server


def test_custom_domains_through_certify_then_undeploy(stage, pebble):
    local, _ = stage
    aws = local.state.aws
    zone = aws.client("route53").create_hosted_zone(Name="example.com", CallerReference="chat")["HostedZone"]["Id"]
    code, out, err = run_zappa("certify", "dev", "--local", "--yes", "--json", plugins=[Mirror(pebble)])
    assert code == 0, out + err
    api_result, ws_result = json.loads(out)
    assert (api_result["domain"], api_result["url"]) == ("api.example.com", "https://api.example.com")
    assert (ws_result["domain"], ws_result["url"], ws_result["provider"]) == ("ws.example.com", "wss://ws.example.com", "lets-encrypt")

    # read back: a certificate per name from pebble, the regional TLS 1.2 domain name, its mapping, the alias
    v2 = aws.client("apigatewayv2")
    [ws_api] = [a for a in v2.get_apis()["Items"] if a["ProtocolType"] == "WEBSOCKET"]
    [config] = v2.get_domain_name(DomainName="ws.example.com")["DomainNameConfigurations"]
    assert config["CertificateArn"] == ws_result["certificate_arn"] and config["EndpointType"] == "REGIONAL"
    assert config["SecurityPolicy"] == "TLS_1_2" and config["ApiGatewayDomainName"] == ws_result["target"]
    [mapping] = v2.get_api_mappings(DomainName="ws.example.com")["Items"]
    assert (mapping["ApiId"], mapping["Stage"], mapping.get("ApiMappingKey") or "") == (ws_api["ApiId"], "dev", "")
    certificate = aws.client("acm").describe_certificate(CertificateArn=ws_result["certificate_arn"])["Certificate"]
    assert certificate["DomainName"] == "ws.example.com" and certificate["Status"] == "ISSUED"
    assert ws_result["certificate_arn"] != api_result["certificate_arn"]
    records = {r["Name"].rstrip("."): r["AliasTarget"]["DNSName"].rstrip(".")
               for r in aws.client("route53").list_resource_record_sets(HostedZoneId=zone)["ResourceRecordSets"] if r["Type"] == "A"}
    assert records == {"ws.example.com": ws_result["target"], "api.example.com": api_result["target"]}
    code, out, err = run_zappa("status", "dev", "--local", "--json")
    assert code == 0, err
    assert json.loads(out)["urls"]["websocket_domain"] == "wss://ws.example.com"

    # the local gateway serves both names by Host header, where DNS would send their clients
    gateway = urlsplit(local.gateway_endpoint)
    with socket.create_connection((gateway.hostname, gateway.port), timeout=60) as sock, \
            websockets_sync.connect("ws://ws.example.com/?token=letmein&name=carol", sock=sock, open_timeout=120) as carol:
        carol.send("where")  # the app answers through the management API
        assert json.loads(carol.recv(timeout=60)) == {"domain": "ws.example.com", "stage": "dev"}
    web = http.client.HTTPConnection(gateway.hostname, gateway.port, timeout=60)
    web.request("GET", "/", headers={"Host": "api.example.com"})
    response = web.getresponse()
    assert (response.status, response.read()) == (200, b"api.example.com")

    code, out, err = run_zappa("undeploy", "dev", "--local", "--yes")
    assert code == 0, out + err
    assert not [a for a in v2.get_apis()["Items"] if a["ProtocolType"] == "WEBSOCKET"]
    assert v2.get_api_mappings(DomainName="ws.example.com")["Items"] == []
    with socket.create_connection((gateway.hostname, gateway.port), timeout=60) as sock, pytest.raises(InvalidStatus) as gone:
        websockets_sync.connect("ws://ws.example.com/?token=letmein", sock=sock, open_timeout=60)
    assert gone.value.response.status_code == 404
