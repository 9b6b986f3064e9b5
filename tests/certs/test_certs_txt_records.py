"""The ACME DNS-01 TXT records: quoted, written (UPSERT replaces) and removed. Against in-process moto."""

from __future__ import annotations

import pytest
from zappa_core.route53 import find_hosted_zone

from zappa_certs import txt_records

pytestmark = pytest.mark.needs_plugins

NAME = "_acme-challenge.shop.example.com"


def test_txt_records_are_quoted_written_and_removed(moto_aws):
    route53 = moto_aws.client("route53")
    route53.create_hosted_zone(Name="shop.example.com", CallerReference="txt")
    zone = find_hosted_zone(route53, "shop.example.com")["Id"]

    def records():
        sets = route53.list_resource_record_sets(HostedZoneId=zone)["ResourceRecordSets"]
        return {(r["Name"], r["Type"]): r for r in sets if r["Type"] not in ("NS", "SOA")}

    txt_records.upsert_txt(route53, zone, NAME, ['abc"def'])
    assert records()[(NAME + ".", "TXT")]["ResourceRecords"] == [{"Value": '"abc\\"def"'}]
    txt_records.upsert_txt(route53, zone, NAME, ["value-2"])  # UPSERT replaces
    record = records()[(NAME + ".", "TXT")]
    assert record["ResourceRecords"] == [{"Value": '"value-2"'}] and record["TTL"] == 60
    assert txt_records.quote_txt('a\\b') == '"a\\\\b"'
    assert txt_records.delete_txt(route53, zone, NAME) is True
    assert txt_records.delete_txt(route53, zone, NAME) is False
    assert records() == {}
