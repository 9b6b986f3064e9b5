"""ACM: where a stage's certificate must live, checking an existing one, importing and re-importing."""

from __future__ import annotations

import datetime as _dt
from typing import Any

from botocore.exceptions import ClientError
from zappa_core.awserrors import error_code, is_not_found
from zappa_core.errors import AwsError

from zappa_certs.pem import (
    CertificateBundle,
    CertificateError,
    domain_matches,
    fingerprint,
    now_utc,
    parse_certificates,
)

EDGE_REGION = "us-east-1"
RENEW_DAYS = 30
TAG_SOURCE = "ZappaCertificateSource"
TAG_DOMAIN = "ZappaDomain"


def front_door(settings: Any) -> str | None:
    """Which front door binds the stage's domain: ``"edge"`` (edge-optimized REST API, served by
    CloudFront), ``"function-url"`` (the CloudFront distribution of ``function_url_domains``), ``"regional"``
    (regional REST API or HTTP API), ``"alb"`` or ``None``.

    As in Zappa, API Gateway binds the domain when it is enabled; the load balancer binds it when it is the
    stage's only front door. A domain listed in ``function_url_domains`` is the function URL's.
    """
    domain = str(settings.get("domain") or "").lower()
    if domain and settings.get("function_url_enabled", False) and \
            domain in [str(d).lower() for d in settings.get("function_url_domains") or []]:
        return "function-url"
    legacy = settings.get("use_apigateway")
    apigw = settings.get("apigateway_enabled", False) if legacy is None else legacy
    if apigw:
        if settings.get("apigateway_version", "v1") == "v2":
            return "regional"
        endpoints = settings.get("endpoint_configuration") or ["EDGE"]
        return "edge" if "EDGE" in endpoints else "regional"
    if settings.get("alb_enabled", False):
        return "alb"
    return None


def certificate_region(settings: Any, aws: Any) -> str:
    """The region the certificate must be in: us-east-1 for an edge-optimized domain (CloudFront),
    else the stage's region."""
    if front_door(settings) in ("edge", "function-url"):
        return EDGE_REGION
    return aws.resolve_region()


def arn_region(arn: str) -> str | None:
    parts = arn.split(":")
    return parts[3] if len(parts) > 5 and parts[0] == "arn" and parts[2] == "acm" else None


def client(aws: Any, region: str) -> Any:
    return aws.client("acm", region=region)


def describe(acm: Any, arn: str) -> dict | None:
    try:
        return acm.describe_certificate(CertificateArn=arn)["Certificate"]
    except ClientError as exc:
        if is_not_found(exc) or error_code(exc) in ("ValidationException", "InvalidArnException"):
            return None
        raise AwsError(f"ACM: describe_certificate {arn} failed: {exc}") from None


def covers(cert: dict, domain: str) -> bool:
    names = [cert.get("DomainName", "")] + list(cert.get("SubjectAlternativeNames") or [])
    return any(domain_matches(n, domain) for n in names if n)


def days_left(cert: dict, now: _dt.datetime | None = None) -> float | None:
    end = cert.get("NotAfter")
    if end is None:
        return None
    if end.tzinfo is None:
        end = end.replace(tzinfo=_dt.timezone.utc)
    return (end - (now or now_utc())).total_seconds() / 86400


