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


def test_every_client_of_a_local_command_stays_on_loopback(local_aws, zappa_project, monkeypatch, loopback_only):
    # The local AWS runs in a process of its own with a clean environment; this one shares ours, so its
    # backends are loaded before the environment gets a profile that does not exist on this machine.
    from zappa_core.aws import AwsClients
    from zappa_core.context import CommandContext
    from zappa_core.plugins import get_plugin_manager

    warm = AwsClients(region="eu-west-1", local_endpoint=local_aws.aws_endpoint)
    for service, call in SERVICES.items():
        call(warm.client(service))
    # A real-looking profile and real-looking keys in the environment must not matter in local mode.
    monkeypatch.setenv("AWS_PROFILE", "production")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAREALLOOKINGKEY00")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "real-looking-secret")
    monkeypatch.setenv("ZAPPA_LOCAL_ENDPOINT", local_aws.aws_endpoint)
    zappa_project({"dev": {"app_function": "app.app", "s3_bucket": "b-bucket", "aws_region": "eu-west-1",
                           "profile_name": "production"}})
    ctx = CommandContext(pm=get_plugin_manager(), stage="dev", local=True)
    settings = ctx.stages()[0]
    clients = ctx.aws(settings)
    for service, call in SERVICES.items():
        client = clients.client(service)
        assert client.meta.endpoint_url == local_aws.aws_endpoint, service
        assert client._request_signer._credentials.access_key == "testing", service
        call(client)
    assert loopback_only == []


def test_the_guard_catches_a_client_that_would_leave_the_machine(aws_credentials, loopback_only):
    from zappa_core.aws import AwsClients

    with pytest.raises(Exception, match="in local mode"):  # botocore wraps the guard's error
        AwsClients(region="us-east-1", max_attempts=1).client("sts").get_caller_identity()
    assert loopback_only and "amazonaws.com" in loopback_only[0]
