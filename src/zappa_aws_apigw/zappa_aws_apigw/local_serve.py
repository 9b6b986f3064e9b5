"""``zappa serve`` through API Gateway's eyes: REST API (v1) events, or payload 2.0 events for an HTTP API or
a function URL, and the proxy response API Gateway makes of what the handler returns; with
``websocket_handler_module``, the stage's WebSocket API on the same port (:mod:`zappa_aws_apigw.local_serve_ws`)."""

from __future__ import annotations

from typing import Any

from zappa_core.local.http import LOCAL_ACCOUNT, LocalRequest
from zappa_core.records import LocalFrontDoor

from zappa_aws_apigw.local_events import decoded_path, proxy_response, rest_event, v2_event

API_ID = "zappa-serve"
BAD_GATEWAY = {"message": "Internal server error"}


def uses_payload_v2(settings: Any) -> bool:
    """An HTTP API, or a function URL as the only front door."""
    data = settings.to_dict()
    return data.get("apigateway_version") == "v2" or bool(
        data.get("function_url_enabled") and not data.get("apigateway_enabled", True))


def serve_front_door(settings: Any) -> LocalFrontDoor:
    door = _http_front_door(settings)
    if settings.websocket_handler_module:
        from dataclasses import replace

        from zappa_aws_apigw.local_serve_ws import ServedWebSocketApi

        return replace(door, websocket=lambda invoke, url: ServedWebSocketApi(settings, invoke, url))
    return door


def _http_front_door(settings: Any) -> LocalFrontDoor:
    if uses_payload_v2(settings):
        def build_v2(request: LocalRequest) -> dict[str, Any]:
            return v2_event(request, api_id=API_ID, stage="$default", path=decoded_path(request.path), account=LOCAL_ACCOUNT,
                            domain_name=request.host)

        return LocalFrontDoor("v2", build_v2, lambda payload, error: proxy_response(payload, error, v2=True, bad_gateway=BAD_GATEWAY))

    def build_v1(request: LocalRequest) -> dict[str, Any]:
        path = decoded_path(request.path)
        return rest_event(request, api_id=API_ID, stage=settings.stage, path=path, resource={"id": "proxy", "path": "/{proxy+}"},
                          account=LOCAL_ACCOUNT, stage_variables=None, binary_media_types=["*/*"],
                          path_parameters={"proxy": path.lstrip("/")} if path != "/" else None)

    return LocalFrontDoor("v1", build_v1, lambda payload, error: proxy_response(payload, error, v2=False, bad_gateway=BAD_GATEWAY))