def check_existing(aws: Any, settings: Any, arn: str, domain: str, *, region: str | None = None) -> dict:
    """Check the ``certificate_arn`` of the settings: the right region for the front door (``region``, when the
    front door of ``domain`` named it), it exists, it is ISSUED and it covers the domain. Returns the ACM
    description."""
    wanted_region = region
    region = arn_region(arn)
    if region is None:
        raise CertificateError(f"certificate_arn '{arn}' is not an ACM certificate ARN",
                               hint="it looks like arn:aws:acm:us-east-1:123456789012:certificate/...")
    if wanted_region is not None and region != wanted_region:
        raise CertificateError(f"certificate_arn is in {region}, but the front door of {domain} is in {wanted_region}; "
                               "it can only use a certificate from its own region",
                               hint=f"request or import a certificate for {domain} in {wanted_region}")
    door = front_door(settings) if wanted_region is None else None
    if door == "edge" and region != EDGE_REGION:
        raise CertificateError(
            f"certificate_arn is in {region}, but the stage's API is edge-optimized (served by CloudFront), "
            f"which only uses certificates from {EDGE_REGION}",
            hint=f"request or import the certificate in {EDGE_REGION}, or set \"endpoint_configuration\": [\"REGIONAL\"]")
    if door == "function-url" and region != EDGE_REGION:
        raise CertificateError(
            f"certificate_arn is in {region}, but the stage's domain is served by the CloudFront distribution of its "
            f"function URL (function_url_domains), which only uses certificates from {EDGE_REGION}",
            hint=f"request or import the certificate in {EDGE_REGION}")
    wanted = certificate_region(settings, aws)
    if door in ("regional", "alb") and region != wanted:
        raise CertificateError(
            f"certificate_arn is in {region}, but the stage's {'load balancer' if door == 'alb' else 'regional API'} "
            f"is in {wanted}; it can only use a certificate from its own region",
            hint=f"request or import the certificate in {wanted}")
    cert = describe(client(aws, region), arn)
    if cert is None:
        raise CertificateError(f"certificate_arn '{arn}' does not exist in ACM ({region})",
                               hint="check the ARN and the account ('profile_name')")
    status = cert.get("Status")
    if status != "ISSUED":
        hint = ("finish the DNS or e-mail validation in the ACM console, then run certify again"
                if status == "PENDING_VALIDATION" else "request a new certificate")
        raise CertificateError(f"certificate_arn '{arn}' is {status}, not ISSUED", hint=hint)
    if not covers(cert, domain):
        names = [cert.get("DomainName")] + [n for n in cert.get("SubjectAlternativeNames") or [] if n != cert.get("DomainName")]
        raise CertificateError(f"certificate_arn '{arn}' is for {', '.join(n for n in names if n)}, not for '{domain}'")
    return cert


def find_managed(acm: Any, domain: str, source: str, project_tag: str) -> dict | None:
    """The certificate that zappa imported for ``domain`` from ``source`` for this stage, found by its tags."""
    paginator = acm.get_paginator("list_certificates")
    for page in paginator.paginate():
        for summary in page.get("CertificateSummaryList", []):
            if (summary.get("DomainName") or "").lower() != domain.lower():
                continue
            arn = summary["CertificateArn"]
            tags = {t["Key"]: t.get("Value") for t in acm.list_tags_for_certificate(CertificateArn=arn).get("Tags", [])}
            if tags.get(TAG_SOURCE) == source and tags.get(TAG_DOMAIN, "").lower() == domain.lower() \
                    and tags.get("ZappaProject") == project_tag:
                return describe(acm, arn)
    return None


def current_fingerprint(acm: Any, arn: str) -> str | None:
    """SHA-256 fingerprint of the certificate ACM holds under ``arn``."""
    try:
        pem = acm.get_certificate(CertificateArn=arn)["Certificate"]
    except ClientError:
        return None
    return fingerprint(parse_certificates(pem.encode(), what=f"ACM certificate {arn}")[0])


def import_bundle(acm: Any, bundle: CertificateBundle, *, arn: str | None = None, tags: dict[str, str] | None = None) -> str:
    """Import ``bundle`` into ACM; with ``arn``, re-import it in place (bindings keep working)."""
    kwargs: dict[str, Any] = {"Certificate": bundle.certificate_pem, "PrivateKey": bundle.key_pem}
    if bundle.chain:
        kwargs["CertificateChain"] = bundle.chain_pem
    if arn:
        kwargs["CertificateArn"] = arn
    elif tags:
        kwargs["Tags"] = [{"Key": k, "Value": v} for k, v in tags.items()]
    try:
        return acm.import_certificate(**kwargs)["CertificateArn"]
    except ClientError as exc:
        raise AwsError(f"ACM: import_certificate failed: {exc}",
                       hint="ACM accepts RSA (1024-4096) and EC (P-256, P-384) keys with a chain in PEM") from None
