"""``zappa_local_routes``: the local gateway serves every REST API, HTTP API and function URL deployed on
the local AWS, the way API Gateway and Lambda would.

REST APIs: ``/<api id>/<stage>/<path>``; the resource is the exact path, else the longest ``{proxy+}``
prefix; API keys (``x-api-key`` of a key in a usage plan of the stage) and TOKEN/REQUEST authorizers (the
authorizer function is invoked, its policy evaluated against the method ARN and cached for ``result_ttl``)
are enforced; ``OPTIONS`` MOCK methods answer CORS preflights with their configured headers; request bodies
are base64-encoded for the API's binary media types. HTTP APIs: ``/<api id>/<path>`` (``$default`` stage),
payload 2.0, CORS and Lambda authorizers. Function URLs: ``/<function name>/<path>``, payload 2.0, and by ``Host``
under the domains of the CloudFront distribution in front of them (``function_url_domains``). WebSocket
APIs: ``ws://.../<api id>/<stage>`` and their management API (:mod:`zappa_aws_apigw.local_websocket`). An HTTP
or WebSocket API whose custom domain ``zappa certify`` mapped is also served under that name, by ``Host`` header.

What cannot be checked offline is approximated and documented: ``AWS_IAM`` needs a SigV4 ``Authorization``
header (the signature is not verified), a Cognito authorizer needs a token (not verified).
"""

from __future__ import annotations

from typing import Any

from zappa_core.records import LocalRoute

from zappa_aws_apigw.local_api import paged
from zappa_aws_apigw.local_http import FunctionUrlRoute, HttpApiRoute
from zappa_aws_apigw.local_rest import RestApiRoute
from zappa_aws_apigw.local_websocket import WebSocketApiRoute


def local_routes(settings: Any, state: Any) -> list[LocalRoute]:
    """Every front door of this plugin on the local AWS (only the stage's own when ``settings`` is given)."""
    name = settings.function_name if settings is not None else None
    routes: list[LocalRoute] = []
    apigw = state.aws.client("apigateway")
    for api in paged(apigw, "get_rest_apis", "items", "position", limit=500):
        if name is None or api.get("name") == name:
            routes.append(LocalRoute("rest", api["id"], RestApiRoute(state, api), f"REST API {api.get('name')}"))
    v2 = state.aws.client("apigatewayv2")
    hosts = custom_domains(v2)
    for api in paged(v2, "get_apis", "Items", "NextToken"):
        api_hosts = hosts.get(api["ApiId"], {})
        if api.get("ProtocolType") == "HTTP" and (name is None or api.get("Name") == name):
            routes.append(LocalRoute("http", api["ApiId"], HttpApiRoute(state, api), f"HTTP API {api.get('Name')}", hosts=api_hosts))
        elif api.get("ProtocolType") == "WEBSOCKET" and (name is None or api.get("Name") == f"{name}-ws"):
            ws = WebSocketApiRoute(state, api)
            routes.append(LocalRoute("websocket", api["ApiId"], ws, f"WebSocket API {api.get('Name')}", websocket=ws.websocket,
                                     hosts=api_hosts))
    lam = state.aws.client("lambda")
    aliases = distribution_aliases(state.aws)
    for fn in paged(lam, "list_functions", "Functions", "NextMarker", token_arg="Marker"):
        if name is not None and fn["FunctionName"] != name:
            continue
        try:
            config = lam.get_function_url_config(FunctionName=fn["FunctionName"])
        except Exception:  # noqa: BLE001 - a function whose URL config cannot be read serves no URL route
            continue
        domains = aliases.get(str(config.get("FunctionUrl", "")).split("://", 1)[-1].strip("/"), ())
        routes.append(LocalRoute("url", fn["FunctionName"], FunctionUrlRoute(state, fn, config, domains),
                                 f"function URL of {fn['FunctionName']}", hosts=dict.fromkeys(domains, "")))
    return routes


def custom_domains(v2: Any) -> dict[str, dict[str, str]]:
    """The API Gateway v2 custom domains mapped as a whole (empty mapping key) to an API: ``{api id: {domain: path of
    the mapped stage on the local route}}``; the gateway serves them by ``Host`` header."""
    found: dict[str, dict[str, str]] = {}
    try:
        domains = v2.get_domain_names().get("Items", [])
    except Exception:  # noqa: BLE001 - no domain names to read: the APIs are served by key alone
        return found
    for domain in domains:
        name = domain.get("DomainName")
        try:
            mappings = v2.get_api_mappings(DomainName=name).get("Items", [])
        except Exception:  # noqa: BLE001 - a domain whose mappings cannot be read serves nothing locally
            continue
        for mapping in mappings:
            if not mapping.get("ApiMappingKey"):
                stage = mapping.get("Stage") or "$default"
                found.setdefault(mapping["ApiId"], {})[name.lower()] = "" if stage == "$default" else "/" + stage
    return found


def distribution_aliases(aws: Any) -> dict[str, tuple[str, ...]]:
    """``{origin host: aliases}`` of the enabled CloudFront distributions: a function URL is served under the
    domains of the distribution in front of it (``function_url_domains`` that ``zappa certify`` bound)."""
    found: dict[str, tuple[str, ...]] = {}
    try:
        pages = list(aws.client("cloudfront").get_paginator("list_distributions").paginate())
    except Exception:  # noqa: BLE001 - no distributions to read: function URLs are served by key alone
        return found
    for item in [i for page in pages for i in (page.get("DistributionList") or {}).get("Items") or []]:
        names = tuple((item.get("Aliases") or {}).get("Items") or [])
        if item.get("Enabled") and names:
            for origin in (item.get("Origins") or {}).get("Items") or []:
                found[origin.get("DomainName", "")] = names
    return found
