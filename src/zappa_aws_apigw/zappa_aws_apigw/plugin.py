"""Deploy-side plugin of zappa_aws_apigw (registered in the `zappa` entry-point group).

Hooks: the settings section and its cross-field checks, the resource steps (REST API, HTTP API, function
URL, WebSocket API), the stage's URLs for ``zappa status``, the CloudFormation template for ``zappa template``, the custom
domain binding for ``zappa certify`` and the local gateway's routes.
"""

from __future__ import annotations

from zappa_core.hookspecs import hookimpl
from zappa_core.records import SettingsSection


@hookimpl
def zappa_settings_sections():
    from zappa_aws_apigw.settings import ApiGatewaySettings

    return SettingsSection(name="apigw", model=ApiGatewaySettings, description="API Gateway REST/HTTP APIs and function URLs")


@hookimpl
def zappa_validate_settings(settings):
    from zappa_aws_apigw.settings import validate

    return validate(settings) or None


@hookimpl
def zappa_plan_resources(settings, context):
    """Every step, always: a step whose feature is off plans the removal of what an earlier deploy left
    (switching ``apigateway_version`` or turning a feature off converges, and ``undeploy`` finds it all)."""
    from zappa_aws_apigw.function_url import FunctionUrlStep
    from zappa_aws_apigw.httpapi import HttpApiStep
    from zappa_aws_apigw.rest import RestApiStep
    from zappa_aws_apigw.url_domains import FunctionUrlDomainsStep
    from zappa_aws_apigw.websocket_api import WebSocketApiStep

    return [RestApiStep(settings), HttpApiStep(settings), FunctionUrlStep(settings), FunctionUrlDomainsStep(settings),
            WebSocketApiStep(settings)]


@hookimpl
def zappa_stage_status(settings, context):
    from zappa_aws_apigw.status import stage_status

    return stage_status(settings, context)


@hookimpl
def zappa_cloudformation_template(settings, lambda_arn, role_arn):
    from zappa_aws_apigw.template import stage_template

    return stage_template(settings, lambda_arn, role_arn)


@hookimpl
def zappa_bind_domain(settings, context, domain, certificate):
    """The WebSocket API's domain (``websocket_domain``, or ``domain`` of a WebSocket-only stage) goes to the
    WebSocket API; ``function_url_domains`` to the function URL's CloudFront distribution; the stage's ``domain``
    to its REST or HTTP API."""
    from zappa_aws_apigw.common import apigw_enabled
    from zappa_aws_apigw.url_domains import domains_of
    from zappa_aws_apigw.websocket_domain import bind_websocket_domain, websocket_domain_of

    if domain.lower() == websocket_domain_of(settings):
        return bind_websocket_domain(context.aws, settings, domain, certificate)
    if domain.lower() in domains_of(settings):
        from zappa_aws_apigw.url_domains import bind

        return bind(context.aws, settings, domain.lower(), certificate)
    if not apigw_enabled(settings) or domain != settings.get("domain"):
        return None
    from zappa_aws_apigw.domain import bind_domain

    return bind_domain(settings, domain, certificate, context.aws)


@hookimpl
def zappa_stage_domains(settings):
    from zappa_aws_apigw.url_domains import stage_domains as url_domains
    from zappa_aws_apigw.websocket_domain import stage_domains

    return stage_domains(settings) + url_domains(settings)


@hookimpl
def zappa_local_routes(settings, state):
    from zappa_aws_apigw.local_routes import local_routes

    return local_routes(settings, state)


@hookimpl
def zappa_local_front_door(settings):
    from zappa_aws_apigw.local_serve import serve_front_door

    return serve_front_door(settings)


@hookimpl
def zappa_package_include(settings, context):
    """Nothing to add; says so when the project has WebSocket handlers that no setting names (Zappa would
    have guessed the module and created a WebSocket API)."""
    if not settings.websocket_handler_module:
        from zappa_aws_apigw.websocket_api import unnamed_handler_modules

        modules = [m for m in unnamed_handler_modules(context.project_dir) if m]
        if modules:
            context.warn(f"{modules[0]} imports zappa.websocket but 'websocket_handler_module' is not set, so no WebSocket "
                         f"API is deployed (Zappa would guess it): set \"websocket_handler_module\": \"{modules[0]}\"")
    return []
