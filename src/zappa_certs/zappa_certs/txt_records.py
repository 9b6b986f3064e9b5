"""The TXT records of the ACME DNS-01 challenge (``_acme-challenge.<domain>``) in Route53.

Hosted-zone lookup and the record primitives are :mod:`zappa_core.route53`'s.
"""

from __future__ import annotations

from typing import Any

from zappa_core.route53 import change_record, fqdn, get_record


def quote_txt(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def upsert_txt(route53: Any, zone_id: str, name: str, values: list[str], *, ttl: int = 60, wait: bool = True) -> str:
    record = {"Name": fqdn(name), "Type": "TXT", "TTL": ttl, "ResourceRecords": [{"Value": quote_txt(v)} for v in values]}
    return change_record(route53, zone_id, "UPSERT", record, f"zappa: ACME challenge {name}", wait=wait)


def delete_txt(route53: Any, zone_id: str, name: str) -> bool:
    """Delete the TXT record set ``name`` whatever its values. Returns whether one existed."""
    existing = get_record(route53, zone_id, name, "TXT")
    if existing is None:
        return False
    change_record(route53, zone_id, "DELETE", existing, f"zappa: remove ACME challenge {name}")
    return True
