"""The Route53 helpers shared by certify and the front doors: hosted-zone lookup and alias records,
created, changed and removed idempotently. Against in-process moto."""

from __future__ import annotations

import re

import pytest

from zappa_core import route53 as r53

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


def _add_cname(route53, name="api.shop.example.com"):
    zone = r53.find_hosted_zone(route53, name)["Id"]
    route53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": [{"Action": "CREATE", "ResourceRecordSet": {
        "Name": name + ".", "Type": "CNAME", "TTL": 300, "ResourceRecords": [{"Value": "old.example.net"}]}}]})


def test_the_longest_public_zone_holds_the_domain(route53):
    zone = r53.find_hosted_zone(route53, "api.shop.example.com")
    assert zone["Name"] == "shop.example.com."  # the private one is skipped
    assert "/" not in zone["Id"] and route53.get_hosted_zone(Id=zone["Id"])["HostedZone"]["Name"] == "shop.example.com."
    assert r53.find_hosted_zone(route53, "API.Shop.Example.com.")["Name"] == "shop.example.com."
    assert r53.find_hosted_zone(route53, "example.com")["Name"] == "example.com."
    with pytest.raises(r53.DnsError, match=re.escape("no public Route53 hosted zone holds 'shop.example.org'")):
        r53.find_hosted_zone(route53, "shop.example.org")
    with pytest.raises(r53.DnsError):
        r53.find_hosted_zone(route53, "badexample.com")  # a suffix of the name, not a parent domain


def test_an_alias_is_created_left_alone_and_changed(route53):
    assert r53.upsert_alias(route53, "api.shop.example.com", *ALB) == "created"
    assert r53.upsert_alias(route53, "api.shop.example.com", *ALB) == "unchanged"
    assert r53.alias_target(route53, "api.shop.example.com") == ALB[0]
    assert r53.upsert_alias(route53, "api.shop.example.com", *CDN) == "changed"
    record = _records(route53)[("api.shop.example.com.", "A")]
    assert record["AliasTarget"] == {"HostedZoneId": CDN[1], "DNSName": CDN[0] + ".", "EvaluateTargetHealth": False}
    assert r53.alias_target(route53, "nothing.example.org") is None


def test_a_and_aaaa_aliases_in_a_given_zone(route53):
    zone = r53.find_hosted_zone(route53, "example.com")["Id"]
    assert r53.upsert_alias(route53, "www.example.com", *CDN, hosted_zone_id=zone, record_types=("A", "AAAA")) == "created"
    assert set(_records(route53, "example.com")) == {("www.example.com.", "A"), ("www.example.com.", "AAAA")}
    assert r53.delete_alias(route53, "www.example.com", hosted_zone_id=zone) is True
    assert _records(route53, "example.com") == {}


def test_a_cname_in_the_way_is_replaced_by_the_alias(route53):
    _add_cname(route53)
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


def test_a_refused_change_is_an_aws_error(route53):
    from zappa_core.errors import AwsError

    record = {"Name": "gone.shop.example.com.", "Type": "A", "TTL": 60, "ResourceRecords": [{"Value": "192.0.2.1"}]}
    zone = r53.find_hosted_zone(route53, "shop.example.com")["Id"]
    with pytest.raises(AwsError, match=re.escape("Route53: DELETE A record gone.shop.example.com. in zone")):
        r53.change_record(route53, zone, "DELETE", record, "nothing to delete")
