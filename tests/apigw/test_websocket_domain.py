"""The WebSocket API's custom domain: its settings, and ``zappa certify`` binding it in moto (in-process).

The whole path on the local AWS (Let's Encrypt from pebble, the local gateway serving the name by ``Host``) is
in ``test_websocket_e2e.py``.
"""

from __future__ import annotations

import json

import pytest
from cert_helpers import import_self_signed
from zappa_core.cli import run
from zappa_core.plan import Action
from zappa_core.testing import run_step

pytestmark = pytest.mark.needs_plugins

CHAT = {"chat.py": "from zappa.websocket import on_connect, on_message\n"}


def test_websocket_domain_settings_are_checked(make_settings):
    from zappa_core.settings import SettingsError

    ok = make_settings(files=CHAT, websocket_handler_module="chat", domain="api.example.com", websocket_domain="ws.example.com")
    assert ok.websocket_domain == "ws.example.com"
    make_settings(files=CHAT, websocket_handler_module="chat", apigateway_enabled=False, domain="chat.example.com")
    bad = [
        ({"websocket_domain": "ws.example.com"}, "websocket_domain", "applies only with 'websocket_handler_module'"),
        ({"websocket_handler_module": "chat", "websocket_domain": "wss://ws.example.com"}, "websocket_domain",
         "must be a host name such as 'ws.example.com' (no scheme, path or port), not 'wss://ws.example.com'"),
        ({"websocket_handler_module": "chat", "websocket_domain": "ws.example.com:443"}, "websocket_domain", "must be a host name"),
        ({"websocket_handler_module": "chat", "domain": "api.example.com", "websocket_domain": "API.example.com"},
         "websocket_domain", "API Gateway cannot map a WebSocket API and another API to one domain name"),
        ({"websocket_handler_module": "chat", "apigateway_enabled": False, "domain": "chat.example.com", "base_path": "v1"},
         "base_path", "serves its WebSocket API, at the root of the domain: remove 'base_path'"),
    ]
    for keys, key, message in bad:
        with pytest.raises(SettingsError) as info:
            make_settings(files=CHAT, **keys)
        text = str(info.value)
        assert key in text and message in text, (keys, text)


def test_certify_binds_domain_of_a_websocket_only_stage(make_settings, ctx_for, function, capsys):
    """A stage whose only API is its WebSocket API: ``domain`` goes to it, mapped as a whole to its stage."""
    from zappa_aws_apigw.websocket_api import WebSocketApiStep

    settings = make_settings(files=CHAT, role_name="app-dev-role", websocket_handler_module="chat", apigateway_enabled=False, domain="chat.example.com")
    ctx = ctx_for(settings)
    acm, route53 = ctx.aws.client("acm"), ctx.aws.client("route53")
    arn = import_self_signed(acm, "chat.example.com")
    zone = route53.create_hosted_zone(Name="example.com", CallerReference="ws")["HostedZone"]["Id"]
    settings = make_settings(files=CHAT, role_name="app-dev-role", websocket_handler_module="chat", apigateway_enabled=False, domain="chat.example.com",
                             certificate_arn=arn)
    assert run(["certify", "dev", "--yes"]) == 2  # nothing deployed yet: a clear error, nothing made
    assert "no WebSocket API app-dev-ws to bind chat.example.com to" in capsys.readouterr().err
    assert ctx.aws.client("apigatewayv2").get_domain_names()["Items"] == []

    deploy = ctx_for(settings)
    assert run_step(deploy, WebSocketApiStep(settings)).action is Action.CREATE
    assert "WebSocket domain chat.example.com is not bound to this API yet: run 'zappa certify dev' to bind it" in deploy.lines
    assert run(["certify", "dev", "--yes", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert (result["domain"], result["url"], result["certificate_arn"]) == ("chat.example.com", "wss://chat.example.com", arn)
    v2 = ctx.aws.client("apigatewayv2")
    [api] = [a for a in v2.get_apis()["Items"] if a["ProtocolType"] == "WEBSOCKET"]
    [mapping] = v2.get_api_mappings(DomainName="chat.example.com")["Items"]
    assert (mapping["ApiId"], mapping["Stage"]) == (api["ApiId"], "dev")
    [config] = v2.get_domain_name(DomainName="chat.example.com")["DomainNameConfigurations"]
    assert (config["CertificateArn"], config["EndpointType"], config["SecurityPolicy"]) == (arn, "REGIONAL", "TLS_1_2")

    assert run(["certify", "dev", "--yes", "--json"]) == 0  # again: nothing changes
    assert len(v2.get_api_mappings(DomainName="chat.example.com")["Items"]) == 1
    capsys.readouterr()
    again = ctx_for(settings)
    run_step(again, WebSocketApiStep(settings))
    assert not [line for line in again.lines if "not bound" in line]  # bound now: no hint
    off = make_settings(files=CHAT, role_name="app-dev-role", apigateway_enabled=False, domain="chat.example.com")
    assert "API mapping of chat.example.com" in WebSocketApiStep(off).plan(ctx_for(off)).details
    run_step(ctx_for(off), WebSocketApiStep(off))  # the API removed: its mapping goes with it
    assert v2.get_api_mappings(DomainName="chat.example.com")["Items"] == []
    assert route53.get_hosted_zone(Id=zone)


def test_one_certificate_arn_must_be_in_the_websocket_domains_region(make_settings, ctx_for, capsys):
    """An edge-optimized REST API takes certificates from us-east-1; the WebSocket API's domain is regional: one
    ``certificate_arn`` cannot serve both when the stage is elsewhere."""
    settings = make_settings(files=CHAT, websocket_handler_module="chat", aws_region="eu-west-1")
    acm = ctx_for(settings).aws.client("acm", region="us-east-1")
    arn = import_self_signed(acm, "api.example.com", "ws.example.com")
    make_settings(files=CHAT, websocket_handler_module="chat", aws_region="eu-west-1", domain="api.example.com",
                  websocket_domain="ws.example.com", certificate_arn=arn)
    code = run(["certify", "dev", "--yes"])
    err = capsys.readouterr().err
    assert code == 2 and "certificate_arn is in us-east-1, but the front door of ws.example.com is in eu-west-1" in err
