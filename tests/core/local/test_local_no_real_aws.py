"""In local mode nothing reaches a real AWS endpoint: a socket-level guard fails on any non-loopback connect."""

from __future__ import annotations

import ipaddress
import socket

import pytest

pytestmark = pytest.mark.e2e

LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1"}


class LeftTheMachine(AssertionError):
    pass


@pytest.fixture
def loopback_only(monkeypatch):
    """Every connect and every name lookup must stay on this machine; the attempts are recorded."""
    attempts: list[str] = []
    real_connect, real_connect_ex, real_getaddrinfo = socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo

    def check(address):
        if isinstance(address, tuple):
            host = address[0]
            try:
                loopback = ipaddress.ip_address(host).is_loopback
            except ValueError:
                loopback = host in LOOPBACK_NAMES or host.endswith(".localhost")
            if not loopback:
                attempts.append(str(host))
                raise LeftTheMachine(f"connection to {address} in local mode")

    def connect(self, address):
        check(address)
        return real_connect(self, address)

    def connect_ex(self, address):
        check(address)
        return real_connect_ex(self, address)

    def getaddrinfo(host, *args, **kwargs):
        check((host.decode() if isinstance(host, bytes) else host or "localhost", 0))
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return attempts


SERVICES = {
    "sts": lambda c: c.get_caller_identity(),
    "iam": lambda c: c.list_roles(),
    "s3": lambda c: c.list_buckets(),
    "lambda": lambda c: c.list_functions(),
    "logs": lambda c: c.describe_log_groups(),
    "events": lambda c: c.list_rules(),
    "apigateway": lambda c: c.get_rest_apis(),
    "apigatewayv2": lambda c: c.get_apis(),
    "cloudformation": lambda c: c.list_stacks(),
    "sqs": lambda c: c.list_queues(),
    "sns": lambda c: c.list_topics(),
    "dynamodb": lambda c: c.list_tables(),
    "route53": lambda c: c.list_hosted_zones(),
    "acm": lambda c: c.list_certificates(),
    "elbv2": lambda c: c.describe_load_balancers(),
}


XML_QUERY_SERVICES = {"sts", "iam", "cloudformation", "sns", "elasticloadbalancing"}
XML_REST_SERVICES = {"s3", "route53"}


@pytest.fixture
def recording_endpoint():
    """A real HTTP server on 127.0.0.1 standing in for the local AWS API: it records what reaches it and
    answers every call with a 400 error (not retried by botocore). What is checked here is where the calls
    go and with which credentials, which needs no AWS behaviour; moto's answers are covered by the other
    local tests. (Loading fifteen moto backends made this test take 15-30 s.)"""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    seen: list[dict[str, str]] = []

    class Recorder(BaseHTTPRequestHandler):
        def _answer(self):
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            scope = self.headers.get("Authorization", "").split("Credential=", 1)[-1].split(",", 1)[0].split("/")
            seen.append({"host": self.headers.get("Host", ""), "key": scope[0],
                         "service": scope[3] if len(scope) > 3 else ""})
            service = seen[-1]["service"]
            if service in XML_QUERY_SERVICES:
                body, kind = b"<ErrorResponse><Error><Code>RecordedLocally</Code></Error></ErrorResponse>", "text/xml"
            elif service in XML_REST_SERVICES:
                body, kind = b"<Error><Code>RecordedLocally</Code></Error>", "application/xml"
            else:
                body, kind = b'{"__type": "RecordedLocally", "message": "recorded"}', "application/x-amz-json-1.1"
            self.send_response(400)
            self.send_header("Content-Type", kind)
            self.send_header("x-amzn-ErrorType", "RecordedLocally")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _answer

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    server.seen = seen
    server.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield server
    server.shutdown()
    server.server_close()


def test_every_client_of_a_local_command_stays_on_loopback(recording_endpoint, zappa_project, monkeypatch,
                                                            loopback_only):
    from botocore.exceptions import ClientError
    from zappa_core.context import CommandContext
    from zappa_core.plugins import get_plugin_manager

    # A real-looking profile and real-looking keys in the environment must not matter in local mode.
    monkeypatch.setenv("AWS_PROFILE", "production")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAREALLOOKINGKEY00")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "real-looking-secret")
    monkeypatch.setenv("ZAPPA_LOCAL_ENDPOINT", recording_endpoint.url)
    zappa_project({"dev": {"app_function": "app.app", "s3_bucket": "b-bucket", "aws_region": "eu-west-1",
                           "profile_name": "production"}})
    ctx = CommandContext(pm=get_plugin_manager(), stage="dev", local=True)
    settings = ctx.stages()[0]
    clients = ctx.aws(settings)
    for service, call in SERVICES.items():
        client = clients.client(service)
        assert client.meta.endpoint_url == recording_endpoint.url, service
        assert client._request_signer._credentials.access_key == "testing", service
        with pytest.raises(ClientError):
            call(client)
    assert loopback_only == []
    # Each call reached the local endpoint once (nothing retried elsewhere), signed with the dummy key.
    host = recording_endpoint.url.split("://", 1)[1]
    assert len(recording_endpoint.seen) == len(SERVICES)
    assert {(r["host"], r["key"]) for r in recording_endpoint.seen} == {(host, "testing")}
    signing = {"apigatewayv2": "apigateway", "elbv2": "elasticloadbalancing"}
    assert [r["service"] for r in recording_endpoint.seen] == [signing.get(s, s) for s in SERVICES]


def test_the_guard_catches_a_client_that_would_leave_the_machine(aws_credentials, loopback_only):
    from zappa_core.aws import AwsClients

    with pytest.raises(Exception, match="in local mode"):  # botocore wraps the guard's error
        AwsClients(region="us-east-1", max_attempts=1).client("sts").get_caller_identity()
    assert loopback_only and "amazonaws.com" in loopback_only[0]
