"""``zappa certify`` with the load balancer as the front door, through the command line, against in-process
moto: the certificate lands on the HTTPS listener, the domain becomes a Route53 alias of the load balancer,
both idempotently, and ``undeploy`` removes the alias again."""

from __future__ import annotations

import io
import json

import pytest
from zappa_aws_alb.steps import steps_for
from zappa_core.cli import run
from zappa_core.testing import run_steps

pytestmark = pytest.mark.needs_plugins


def _records(moto_aws, zone):
    sets = moto_aws.client("route53").list_resource_record_sets(HostedZoneId=zone)["ResourceRecordSets"]
    return {(r["Name"], r["Type"]): r for r in sets if r["Type"] not in ("NS", "SOA")}


def _https_listeners(moto_aws):
    elb = moto_aws.client("elbv2")
    lb = elb.describe_load_balancers(Names=["shop-dev"])["LoadBalancers"][0]
    return lb, [listener for listener in elb.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]
                if listener["Port"] == 443]


@pytest.fixture
def deployed(moto_aws, vpc, function, alb_settings, deploy_ctx, issued_certificate, hosted_zone):
    cert = issued_certificate()
    settings = alb_settings(domain="shop.example.com", certificate_arn=cert)
    run_steps(deploy_ctx(settings), steps_for(settings))
    return settings, cert


def test_certify_puts_the_certificate_on_the_listener_and_points_the_domain_at_the_load_balancer(
        moto_aws, deployed, hosted_zone, deploy_ctx, capsys):
    settings, cert = deployed
    assert run(["certify", "dev", "--yes"]) == 0
    out = capsys.readouterr().out
    assert f"Using ACM certificate {cert}" in out and "shop.example.com -> shop-dev-" in out

    lb, [https] = _https_listeners(moto_aws)
    assert https["Protocol"] == "HTTPS" and https["Certificates"][0]["CertificateArn"] == cert
    alias = _records(moto_aws, hosted_zone)[("shop.example.com.", "A")]["AliasTarget"]
    assert alias["DNSName"].rstrip(".") == lb["DNSName"] and alias["HostedZoneId"] == lb["CanonicalHostedZoneId"]

    # again: nothing new
    assert run(["certify", "dev", "--yes", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result == {"domain": "shop.example.com", "certificate_arn": cert, "provider": "acm",
                      "target": lb["DNSName"], "dns": "unchanged", "url": "https://shop.example.com"}
    assert len(_https_listeners(moto_aws)[1]) == 1

    # undeploy removes the alias with the load balancer
    run_steps(deploy_ctx(settings, "undeploy"), steps_for(settings), destroy=True)
    assert ("shop.example.com.", "A") not in _records(moto_aws, hosted_zone)


def test_a_second_certificate_is_added_to_the_https_listener(moto_aws, deployed, issued_certificate, stage, vpc, capsys):
    _, first = deployed
    assert run(["certify", "dev", "--yes"]) == 0
    second = issued_certificate()
    stage(domain="shop.example.com", certificate_arn=second, alb_enabled=True, apigateway_enabled=False,
          alb_vpc_config={"SubnetIds": vpc["subnets"], "SecurityGroupIds": vpc["groups"]})
    assert run(["certify", "dev", "--yes"]) == 0
    _, [https] = _https_listeners(moto_aws)
    served = {c["CertificateArn"] for c in moto_aws.client("elbv2").describe_listener_certificates(
        ListenerArn=https["ListenerArn"])["Certificates"]}
    assert {first, second} <= served


def test_certify_asks_first_and_a_no_changes_nothing(moto_aws, deployed, hosted_zone, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("n\n"))
    assert run(["certify", "dev"]) == 1
    captured = capsys.readouterr()
    assert "Certify shop.example.com for stage 'dev' (acm)" in captured.out and "Aborted" in captured.err
    assert _https_listeners(moto_aws)[1] == []
    assert ("shop.example.com.", "A") not in _records(moto_aws, hosted_zone)


def test_manual_prints_the_record_instead_of_writing_it(moto_aws, deployed, hosted_zone, capsys):
    assert run(["certify", "dev", "--yes", "--manual"]) == 0
    assert "Create this DNS record yourself:\n  shop.example.com. CNAME shop-dev-" in capsys.readouterr().out
    assert ("shop.example.com.", "A") not in _records(moto_aws, hosted_zone)


def test_route53_disabled_leaves_dns_alone(moto_aws, vpc, function, alb_settings, deploy_ctx,
                                           issued_certificate, hosted_zone):
    settings = alb_settings(domain="shop.example.com", certificate_arn=issued_certificate(), route53_enabled=False)
    run_steps(deploy_ctx(settings), steps_for(settings))
    assert run(["certify", "dev", "--yes"]) == 0
    assert len(_https_listeners(moto_aws)[1]) == 1
    assert ("shop.example.com.", "A") not in _records(moto_aws, hosted_zone)


def test_certify_before_deploy_says_to_deploy_first(moto_aws, vpc, alb_settings, issued_certificate, capsys):
    alb_settings(domain="shop.example.com", certificate_arn=issued_certificate())
    assert run(["certify", "dev", "--yes"]) == 1
    assert "has no load balancer 'shop-dev' yet" in capsys.readouterr().err


@pytest.mark.parametrize("keys,message", [
    ({}, "stage 'dev' has no 'domain'"),
    ({"domain": "shop.example.com"}, "names no certificate for 'shop.example.com'"),
])
def test_certify_usage_errors_exit_2(moto_aws, vpc, alb_settings, capsys, keys, message):
    alb_settings(**keys)
    assert run(["certify", "dev", "--yes"]) == 2
    err = capsys.readouterr().err
    assert message in err
    if "names no certificate" in message:
        assert "certificate_arn" in err and "lets_encrypt_key" in err


def test_no_hosted_zone_is_a_clear_error(moto_aws, vpc, function, alb_settings, deploy_ctx, issued_certificate, capsys):
    settings = alb_settings(domain="shop.example.org", certificate_arn=issued_certificate("shop.example.org"))
    run_steps(deploy_ctx(settings), steps_for(settings))
    assert run(["certify", "dev", "--yes"]) == 1
    err = capsys.readouterr().err
    assert "no public Route53 hosted zone holds 'shop.example.org'" in err and "--manual" in err
