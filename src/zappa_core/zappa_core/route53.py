"""Route53 hosted zones and alias records, shared by ``zappa certify``, the API Gateway plugin, the ALB
plugin and zappa-ng-certs.

Every function is idempotent: creating a record that is already right changes nothing, deleting one that
is gone is not an error. An alias record points a domain at an API Gateway domain (CloudFront or
regional) or a load balancer.
"""

from __future__ import annotations

import time
from typing import Any

from botocore.exceptions import ClientError

from zappa_core.errors import AwsError, ZappaError

#: The fixed hosted zone of every CloudFront distribution (edge-optimized API Gateway domains alias to it).
CLOUDFRONT_HOSTED_ZONE_ID = "Z2FDTNDATAQYW2"


class DnsError(ZappaError):
    """No hosted zone for a domain, or a record change that did not go through."""


def fqdn(name: str) -> str:
    return name.rstrip(".").lower() + "."


def name_matches(pattern: str, domain: str) -> bool:
    """Whether a certificate name (``shop.example.com``, or a wildcard ``*.example.com`` covering one label)
    covers ``domain``."""
    pattern, domain = pattern.lower().rstrip("."), domain.lower().rstrip(".")
    if pattern == domain:
        return True
    if pattern.startswith("*."):
        head, _, rest = domain.partition(".")
        return bool(head) and rest == pattern[2:]
    return False


def find_hosted_zone(route53: Any, domain: str) -> dict:
    """The public hosted zone whose name is the longest suffix of ``domain``; its ``Id`` without the
    ``/hostedzone/`` prefix."""
    target = fqdn(domain)
    best: dict | None = None
    for page in route53.get_paginator("list_hosted_zones").paginate():
        for zone in page["HostedZones"]:
            if zone.get("Config", {}).get("PrivateZone"):
                continue
            name = fqdn(zone["Name"])
            if (target == name or target.endswith("." + name)) and (best is None or len(name) > len(best["Name"])):
                best = dict(zone, Name=name)
    if best is None:
        raise DnsError(f"no public Route53 hosted zone holds '{domain}'",
                       hint="create a hosted zone for the domain (or a parent), or set \"route53_enabled\": false "
                            "and use 'zappa certify --manual' to get the records to create yourself")
    best["Id"] = best["Id"].split("/")[-1]
    return best


def zone_id_for(route53: Any, domain: str, hosted_zone_id: str | None = None) -> str:
    return hosted_zone_id or find_hosted_zone(route53, domain)["Id"]


def get_record(route53: Any, zone_id: str, name: str, rtype: str) -> dict | None:
    """The record set ``name``/``rtype`` in the zone, or ``None``."""
    wanted = fqdn(name)
    resp = route53.list_resource_record_sets(HostedZoneId=zone_id, StartRecordName=wanted, StartRecordType=rtype,
                                             MaxItems="1")
    for record in resp.get("ResourceRecordSets", []):
        if fqdn(record["Name"]) == wanted and record["Type"] == rtype:
            return record
    return None


def change_record(route53: Any, zone_id: str, action: str, record: dict, comment: str, *, wait: bool = False) -> str:
    """Apply one change (``CREATE``, ``UPSERT`` or ``DELETE``) to the zone; returns the change id."""
    try:
        resp = route53.change_resource_record_sets(
            HostedZoneId=zone_id,
            ChangeBatch={"Comment": comment, "Changes": [{"Action": action, "ResourceRecordSet": record}]},
        )
    except ClientError as exc:
        raise AwsError(f"Route53: {action} {record['Type']} record {record['Name']} in zone {zone_id} failed: {exc}") from None
    change_id = resp["ChangeInfo"]["Id"]
    if wait:
        wait_insync(route53, change_id)
    return change_id


def wait_insync(route53: Any, change_id: str, *, timeout: float = 300.0, interval: float = 2.0) -> None:
    """Wait until Route53 has propagated a change to all of its name servers."""
    deadline = time.monotonic() + timeout
    while True:
        status = route53.get_change(Id=change_id)["ChangeInfo"]["Status"]
        if status == "INSYNC":
            return
        if time.monotonic() > deadline:
            raise DnsError(f"Route53 change {change_id} is still {status} after {int(timeout)} s")
        time.sleep(interval)


def _same_alias(record: dict | None, target: str, target_zone: str) -> bool:
    if not record or "AliasTarget" not in record:
        return False
    alias = record["AliasTarget"]
    return fqdn(alias["DNSName"]) == fqdn(target) and alias["HostedZoneId"] == target_zone


def upsert_alias(route53: Any, domain: str, target: str, target_zone_id: str, *, hosted_zone_id: str | None = None,
                 record_types: tuple[str, ...] = ("A",), wait: bool = False) -> str:
    """Make ``domain`` an alias (A, and AAAA when asked) of ``target``. Returns ``"created"``, ``"changed"``
    or ``"unchanged"``.

    ``target_zone_id`` is the hosted zone of the target: :data:`CLOUDFRONT_HOSTED_ZONE_ID` for an
    edge-optimized API Gateway domain, the ``regionalHostedZoneId`` of a regional one, the
    ``CanonicalHostedZoneId`` of a load balancer. A CNAME of the same name would block the alias (Route53
    allows no other record beside a CNAME): it is deleted first.
    """
    zone_id = zone_id_for(route53, domain, hosted_zone_id)
    outcome = "unchanged"
    for rtype in record_types:
        existing = get_record(route53, zone_id, domain, rtype)
        if _same_alias(existing, target, target_zone_id):
            continue
        if existing is None:
            cname = get_record(route53, zone_id, domain, "CNAME")
            if cname is not None:
                change_record(route53, zone_id, "DELETE", cname, "zappa: replace CNAME by alias")
        record = {"Name": fqdn(domain), "Type": rtype,
                  "AliasTarget": {"HostedZoneId": target_zone_id, "DNSName": fqdn(target), "EvaluateTargetHealth": False}}
        change_record(route53, zone_id, "UPSERT", record, f"zappa: {domain} -> {target}", wait=wait)
        outcome = "changed" if existing is not None else "created"
    return outcome


def delete_alias(route53: Any, domain: str, *, target: str | None = None, hosted_zone_id: str | None = None,
                 record_types: tuple[str, ...] = ("A", "AAAA")) -> bool:
    """Delete the alias records of ``domain`` (only those pointing at ``target`` when given).
    Returns whether anything was deleted; a missing zone or record is not an error."""
    try:
        zone_id = zone_id_for(route53, domain, hosted_zone_id)
    except DnsError:
        return False
    deleted = False
    for rtype in record_types:
        existing = get_record(route53, zone_id, domain, rtype)
        if not existing or "AliasTarget" not in existing:
            continue
        if target and fqdn(existing["AliasTarget"]["DNSName"]) != fqdn(target):
            continue
        change_record(route53, zone_id, "DELETE", existing, f"zappa: remove {domain}")
        deleted = True
    return deleted


def alias_target(route53: Any, domain: str, *, hosted_zone_id: str | None = None) -> str | None:
    """Where the A alias of ``domain`` points, or ``None``."""
    try:
        zone_id = zone_id_for(route53, domain, hosted_zone_id)
    except DnsError:
        return None
    record = get_record(route53, zone_id, domain, "A")
    return record["AliasTarget"]["DNSName"].rstrip(".") if record and "AliasTarget" in record else None
