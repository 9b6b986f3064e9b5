"""A function URL with custom domains through the whole tool on the local AWS.

``zappa deploy --local`` makes the function URL and its CloudFront distribution (no aliases yet: no certificate
covers them); ``zappa certify --local`` imports the project's own certificate into ACM in us-east-1, attaches it
to the distribution with both domains as aliases and writes their A and AAAA alias records; the local gateway
then serves the function under each domain by ``Host`` header, and the app builds its URLs with that domain.
``update`` with a domain removed takes it off the distribution and deletes its records; ``undeploy`` disables
and deletes the distribution and its CloudFront Function and removes the records: nothing of the stage is left.

The local AWS (moto server + Lambda executor + gateway) runs in this process; the function is the real package
that ``zappa`` built, run by the executor.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from cert_helpers import self_signed
from cli_result import run_cli

pytestmark = [pytest.mark.needs_plugins, pytest.mark.e2e, pytest.mark.slow]

APP = """import json
from wsgiref.util import request_uri


def app(environ, start_response):
    body = json.dumps({"url": request_uri(environ), "host": environ.get("HTTP_HOST")}).encode()
    start_response("200 OK", [("Content-Type", "application/json")])
    return [body]
"""
DOMAINS = ["app.example.com", "www.example.com"]


@pytest.fixture(scope="module")
def local(tmp_path_factory):
    from zappa_core.plugins import get_plugin_manager
    from zappa_core.testing import local_aws

    with local_aws(tmp_path_factory.mktemp("local-cache"), pm=get_plugin_manager()) as aws:
        yield aws


def write_settings(root, **changes) -> None:
    stage = {"project_name": "shop", "app_function": "app.app", "s3_bucket": "shop-code", "aws_region": "eu-west-1",
             "apigateway_enabled": False, "keep_warm": False, "touch": False, "function_url_enabled": True,
             "function_url_domains": DOMAINS, "domain": DOMAINS[0], "certificate": "cert.pem", "certificate_key": "key.pem",
             "function_url_cloudfront_config": {"PriceClass": "PriceClass_200", "DefaultCacheBehavior": {"Compress": False}}}
    stage.update(changes)
    (root / "zappa_settings.json").write_text(json.dumps({"dev": stage}))


@pytest.fixture
def project(local, tmp_path, monkeypatch):
    (tmp_path / "app.py").write_text(APP)
    (tmp_path / "requirements.txt").write_text("# no dependencies\n")  # else the whole test environment is shipped
    cert, key = self_signed(*DOMAINS)
    (tmp_path / "cert.pem").write_bytes(cert)
    (tmp_path / "key.pem").write_bytes(key)
    write_settings(tmp_path)
    (tmp_path / ".zappa").mkdir()
    (tmp_path / ".zappa" / "local.json").write_text(json.dumps({"aws_endpoint": local.aws_endpoint,
                                                                 "gateway_endpoint": local.gateway_endpoint}))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def zappa(capsys, *args: str) -> tuple[int, str, str]:
    result = run_cli(capsys, args)
    return result.code, result.out, result.err


def get(gateway: str, host: str, path: str) -> tuple[int, dict]:
    request = urllib.request.Request(gateway + path, headers={"Host": host})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def records(route53, zone: str) -> dict[tuple[str, str], str]:
    found = route53.list_resource_record_sets(HostedZoneId=zone)["ResourceRecordSets"]
    return {(r["Name"].rstrip("."), r["Type"]): r["AliasTarget"]["DNSName"].rstrip(".") for r in found if "AliasTarget" in r}


def test_function_url_domains_through_the_cli_on_the_local_aws(local, project, capsys):
    aws = local.state.aws
    cf, route53 = aws.client("cloudfront"), aws.client("route53")
    zone = route53.create_hosted_zone(Name="example.com", CallerReference="shop")["HostedZone"]["Id"].split("/")[-1]

    code, out, err = zappa(capsys, "deploy", "dev", "--local")
    assert code == 0, out + err
    assert "wait for a certificate: run zappa certify dev" in out + err
    [summary] = cf.list_distributions()["DistributionList"]["Items"]
    url_host = aws.client("lambda", "eu-west-1").get_function_url_config(FunctionName="shop-dev")["FunctionUrl"].split("/")[2]
    config = cf.get_distribution(Id=summary["Id"])["Distribution"]["DistributionConfig"]
    assert config["Origins"]["Items"][0]["DomainName"] == url_host
    assert config["Origins"]["Items"][0]["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    assert config["DefaultCacheBehavior"]["OriginRequestPolicyId"] == "b689b0a8-53d0-40ab-baf2-68738e2966ac"
    assert config["DefaultCacheBehavior"]["Compress"] is False and config["PriceClass"] == "PriceClass_200"
    assert config["Aliases"]["Quantity"] == 0  # no certificate covers the domains yet
    gateway = local.gateway_endpoint
    status, _ = get(gateway, DOMAINS[0], "/where/here")
    assert status == 404  # not served under its domain before certify

    code, out, err = zappa(capsys, "certify", "dev", "--local", "--yes", "--json")
    assert code == 0, out + err
    results = json.loads(out)
    assert {r["domain"] for r in results} == set(DOMAINS)
    arn = results[0]["certificate_arn"]
    assert arn.startswith("arn:aws:acm:us-east-1:")  # CloudFront takes certificates from us-east-1 only
    distribution = cf.get_distribution(Id=summary["Id"])["Distribution"]
    assert sorted(distribution["DistributionConfig"]["Aliases"]["Items"]) == DOMAINS
    assert distribution["DistributionConfig"]["ViewerCertificate"]["ACMCertificateArn"] == arn
    target = distribution["DomainName"]
    assert records(route53, zone) == {(d, t): target for d in DOMAINS for t in ("A", "AAAA")}

    port = gateway.rsplit(":", 1)[1]
    for host in (DOMAINS[0], f"{DOMAINS[1]}:{port}"):  # by Host header; the app builds its URLs with the host it sees
        status, answer = get(gateway, host, "/where/here?x=1")
        assert status == 200, answer
        assert answer == {"url": f"http://{host}/where/here?x=1", "host": host}
    status, answer = get(gateway, "shop-dev.localhost", "/where")  # the function URL itself still answers
    assert status == 200 and answer["host"] == "shop-dev.localhost"

    code, out, err = zappa(capsys, "status", "dev", "--local", "--json")
    assert code == 0, out + err
    shown = json.loads(out)
    assert shown["urls"]["function_url_domain"] == "https://app.example.com"
    assert shown["urls"]["function_url_domain_2"] == "https://www.example.com"
    assert shown["function_url_domains"]["domain_name"] == target

    write_settings(project, function_url_domains=DOMAINS[:1])  # www.example.com removed
    code, out, err = zappa(capsys, "update", "dev", "--local")
    assert code == 0, out + err
    config = cf.get_distribution(Id=summary["Id"])["Distribution"]["DistributionConfig"]
    assert config["Aliases"]["Items"] == DOMAINS[:1]
    assert records(route53, zone) == {(DOMAINS[0], t): target for t in ("A", "AAAA")}
    assert get(gateway, DOMAINS[1], "/where/here")[0] == 404
    assert get(gateway, DOMAINS[0], "/where/here")[0] == 200

    code, out, err = zappa(capsys, "undeploy", "dev", "--local", "--yes")
    assert code == 0, out + err
    assert not cf.list_distributions()["DistributionList"].get("Items")
    assert not cf.list_functions()["FunctionList"].get("Items")
    assert records(route53, zone) == {}
    assert not aws.client("lambda", "eu-west-1").list_functions()["Functions"]
    # the imported certificate stays for a redeploy (docs/domains.md), tagged with the stage
    [cert] = aws.client("acm", "us-east-1").list_certificates()["CertificateSummaryList"]
    assert cert["CertificateArn"] == arn
