"""``zappa certify`` with API Gateway as the front door (the API Gateway plugin's binder), through the command
line against in-process moto: your own files are imported into us-east-1 for an edge-optimized REST API, the
domain is bound to the API, and the alias points at the API's CloudFront domain."""

from __future__ import annotations

import json

import pytest
from zappa_core.cli import run
from zappa_core.plan import Action
from zappa_core.testing import run_step

pytestmark = pytest.mark.needs_plugins


@pytest.fixture
def rest_api(zappa_function):
    """Deploy the stage's REST API with the API Gateway plugin's step (the function made with boto3)."""
    from zappa_aws_apigw.rest import RestApiStep

    def deploy(settings):
        ctx = zappa_function("shop-dev").context(settings, echo=lambda *a: None)
        assert run_step(ctx, RestApiStep(settings)).action is Action.CREATE

    return deploy


def test_certify_binds_own_files_to_an_edge_rest_api(moto_aws, pki, project, stage, rest_api, capsys):
    zone = moto_aws.client("route53").create_hosted_zone(Name="example.com", CallerReference="apigw")["HostedZone"]["Id"]
    keys = pki.write(project, pki.leaf())
    rest_api(stage(domain="shop.example.com", **keys))

    assert run(["certify", "dev", "--yes", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["provider"] == "files" and result["certificate_arn"].startswith("arn:aws:acm:us-east-1:")
    assert result["target"].endswith(".cloudfront.net") and result["dns"] == "created"  # certify writes the alias

    domain = moto_aws.client("apigateway").get_domain_name(domainName="shop.example.com")
    assert domain["certificateArn"] == result["certificate_arn"]
    records = moto_aws.client("route53").list_resource_record_sets(HostedZoneId=zone)["ResourceRecordSets"]
    [alias] = [r for r in records if r["Type"] == "A"]
    assert alias["AliasTarget"]["DNSName"].rstrip(".") == result["target"]

    # the same files again: nothing re-imported, the same certificate stays bound
    assert run(["certify", "dev", "--yes", "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["certificate_arn"] == result["certificate_arn"] and again["dns"] == "unchanged"
    assert len(moto_aws.client("acm").list_certificates()["CertificateSummaryList"]) == 1
