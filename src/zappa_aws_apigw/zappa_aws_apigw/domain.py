"""Custom domains for ``zappa certify`` (``zappa_bind_domain``): the API Gateway domain name (edge or
regional), the base path mapping (``base_path``) and, with ``route53_enabled``, the Route53 alias record.

Idempotent: an existing domain name gets the new certificate, an existing mapping is pointed at this stage.
"""

from __future__ import annotations

import os
from typing import Any

from zappa_core.arns import arn_region
from zappa_core.awserrors import is_not_found
from zappa_core.errors import AwsError, UsageError
from zappa_core.route53 import (
    CLOUDFRONT_HOSTED_ZONE_ID,
    DnsError,
    find_hosted_zone,
    fqdn,
    upsert_alias,
)

from zappa_aws_apigw import common


def clients_for(settings: Any) -> Any:
    """The client factory: the local AWS when ``--local``/``ZAPPA_LOCAL`` is in force, else the stage's AWS."""
    from zappa_core.aws import AwsClients
    from zappa_core.local_state import local_endpoint, local_requested

    if local_requested() or os.environ.get("ZAPPA_LOCAL_ENDPOINT"):
        return AwsClients.for_settings(settings, local_endpoint=local_endpoint(settings.project_dir))
    return AwsClients.for_settings(settings)


def bind_domain(settings: Any, domain: str, certificate: str, aws: Any = None) -> dict[str, Any]:
    aws = aws or clients_for(settings)
    if settings.apigateway_version == "v2":
        bound = _bind_http_api(aws, settings, domain, certificate)
    else:
        bound = _bind_rest_api(aws, settings, domain, certificate)
    bound["route53"] = write_alias(aws, domain, bound["target"], bound["hosted_zone_id"]) if settings.get("route53_enabled", True) else None
    return bound


def _base_path(settings: Any) -> str:
    return (settings.base_path or "").strip("/")


def _bind_rest_api(aws: Any, settings: Any, domain: str, certificate: str) -> dict[str, Any]:
    from zappa_aws_apigw.rest.model import find_rest_api_id

    apigw = aws.client("apigateway")
    api_id = find_rest_api_id(apigw, settings.function_name)
    if api_id is None:
        raise UsageError(f"no REST API {settings.function_name} to bind {domain} to", hint=f"deploy the stage first: zappa deploy {settings.stage}")
    kind = (settings.endpoint_configuration or ["EDGE"])[0]
    if kind == "PRIVATE":
        raise UsageError("a PRIVATE REST API cannot have a public custom domain", hint="use endpoint_configuration EDGE or REGIONAL")
    edge = kind == "EDGE"
    if edge and arn_region(certificate) != "us-east-1":
        raise UsageError(f"an edge-optimised domain needs its certificate in us-east-1, not {arn_region(certificate)}",
                         hint="request or import the certificate in us-east-1, or use endpoint_configuration REGIONAL")
    cert_key = "certificateArn" if edge else "regionalCertificateArn"
    try:
        try:
            found = apigw.get_domain_name(domainName=domain)
        except Exception as exc:
            if not is_not_found(exc):
                raise
            found = apigw.create_domain_name(domainName=domain, endpointConfiguration={"types": [kind]}, tags=common.tags_of(settings),
                                             **{cert_key: certificate})
        else:
            if found.get(cert_key) != certificate:
                found = apigw.update_domain_name(domainName=domain, patchOperations=[
                    {"op": "replace", "path": f"/{cert_key}", "value": certificate}])
        base = _base_path(settings)
        mapping_key = base or "(none)"
        mappings = {m.get("basePath", "(none)"): m for m in base_path_mappings(apigw, domain)}
        current = mappings.get(mapping_key)
        if current is not None and (current.get("restApiId") != api_id or current.get("stage") != settings.stage):
            apigw.delete_base_path_mapping(domainName=domain, basePath=mapping_key)
            current = None
        if current is None:
            kwargs: dict[str, Any] = {"domainName": domain, "restApiId": api_id, "stage": settings.stage}
            if base:
                kwargs["basePath"] = base
            apigw.create_base_path_mapping(**kwargs)
    except UsageError:
        raise
    except Exception as exc:  # noqa: BLE001 - any failure of the binding is reported as this step's AwsError
        raise AwsError(f"apigw: could not bind {domain} to REST API {api_id}: {exc}") from None
    if edge:
        target, zone = found.get("distributionDomainName"), found.get("distributionHostedZoneId") or CLOUDFRONT_HOSTED_ZONE_ID
    else:
        target, zone = found.get("regionalDomainName"), found.get("regionalHostedZoneId")
    return {"domain": domain, "target": target, "hosted_zone_id": zone, "api_id": api_id, "base_path": base or None,
            "endpoint_type": kind}


