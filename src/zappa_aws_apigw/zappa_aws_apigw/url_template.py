"""``zappa template`` for a function URL with ``function_url_domains``: the URL (``AWS::Lambda::Url``), its public
invoke permission, and the CloudFront distribution in front of it (``AWS::CloudFront::Distribution``) with the
CloudFront Function that passes the client's Host on (``AWS::CloudFront::Function``).

The distribution is the one deploy makes (:mod:`zappa_aws_apigw.url_cloudfront`), written in CloudFormation's
form: CloudFormation spells lists as plain lists (the API's ``{"Quantity", "Items"}``) and a few names differently.
The certificate is ``certificate_arn`` when it is in us-east-1, else a parameter.
"""

from __future__ import annotations

from typing import Any

from zappa_aws_apigw import url_host_function
from zappa_aws_apigw.function_url import boto_url_config
from zappa_aws_apigw.url_cloudfront import distribution_config
from zappa_aws_apigw.url_domains import CERTIFICATE_REGION, domains_of

#: API names that CloudFormation spells differently.
RENAMED = {"ACMCertificateArn": "AcmCertificateArn", "SSLSupportMethod": "SslSupportMethod",
           "IAMCertificateId": "IamCertificateId", "OriginSslProtocols": "OriginSSLProtocols", "IsIPV6Enabled": "IPV6Enabled",
           "CustomHeaders": "OriginCustomHeaders"}
#: Keys of the API that CloudFormation does not take.
DROPPED = {"CallerReference", "CertificateSource", "Certificate"}


def to_cloudformation(value: Any) -> Any:
    """An API ``DistributionConfig`` (or part of it) in CloudFormation's form."""
    if isinstance(value, list):
        return [to_cloudformation(v) for v in value]
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for key, item in value.items():
        if key in DROPPED or key == "Quantity":
            continue
        if key == "AllowedMethods" and isinstance(item, dict):
            out["AllowedMethods"] = list(item.get("Items") or [])
            if item.get("CachedMethods"):
                out["CachedMethods"] = list(item["CachedMethods"].get("Items") or [])
            continue
        if key == "GeoRestriction" and isinstance(item, dict):
            out[key] = {"RestrictionType": item.get("RestrictionType", "none"), **({"Locations": item["Items"]} if item.get("Items") else {})}
            continue
        if isinstance(item, dict) and set(item) <= {"Quantity", "Items"}:
            item = item.get("Items") or []
        out[RENAMED.get(key, key)] = to_cloudformation(item)
    return out


def function_url_resources(settings: Any, function_arn: str) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """``(resources, outputs, parameters)`` of the function URL and its distribution; empty without domains."""
    domains = domains_of(settings)
    if not domains:
        return {}, {}, {}
    url = boto_url_config(settings)
    resources: dict[str, Any] = {
        "FunctionUrl": {"Type": "AWS::Lambda::Url", "Properties": {
            "TargetFunctionArn": function_arn, "AuthType": url["AuthType"], **({"Cors": url["Cors"]} if url.get("Cors") else {})}},
    }
    if url["AuthType"] == "NONE":
        resources["FunctionUrlPermission"] = {"Type": "AWS::Lambda::Permission", "Properties": {
            "FunctionName": function_arn, "Action": "lambda:InvokeFunctionUrl", "Principal": "*", "FunctionUrlAuthType": "NONE"}}
    parameters: dict[str, Any] = {}
    certificate = settings.get("certificate_arn")
    if not certificate or CERTIFICATE_REGION not in certificate.split(":")[3:4]:
        parameters["FunctionUrlCertificateArn"] = {
            "Type": "String", "Description": f"ACM certificate in us-east-1 that covers {', '.join(domains)}"}
        certificate = "CERTIFICATE"
    resources["FunctionUrlHostFunction"] = {"Type": "AWS::CloudFront::Function", "Properties": {
        "Name": url_host_function.function_name(settings), "AutoPublish": True, "FunctionCode": url_host_function.CODE.decode(),
        "FunctionConfig": {"Comment": f"X-Forwarded-Host for the function URL of {settings.function_name} (zappa)",
                           "Runtime": url_host_function.RUNTIME}}}
    config = to_cloudformation(distribution_config(settings, "ORIGIN", certificate=certificate, aliases=domains,
                                                   host_function="HOST_FUNCTION"))
    for association in config["DefaultCacheBehavior"].get("FunctionAssociations") or []:
        if association.get("FunctionARN") == "HOST_FUNCTION":
            association["FunctionARN"] = {"Fn::GetAtt": ["FunctionUrlHostFunction", "FunctionARN"]}
    config["Origins"][0]["DomainName"] = {"Fn::Select": [2, {"Fn::Split": ["/", {"Fn::GetAtt": ["FunctionUrl", "FunctionUrl"]}]}]}
    if parameters:
        config["ViewerCertificate"]["AcmCertificateArn"] = {"Ref": "FunctionUrlCertificateArn"}
    resources["FunctionUrlDistribution"] = {"Type": "AWS::CloudFront::Distribution", "Properties": {"DistributionConfig": config}}
    outputs = {
        "FunctionUrl": {"Description": "Function URL", "Value": {"Fn::GetAtt": ["FunctionUrl", "FunctionUrl"]}},
        "FunctionUrlDistributionDomainName": {
            "Description": f"Point {', '.join(domains)} here: alias A and AAAA records in hosted zone Z2FDTNDATAQYW2",
            "Value": {"Fn::GetAtt": ["FunctionUrlDistribution", "DomainName"]}},
    }
    return resources, outputs, parameters


def add_function_url(template: dict[str, Any] | None, settings: Any, function_arn: str) -> dict[str, Any] | None:
    """``template`` with the function URL's resources added (a new template when the stage has no API)."""
    resources, outputs, parameters = function_url_resources(settings, function_arn)
    if not resources:
        return template
    if template is None:
        template = {"AWSTemplateFormatVersion": "2010-09-09",
                    "Description": f"Function URL of {settings.function_name} and its CloudFront distribution (zappa)",
                    "Resources": {}, "Outputs": {}}
    template["Resources"].update(resources)
    template.setdefault("Outputs", {}).update(outputs)
    if parameters:
        template.setdefault("Parameters", {}).update(parameters)
    return template
