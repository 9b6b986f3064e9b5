"""The public URLs of front doors served by the local gateway.

Every front door is reached at ``<gateway>/<key>/...`` where the key is the REST/HTTP API id, the load
balancer name or the function name (and at ``http://<key>.localhost:<port>/...``). Plugins use these helpers
so ``zappa status --local`` and the gateway agree.
"""

from __future__ import annotations


def rest_api_url(gateway: str, api_id: str, stage: str) -> str:
    return f"{gateway.rstrip('/')}/{api_id}/{stage}/"


def http_api_url(gateway: str, api_id: str, stage: str = "$default") -> str:
    base = f"{gateway.rstrip('/')}/{api_id}/"
    return base if stage in ("$default", "") else f"{base}{stage}/"


def alb_url(gateway: str, load_balancer_name: str) -> str:
    return f"{gateway.rstrip('/')}/{load_balancer_name}/"


def function_url(gateway: str, function_name: str) -> str:
    return f"{gateway.rstrip('/')}/{function_name}/"


def websocket_url(gateway: str, api_id: str, stage: str) -> str:
    """A WebSocket API stage on the local gateway: ``ws://127.0.0.1:<port>/<api id>/<stage>``."""
    return f"{gateway.rstrip('/').replace('http://', 'ws://', 1)}/{api_id}/{stage}"