def base_path_mappings(apigw: Any, domain: str) -> list[dict[str, Any]]:
    """The domain's base path mappings. moto fails (KeyError, or a 500 from its server) on a domain that has
    none yet: that is read as "none"."""
    try:
        return apigw.get_base_path_mappings(domainName=domain).get("items", [])
    except KeyError:
        return []
    except Exception as exc:
        status = (getattr(exc, "response", None) or {}).get("ResponseMetadata", {}).get("HTTPStatusCode")
        if status == 500:
            return []
        raise


def _bind_http_api(aws: Any, settings: Any, domain: str, certificate: str) -> dict[str, Any]:
    from zappa_aws_apigw.httpapi import find_http_api

    v2 = aws.client("apigatewayv2")
    api = find_http_api(v2, settings)
    if api is None:
        raise UsageError(f"no HTTP API {settings.function_name} to bind {domain} to", hint=f"deploy the stage first: zappa deploy {settings.stage}")
    config = {"CertificateArn": certificate, "EndpointType": "REGIONAL"}
    try:
        try:
            found = v2.get_domain_name(DomainName=domain)
        except Exception as exc:
            if not is_not_found(exc):
                raise
            found = v2.create_domain_name(DomainName=domain, DomainNameConfigurations=[config], Tags=common.tags_of(settings))
        else:
            configs = found.get("DomainNameConfigurations") or [{}]
            if configs[0].get("CertificateArn") != certificate:
                found = v2.update_domain_name(DomainName=domain, DomainNameConfigurations=[config])
        base = _base_path(settings)
        mappings = v2.get_api_mappings(DomainName=domain).get("Items", [])
        current = next((m for m in mappings if (m.get("ApiMappingKey") or "") == base), None)
        if current is not None and current.get("ApiId") != api["ApiId"]:
            v2.delete_api_mapping(ApiMappingId=current["ApiMappingId"], DomainName=domain)
            current = None
        if current is None:
            v2.create_api_mapping(ApiId=api["ApiId"], DomainName=domain, Stage="$default", ApiMappingKey=base)
    except UsageError:
        raise
    except Exception as exc:  # noqa: BLE001 - any failure of the binding is reported as this step's AwsError
        raise AwsError(f"apigw: could not bind {domain} to HTTP API {api['ApiId']}: {exc}") from None
    config_out = (found.get("DomainNameConfigurations") or [{}])[0]
    return {"domain": domain, "target": config_out.get("ApiGatewayDomainName"), "hosted_zone_id": config_out.get("HostedZoneId"),
            "api_id": api["ApiId"], "base_path": base or None, "endpoint_type": "REGIONAL"}


def write_alias(aws: Any, domain: str, target: str | None, target_zone: str | None) -> dict[str, Any] | None:
    """Point ``domain`` at ``target`` with an A alias record; ``None`` when there is no target or no public
    hosted zone holds the domain. A CNAME of the same name (Zappa wrote CNAMEs) is replaced, as Route53
    allows no other record beside a CNAME."""
    if not target or not target_zone:
        return None
    route53 = aws.client("route53")
    try:
        zone_id = find_hosted_zone(route53, domain)["Id"]
    except DnsError:
        return None
    try:
        upsert_alias(route53, domain, target, target_zone, hosted_zone_id=zone_id)
    except Exception as exc:  # noqa: BLE001 - any failure of the write is reported as this step's AwsError
        raise AwsError(f"apigw: could not write the Route53 alias of {domain}: {exc}") from None
    return {"hosted_zone": zone_id, "record": fqdn(domain), "alias": target}
