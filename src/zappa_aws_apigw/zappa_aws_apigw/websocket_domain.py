"""The custom domain of a stage's WebSocket API: ``wss://<domain>`` instead of the ``execute-api`` URL.

Which name: ``websocket_domain``; else the stage's ``domain`` when the WebSocket API is the only API Gateway
front door of the stage (no REST or HTTP API, no load balancer), so a WebSocket-only stage needs no new key.
API Gateway cannot map a WebSocket API and a REST or HTTP API to the same domain name, so a stage with both
gives the WebSocket API a name of its own.

``zappa certify`` gets its certificate (in the stage's region: the domain is regional) and binds it through
:func:`bind_websocket_domain`: an API Gateway v2 domain name (regional, TLS 1.2) with one API mapping of the
whole domain to the WebSocket API's stage. ``undeploy`` removes the mapping with the API; the domain name and
its certificate stay for a redeploy.
"""

from __future__ import annotations

import re
from typing import Any

from zappa_core.errors import UsageError
from zappa_core.records import DomainBinding, SettingsProblem, StageDomain

from zappa_aws_apigw import common

HOSTNAME = re.compile(r"^(?=.{1,253}$)(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$", re.IGNORECASE)


def other_front_door(settings: Any) -> bool:
    """The stage has an HTTP front door that binds ``domain`` (a REST or HTTP API, or a load balancer)."""
    return common.apigw_enabled(settings) or bool(settings.get("alb_enabled", False))


def websocket_domain_of(settings: Any) -> str | None:
    """The domain the stage's WebSocket API is served under (see the module's docstring), or ``None``."""
    if not settings.websocket_handler_module:
        return None
    if settings.websocket_domain:
        return str(settings.websocket_domain).lower()
    domain = settings.get("domain")
    return str(domain).lower() if domain and not other_front_door(settings) else None


def validate_websocket_domain(settings: Any) -> list[SettingsProblem]:
    """A host name, not the name of the stage's other front door, and no ``base_path`` on a domain that serves
    only the WebSocket API."""
    problems = []
    name = settings.websocket_domain
    if name is not None:
        if not HOSTNAME.match(name) or name.startswith("*"):
            problems.append(SettingsProblem(
                f"must be a host name such as 'ws.example.com' (no scheme, path or port), not {name!r}", key="websocket_domain"))
        elif settings.get("domain") and name.lower() == str(settings.domain).lower() and other_front_door(settings):
            problems.append(SettingsProblem(
                f"'{name}' is also the stage's 'domain', which its REST/HTTP API or load balancer serves; API Gateway "
                "cannot map a WebSocket API and another API to one domain name: give the WebSocket API a name of its own "
                "(e.g. 'ws.example.com')", key="websocket_domain"))
    elif websocket_domain_of(settings) and settings.get("base_path"):
        problems.append(SettingsProblem(
            "'base_path' applies to REST and HTTP APIs; the stage's 'domain' serves its WebSocket API, at the root of "
            "the domain: remove 'base_path'", key="base_path"))
    return problems


def stage_domains(settings: Any) -> list[StageDomain]:
    """``websocket_domain`` for ``zappa certify`` (the stage's ``domain``, when it serves the WebSocket API, is
    certified as the stage's domain already)."""
    name = websocket_domain_of(settings)
    if name is None or name == str(settings.get("domain") or "").lower():
        return []
    return [StageDomain(name, certificate_region=settings.aws_region, scheme="wss")]


def bind_websocket_domain(aws: Any, settings: Any, domain: str, certificate: str) -> DomainBinding:
    """Bind ``domain`` to the stage of the WebSocket API (the clients ``aws`` are the certify run's)."""
    from zappa_aws_apigw.domain import bind_v2_domain
    from zappa_aws_apigw.websocket_api import find_websocket_api, websocket_api_name

    api = find_websocket_api(aws.client("apigatewayv2"), settings)
    if api is None:
        raise UsageError(f"no WebSocket API {websocket_api_name(settings)} to bind {domain} to",
                         hint=f"deploy the stage first: zappa deploy {settings.stage}")
    from dataclasses import replace

    bound = bind_v2_domain(aws, settings, domain, certificate, api_id=api["ApiId"], stage=settings.stage, key="",
                           what="WebSocket API")
    return replace(bound, url=f"wss://{domain}")


def bound_domain_url(v2: Any, settings: Any, api_id: str) -> str | None:
    """``wss://<domain>`` of the WebSocket API once certify has mapped its domain to it, else ``None``."""
    from zappa_core.awserrors import is_not_found

    name = websocket_domain_of(settings)
    if not name:
        return None
    try:
        mappings = v2.get_api_mappings(DomainName=name).get("Items", [])
    except Exception as exc:
        if is_not_found(exc):
            return None
        raise
    return f"wss://{name}" if any(m.get("ApiId") == api_id for m in mappings) else None


def unbound_domain_hint(v2: Any, settings: Any, api_id: str) -> str | None:
    """What to run when the WebSocket API has a domain in the settings that ``certify`` has not mapped to it yet."""
    name = websocket_domain_of(settings)
    if not name or bound_domain_url(v2, settings, api_id):
        return None
    return f"WebSocket domain {name} is not bound to this API yet: run 'zappa certify {settings.stage}' to bind it"
