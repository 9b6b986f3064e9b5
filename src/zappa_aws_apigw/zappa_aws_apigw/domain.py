"""Custom domains for ``zappa certify`` (``zappa_bind_domain``): the API Gateway domain name (edge or
regional) and the base path mapping (``base_path``). The DNS record is certify's to write, from the
:class:`~zappa_core.records.DomainBinding` returned here.

Idempotent: an existing domain name gets the new certificate, an existing mapping is pointed at this stage.
"""

from __future__ import annotations

from typing import Any

from zappa_core.arns import arn_region
from zappa_core.awserrors import is_not_found
from zappa_core.errors import AwsError, UsageError
from zappa_core.records import DomainBinding
from zappa_core.route53 import CLOUDFRONT_HOSTED_ZONE_ID

from zappa_aws_apigw import common


def bind_domain(settings: Any, domain: str, certificate: str, aws: Any) -> DomainBinding:
    """Bind ``domain`` to the stage's REST API, or its HTTP API with ``apigateway_version`` v2 (``aws``: the
    clients of the certify run)."""
    if settings.apigateway_version == "v2":
        return _bind_http_api(aws, settings, domain, certificate)
    return _bind_rest_api(aws, settings, domain, certificate)


def _base_path(settings: Any) -> str:
    return (settings.base_path or "").strip("/")


def _bind_rest_api(aws: Any, settings: Any, domain: str, certificate: str) -> DomainBinding:
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
    return DomainBinding(domain, target, zone, {"api_id": api_id, "base_path": base or None, "endpoint_type": kind})


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


def _bind_http_api(aws: Any, settings: Any, domain: str, certificate: str) -> DomainBinding:
    from zappa_aws_apigw.httpapi import find_http_api

    api = find_http_api(aws.client("apigatewayv2"), settings)
    if api is None:
        raise UsageError(f"no HTTP API {settings.function_name} to bind {domain} to", hint=f"deploy the stage first: zappa deploy {settings.stage}")
    return bind_v2_domain(aws, settings, domain, certificate, api_id=api["ApiId"], stage="$default",
                          key=_base_path(settings), what="HTTP API")


def bind_v2_domain(aws: Any, settings: Any, domain: str, certificate: str, *, api_id: str, stage: str, key: str,
                   what: str) -> DomainBinding:
    """An API Gateway v2 domain name (regional, TLS 1.2) with the certificate, and the API mapping of ``key``
    (``""``: the whole domain) to ``stage`` of the API ``api_id`` (an HTTP API or a WebSocket API)."""
    v2 = aws.client("apigatewayv2")
    config = {"CertificateArn": certificate, "EndpointType": "REGIONAL", "SecurityPolicy": "TLS_1_2"}
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
        mappings = v2.get_api_mappings(DomainName=domain).get("Items", [])
        current = next((m for m in mappings if (m.get("ApiMappingKey") or "") == key), None)
        if current is not None and (current.get("ApiId") != api_id or current.get("Stage") != stage):
            v2.delete_api_mapping(ApiMappingId=current["ApiMappingId"], DomainName=domain)
            current = None
        if current is None:
            v2.create_api_mapping(ApiId=api_id, DomainName=domain, Stage=stage, ApiMappingKey=key)
    except UsageError:
        raise
    except Exception as exc:  # noqa: BLE001 - any failure of the binding is reported as this step's AwsError
        raise AwsError(f"apigw: could not bind {domain} to {what} {api_id}: {exc}") from None
    config_out = (found.get("DomainNameConfigurations") or [{}])[0]
    return DomainBinding(domain, config_out.get("ApiGatewayDomainName"), config_out.get("HostedZoneId"),
                         {"api_id": api_id, "base_path": key or None, "stage": stage, "endpoint_type": "REGIONAL"})


def remove_api_mappings(v2: Any, domain: str, api_id: str, step: str) -> None:
    """Remove the mappings of ``domain`` to the API ``api_id`` (the domain name itself stays: it may serve other
    APIs, and its certificate is the user's)."""
    try:
        for mapping in v2.get_api_mappings(DomainName=domain).get("Items", []):
            if mapping.get("ApiId") == api_id:
                v2.delete_api_mapping(ApiMappingId=mapping["ApiMappingId"], DomainName=domain)
    except Exception as exc:  # noqa: BLE001 - not found means absent; any other failure is raised as AwsError
        if not is_not_found(exc):
            raise AwsError(f"{step}: could not remove the API mapping of {domain}: {exc}") from None


def mapped_domains(v2: Any, api_id: str, step: str) -> list[str]:
    """The custom domain names with a mapping to the API ``api_id`` (read from AWS, whatever the settings say)."""
    from zappa_aws_apigw.local_api import paged

    try:
        names = [d["DomainName"] for d in paged(v2, "get_domain_names", "Items", "NextToken")]
        return [name for name in names
                if any(m.get("ApiId") == api_id for m in v2.get_api_mappings(DomainName=name).get("Items", []))]
    except Exception as exc:  # noqa: BLE001 - any failure to read is raised as this step's AwsError
        raise AwsError(f"{step}: could not read the API Gateway domain names: {exc}") from None


def remove_all_api_mappings(v2: Any, api_id: str, step: str) -> None:
    """Remove every custom domain's mapping to the API ``api_id`` (before the API goes: found from AWS, so a
    domain setting removed since still loses its mapping)."""
    for name in mapped_domains(v2, api_id, step):
        remove_api_mappings(v2, name, api_id, step)
