"""``zappa status``: the stage's API, function URL (and the custom domains of its CloudFront distribution) and
WebSocket API, with their public (or local gateway) URLs."""

from __future__ import annotations

from typing import Any

from zappa_aws_apigw import common


def clients_and_mode(settings: Any, context: Any) -> tuple[Any, bool]:
    """The client factory and whether it points at the local AWS, from a DeployContext, a CommandContext
    (whose ``aws`` is a method taking the settings) or an AwsClients factory."""
    aws = getattr(context, "aws", None)
    if callable(aws) and not hasattr(aws, "client"):
        aws = aws(settings)
    if aws is None and hasattr(context, "client"):
        aws = context
    if aws is None:
        from zappa_core.aws import AwsClients

        aws = AwsClients.for_settings(settings)
    local = bool(getattr(context, "local", False) or getattr(aws, "local", False))
    return aws, local


def gateway_endpoint(settings: Any) -> str | None:
    from zappa_core.local_state import gateway_endpoint as local_gateway

    return local_gateway(settings.project_dir)


def stage_status(settings: Any, context: Any) -> dict[str, Any] | None:
    from zappa_core.local import urls

    aws, local = clients_and_mode(settings, context)
    gateway = gateway_endpoint(settings) if local else None
    out: dict[str, Any] = {"urls": {}}
    if common.uses_rest_api(settings):
        from zappa_aws_apigw.rest.model import find_rest_api_id, rest_api_url

        apigw = aws.client("apigateway")
        api_id = find_rest_api_id(apigw, settings.function_name)
        if api_id:
            region = apigw.meta.region_name
            url = urls.rest_api_url(gateway, api_id, settings.stage) if gateway else rest_api_url(region, api_id, settings.stage)
            out["urls"]["api"] = url
            info: dict[str, Any] = {"type": "REST", "id": api_id, "stage": settings.stage, "url": url}
            if settings.api_key_required:
                from zappa_aws_apigw.rest.keys import find_api_key

                key = {"id": settings.api_key} if settings.api_key else find_api_key(apigw, settings.function_name)
                if key:
                    info["api_key_id"] = key["id"]
            out["api"] = info
    elif common.uses_http_api(settings):
        from zappa_aws_apigw.httpapi import find_http_api, http_api_url

        v2 = aws.client("apigatewayv2")
        api = find_http_api(v2, settings)
        if api:
            api_id = api["ApiId"]
            url = urls.http_api_url(gateway, api_id) if gateway else http_api_url(v2.meta.region_name, api_id)
            out["urls"]["api"] = url
            out["api"] = {"type": "HTTP", "id": api_id, "stage": "$default", "url": url}
    if settings.function_url_enabled:
        from zappa_aws_apigw.function_url import read_url_config

        config = read_url_config(aws.client("lambda"), settings.function_name)
        if config:
            url = urls.function_url(gateway, settings.function_name) if gateway else config["FunctionUrl"]
            out["urls"]["function_url"] = url
            out["function_url"] = {"url": url, "auth_type": config.get("AuthType")}
        if settings.function_url_domains:
            from zappa_aws_apigw.url_domains import status as distribution_status

            distribution = distribution_status(aws, settings)
            if distribution:
                out["function_url_domains"] = distribution
                for i, url in enumerate(distribution["urls"]):
                    out["urls"]["function_url_domain" + (f"_{i + 1}" if i else "")] = url
    if settings.websocket_handler_module:
        from zappa_aws_apigw.websocket_api import find_websocket_api, websocket_url

        v2 = aws.client("apigatewayv2")
        api = find_websocket_api(v2, settings)
        if api:
            api_id = api["ApiId"]
            url = urls.websocket_url(gateway, api_id, settings.stage) if gateway else websocket_url(v2.meta.region_name, api_id, settings.stage)
            out["urls"]["websocket"] = url
            out["websocket"] = {"id": api_id, "stage": settings.stage, "url": url,
                                "route_selection_expression": api.get("RouteSelectionExpression")}
            from zappa_aws_apigw.websocket_domain import bound_domain_url

            domain_url = bound_domain_url(v2, settings, api_id)
            if domain_url:
                out["urls"]["websocket_domain"] = out["websocket"]["domain_url"] = domain_url
    return out if out["urls"] else None
