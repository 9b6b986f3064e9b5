"""The CloudFront distribution in front of a function URL (``function_url_domains``): its configuration and
the checks of ``function_url_cloudfront_config``.

What AWS requires, and what the defaults are:

- the origin is the function URL's host name, reached over HTTPS only (a function URL serves nothing else);
- a function URL refuses a request whose ``Host`` is not its own, so the origin request policy forwards
  everything the viewer sent *except* ``Host`` (the managed ``AllViewerExceptHostHeader`` policy);
- nothing is cached unless asked (the managed ``CachingDisabled`` policy): the app decides per response;
- the aliases (the domains) need a viewer certificate from ACM in **us-east-1** that covers them; until
  ``zappa certify`` attached one, the distribution serves its ``*.cloudfront.net`` name only;
- Route53 alias records point at the distribution in CloudFront's hosted zone ``Z2FDTNDATAQYW2``.

``function_url_cloudfront_config`` is merged over this configuration key by key (nested objects merged,
lists and plain values replaced), as written in the CloudFront API (``PriceClass``, ``WebACLId``,
``DefaultCacheBehavior: {"CachePolicyId": ...}``), and checked against the API's own shapes before any call.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from typing import Any

#: Managed CloudFront policies (their ids are the same in every account).
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
ORIGIN_ID = "LambdaFunctionURL"
#: Set by zappa on every distribution it owns (configuration kept by certify included), not by the user.
MANAGED_KEYS = {
    "CallerReference": "zappa names the distribution itself",
    "Aliases": "the aliases are 'function_url_domains'",
}
ALL_METHODS = ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]


def _items(values: list[Any]) -> dict[str, Any]:
    return {"Quantity": len(values), "Items": list(values)}


def comment_of(function_name: str) -> str:
    """The distribution's comment, also how an earlier deploy's distribution is found (Zappa writes the same)."""
    return f"Lambda FunctionURL {function_name}"


def base_config(function_name: str, origin_host: str, host_function: str | None = None) -> dict[str, Any]:
    """The distribution zappa makes for the function URL at ``origin_host``, before aliases and certificate;
    ``host_function`` is the ARN of the CloudFront Function that passes the client's Host on
    (:mod:`zappa_aws_apigw.url_host_function`)."""
    associations = [{"FunctionARN": host_function, "EventType": "viewer-request"}] if host_function else []
    return {
        "CallerReference": f"zappa-function-url-{function_name}",
        "Comment": comment_of(function_name),
        "Enabled": True,
        "PriceClass": "PriceClass_100",
        "HttpVersion": "http2",
        "IsIPV6Enabled": True,
        "DefaultRootObject": "",
        "Aliases": _items([]),
        "Origins": _items([{
            "Id": ORIGIN_ID,
            "DomainName": origin_host,
            "OriginPath": "",
            "CustomHeaders": _items([]),
            "CustomOriginConfig": {
                "HTTPPort": 80,
                "HTTPSPort": 443,
                "OriginProtocolPolicy": "https-only",
                "OriginSslProtocols": _items(["TLSv1.2"]),
                "OriginReadTimeout": 60,
                "OriginKeepaliveTimeout": 60,
            },
        }]),
        "DefaultCacheBehavior": {
            "TargetOriginId": ORIGIN_ID,
            "ViewerProtocolPolicy": "redirect-to-https",
            "Compress": True,
            "AllowedMethods": {**_items(ALL_METHODS), "CachedMethods": _items(["GET", "HEAD"])},
            "CachePolicyId": CACHING_DISABLED,
            "OriginRequestPolicyId": ALL_VIEWER_EXCEPT_HOST,
            "FunctionAssociations": _items(associations),
        },
        "ViewerCertificate": {"CloudFrontDefaultCertificate": True},
    }


def merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """``extra`` over ``base``: objects merged key by key, anything else replaced."""
    out = copy.deepcopy(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def distribution_config(settings: Any, origin_host: str, *, certificate: str | None, aliases: list[str],
                        host_function: str | None = None) -> dict[str, Any]:
    """The whole ``DistributionConfig``: the defaults, the user's ``function_url_cloudfront_config``, then the
    aliases and the certificate (an ACM ARN in us-east-1, or ``None``: CloudFront's own certificate)."""
    config = merge(base_config(settings.function_name, origin_host, host_function), settings.function_url_cloudfront_config or {})
    config["Aliases"] = _items(aliases) if certificate else _items([])
    viewer = {k: v for k, v in config.get("ViewerCertificate", {}).items()
              if k not in ("CloudFrontDefaultCertificate", "ACMCertificateArn", "IAMCertificateId", "Certificate", "CertificateSource")}
    if certificate:
        viewer = {"SSLSupportMethod": "sni-only", "MinimumProtocolVersion": "TLSv1.2_2021", **viewer,
                  "ACMCertificateArn": certificate}
    else:
        viewer = {"CloudFrontDefaultCertificate": True}
    config["ViewerCertificate"] = viewer
    _fix_quantities(config)
    return config


def _fix_quantities(value: Any) -> None:
    """CloudFront lists carry their length (``Quantity``) beside ``Items``: keep them in step after a merge."""
    if isinstance(value, dict):
        if isinstance(value.get("Items"), list):
            value["Quantity"] = len(value["Items"])
        for item in value.values():
            _fix_quantities(item)
    elif isinstance(value, list):
        for item in value:
            _fix_quantities(item)


def fingerprint(config: dict[str, Any]) -> str:
    """A short hash of the configuration zappa wants (kept as a tag: CloudFront answers with its own
    normal form, so the wanted form is compared with what was last sent)."""
    text = json.dumps({k: v for k, v in config.items() if k != "CallerReference"}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def config_problems(settings: Any) -> list[tuple[tuple[str | int, ...], str]]:
    """``(path, message)`` for every problem of ``function_url_cloudfront_config``: keys zappa manages, and
    the whole merged configuration checked against CloudFront's API (unknown keys, wrong types, bad values)."""
    user = settings.function_url_cloudfront_config or {}
    problems: list[tuple[tuple[str | int, ...], str]] = []
    for key, why in MANAGED_KEYS.items():
        if key in user:
            problems.append(((key,), f"is set by zappa ({why}): remove it"))
    if problems:
        return problems
    sample = distribution_config(settings, "example.lambda-url.us-east-1.on.aws",
                                 certificate="arn:aws:acm:us-east-1:123456789012:certificate/example", aliases=["example.com"],
                                 host_function="arn:aws:cloudfront::123456789012:function/example-host")
    from botocore.session import get_session
    from botocore.validate import ParamValidator

    shape = get_session().get_service_model("cloudfront").shape_for("DistributionConfig")
    report = ParamValidator().validate(sample, shape)
    if report.has_errors():
        problems += [_report_line(line.strip()) for line in report.generate_report().splitlines() if line.strip()]
    else:
        problems += _enum_problems(sample, shape, ())
        target = sample["DefaultCacheBehavior"].get("TargetOriginId")
        if target not in [o.get("Id") for o in sample["Origins"]["Items"]]:
            problems.append((("DefaultCacheBehavior", "TargetOriginId"), f"names no origin of the distribution: {target!r}"))
    return problems


def _path_of(text: str) -> tuple[str | int, ...]:
    """``DefaultCacheBehavior.AllowedMethods.Items[1]`` as ``("DefaultCacheBehavior", "AllowedMethods", "Items", 1)``."""
    path: tuple[str | int, ...] = ()
    for part in text.split(".") if text and text != "input" else []:
        name, _, rest = part.partition("[")
        path += (name,)
        path += tuple(int(i) for i in re.findall(r"(\d+)\]", "[" + rest)) if rest else ()
    return path


def _report_line(line: str) -> tuple[tuple[str | int, ...], str]:
    """One line of botocore's validation report as ``(path inside the setting, message)``."""
    found = re.match(r'Unknown parameter in (\S+): "([^"]+)", must be one of: (.*)$', line)
    if found:
        import difflib

        choices = [c.strip() for c in found.group(3).split(",")]
        close = difflib.get_close_matches(found.group(2), choices, n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"one of: {', '.join(choices)}"
        return _path_of(found.group(1)) + (found.group(2),), f"unknown CloudFront setting; {hint}"
    found = re.match(r'Missing required parameter in (\S+): "([^"]+)"$', line)
    if found:
        return _path_of(found.group(1)), f"'{found.group(2)}' is required here"
    found = re.match(r"Invalid type for parameter ([^,]+), value: (.*), type: <class '(\w+)'>, valid types: (.*)$", line)
    if found:
        valid = ", ".join(re.findall(r"<class '(\w+)'>", found.group(4))) or found.group(4)
        return _path_of(found.group(1)), f"must be of type {valid}, not {found.group(3)} ({found.group(2)})"
    found = re.match(r"Invalid (\w+) for parameter ([^,]+), (.*)$", line)
    if found:
        return _path_of(found.group(2)), f"invalid {found.group(1)}: {found.group(3)}"
    return (), line


def _enum_problems(value: Any, shape: Any, path: tuple[str | int, ...]) -> list[tuple[tuple[str | int, ...], str]]:
    """Values outside an enumeration of the API (``PriceClass``, ``ViewerProtocolPolicy``, ...), which botocore
    leaves to the service."""
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        return [p for key, item in value.items() if key in shape.members
                for p in _enum_problems(item, shape.members[key], path + (key,))]
    if kind == "list" and isinstance(value, list):
        return [p for i, item in enumerate(value) for p in _enum_problems(item, shape.member, path + (i,))]
    enum = getattr(shape, "enum", None)
    if kind == "string" and enum and value not in enum:
        return [(path, f"must be one of {', '.join(enum)}, not {value!r}")]
    return []
