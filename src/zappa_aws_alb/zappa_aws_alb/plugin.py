"""Deploy-side plugin of zappa_aws_alb (registered in the `zappa` entry-point group)."""

from __future__ import annotations

from typing import Any

from zappa_core.hookspecs import hookimpl
from zappa_core.records import LocalRoute, SettingsProblem, SettingsSection


@hookimpl
def zappa_settings_sections():
    from zappa_aws_alb.settings import AlbSettings

    return SettingsSection(name="alb", model=AlbSettings)


@hookimpl
def zappa_validate_settings(settings):
    if not settings.get("alb_enabled", False):
        return None
    problems = []
    if settings.get("base_path"):
        problems.append(SettingsProblem(
            "'base_path' cannot be used with 'alb_enabled': a load balancer has no base path mappings; "
            "serve the app under that path itself, or route by host name", key="base_path"))
    subnets = settings.alb_vpc_config.SubnetIds
    if len(subnets) < 2:
        problems.append(SettingsProblem(
            "'alb_enabled' needs alb_vpc_config.SubnetIds: at least two subnets in different Availability Zones "
            f"(an Application Load Balancer's requirement); got {len(subnets)}", key="alb_vpc_config"))
    return problems


@hookimpl
def zappa_plan_resources(settings, context):
    from zappa_aws_alb.steps import steps_for

    return steps_for(settings)


def _binds(settings: Any) -> bool:
    """The load balancer binds the domain when it is the stage's only front door (with API Gateway on,
    API Gateway binds it, as in Zappa)."""
    if not settings.get("alb_enabled", False):
        return False
    legacy = settings.get("use_apigateway")
    return not (settings.get("apigateway_enabled", False) if legacy is None else legacy)


@hookimpl
def zappa_bind_domain(settings, context, domain, certificate):
    if not _binds(settings) or domain != settings.get("domain"):  # other names belong to other front doors
        return None
    from zappa_aws_alb.binding import bind_certificate

    return bind_certificate(context.aws, settings, domain, certificate)


@hookimpl
def zappa_stage_status(settings, context):
    if not settings.get("alb_enabled", False):
        return None
    from zappa_aws_alb.resources import find_load_balancer, listeners_of, resource_name

    name = resource_name(settings)
    if getattr(context, "local", False):
        from zappa_core.local.urls import alb_url
        from zappa_core.local_state import gateway_endpoint

        gateway = gateway_endpoint(settings.project_dir)  # ZAPPA_LOCAL_GATEWAY, or the local AWS state file
        return {"urls": {"alb": alb_url(gateway, name)}, "alb": {"name": name}} if gateway else None
    elb = context.aws.client("elbv2")
    lb = find_load_balancer(elb, name)
    if lb is None:
        return None
    listeners = listeners_of(elb, lb["LoadBalancerArn"])
    https = any(listener["Protocol"] == "HTTPS" for listener in listeners)
    return {"urls": {"alb": f"{'https' if https else 'http'}://{lb['DNSName']}"},
            "alb": {"name": name, "dns_name": lb["DNSName"], "state": lb.get("State", {}).get("Code"),
                    "listeners": [f"{listener['Protocol']}:{listener['Port']}" for listener in listeners]}}


@hookimpl
def zappa_local_routes(settings, state):
    from zappa_aws_alb.local import discover

    return [LocalRoute(kind="alb", key=name, handle=route, description=f"load balancer {name}")
            for name, route in discover(settings, state)]


@hookimpl(tryfirst=True)
def zappa_local_front_door(settings):
    """A stage with ``alb_enabled`` is served with load balancer events (before API Gateway's, as deploys
    make the load balancer the stage's front door)."""
    if not settings.get("alb_enabled", False):
        return None
    from zappa_aws_alb.local import serve_front_door

    return serve_front_door()
