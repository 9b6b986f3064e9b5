"""Hooks that zappa-ng-certs publishes for other plugins (added through ``zappa_addhooks``).

They let a plugin follow the DNS-01 challenge without a setting: mirror the TXT record to another DNS
server (the tests mirror it to ``pebble-challtestsrv``), log it, or wait on a resolver of its own.
"""

from __future__ import annotations

from typing import Any

from zappa_core.hookspecs import hookspec


@hookspec
def zappa_dns_challenge_ready(domain: str, name: str, value: str, zone_id: Any) -> None:
    """Called after the ACME DNS-01 TXT record ``name`` (``_acme-challenge.<domain>``) with ``value`` was
    written to the Route53 hosted zone ``zone_id`` (``None`` in ``--manual`` mode) and is in sync, right
    before the ACME server is asked to validate it. Return value ignored; an exception aborts ``certify``
    (the record is still removed)."""


@hookspec
def zappa_dns_challenge_removed(domain: str, name: str, value: str, zone_id: Any) -> None:
    """Called after the TXT record of :func:`zappa_dns_challenge_ready` was removed again, whether the
    certificate was issued or not. Return value ignored."""
