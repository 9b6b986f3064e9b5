"""The Route53 helpers shared by certify and the front doors: alias and TXT records, created, changed and
removed idempotently. Against in-process moto."""

from __future__ import annotations

import pytest

from zappa_certs import route53 as r53

pytestmark = pytest.mark.needs_plugins

ALB = ("shop-dev-1.us-east-1.elb.amazonaws.com", "Z35SXDOTRQ7X7K")
CDN = ("d111111abcdef8.cloudfront.net", r53.CLOUDFRONT_HOSTED_ZONE_ID)


@pytest.fixture
def route53(moto_aws):
    client = moto_aws.client("route53")
    client.create_hosted_zone(Name="example.com", CallerReference="parent")
    client.create_hosted_zone(Name="shop.example.com", CallerReference="child")
    client.create_hosted_zone(Name="api.shop.example.com", CallerReference="private", VPC={"VPCRegion": "us-east-1", "VPCId": "vpc-1"},
                              HostedZoneConfig={"PrivateZone": True, "Comment": "private"})
    return client


def _records(route53, name="api.shop.example.com"):
    zone = r53.find_hosted_zone(route53, name)["Id"]
    sets = route53.list_resource_record_sets(HostedZoneId=zone)["ResourceRecordSets"]
    return {(r["Name"], r["Type"]): r for r in sets if r["Type"] not in ("NS", "SOA")}


def test_the_longest_public_zone_holds_the_domain(route53):
    assert r53.find_hosted_zone(route53, "api.shop.example.com")["Name"] == "shop.example.com."  # the private one is skipped
    assert r53.find_hosted_zone(route53, "example.com")["Name"] == "example.com."
    with pytest.raises(r53.DnsError, match="no public Route53 hosted zone holds 'shop.example.org'"):
        r53.find_hosted_zone(route53, "shop.example.org")


def test_an_alias_is_created_left_alone_and_changed(route53):
    assert r53.upsert_alias(route53, "api.shop.example.com", *ALB) == "created"
    assert r53.upsert_alias(route53, "api.shop.example.com", *ALB) == "unchanged"
    assert r53.alias_target(route53, "api.shop.example.com") == ALB[0]
    assert r53.upsert_alias(route53, "api.shop.example.com", *CDN) == "changed"
    record = _records(route53)[("api.shop.example.com.", "A")]
    assert record["AliasTarget"] == {"HostedZoneId": CDN[1], "DNSName": CDN[0] + ".", "EvaluateTargetHealth": False}


def test_a_cname_in_the_way_is_replaced_by_the_alias(route53):
    zone = r53.find_hosted_zone(route53, "api.shop.example.com")["Id"]
    route53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": [{"Action": "CREATE", "ResourceRecordSet": {
        "Name": "api.shop.example.com.", "Type": "CNAME", "TTL": 300, "ResourceRecords": [{"Value": "old.example.net"}]}}]})
    assert r53.upsert_alias(route53, "api.shop.example.com", *ALB) == "created"
    records = _records(route53)
    assert ("api.shop.example.com.", "CNAME") not in records and ("api.shop.example.com.", "A") in records


def test_delete_removes_only_an_alias_to_the_given_target(route53):
    r53.upsert_alias(route53, "api.shop.example.com", *ALB)
    assert r53.delete_alias(route53, "api.shop.example.com", target=CDN[0]) is False  # points elsewhere: kept
    assert ("api.shop.example.com.", "A") in _records(route53)
    assert r53.delete_alias(route53, "api.shop.example.com", target=ALB[0]) is True
    assert _records(route53) == {}
    assert r53.delete_alias(route53, "api.shop.example.com", target=ALB[0]) is False  # already gone
    assert r53.delete_alias(route53, "nothing.example.org") is False  # no zone at all


def test_txt_records_are_quoted_written_and_removed(route53):
    zone = r53.find_hosted_zone(route53, "shop.example.com")["Id"]
    r53.upsert_txt(route53, zone, "_acme-challenge.shop.example.com", ['abc"def'])
    r53.upsert_txt(route53, zone, "_acme-challenge.shop.example.com", ["value-2"])  # UPSERT replaces
    record = _records(route53, "shop.example.com")[("_acme-challenge.shop.example.com.", "TXT")]
    assert record["ResourceRecords"] == [{"Value": '"value-2"'}] and record["TTL"] == 60
    assert r53.quote_txt('abc"def') == '"abc\\"def"'
    assert r53.delete_txt(route53, zone, "_acme-challenge.shop.example.com") is True
    assert r53.delete_txt(route53, zone, "_acme-challenge.shop.example.com") is False
    assert _records(route53, "shop.example.com") == {}
