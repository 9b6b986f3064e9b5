"""The local gateway's ALB route: an HTTP request becomes the event an Application Load Balancer sends to a
Lambda target group with multi-value headers on, and the function's answer becomes the HTTP response.

As the real load balancer does, query values are passed on still percent-encoded, header names are
lower-cased, repeated headers and query keys keep every value in order, and a body that is not UTF-8 text
is base64-encoded. A function error or an answer that is not a valid ALB response is a 502.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from zappa_core.arns import build_arn, split_function_arn
from zappa_core.local.http import LOCAL_ACCOUNT, LocalRequest, LocalResponse
from zappa_core.records import LocalFrontDoor

from zappa_aws_alb.resources import find_load_balancer, listeners_of, owned, resource_name, tags_of

#: The largest request body a load balancer sends to a Lambda target (ELB's documented 1 MB).
MAX_LAMBDA_BODY_BYTES = 1024 * 1024


def multi_value_query(query: str) -> dict[str, list[str]]:
    """``a=1&a=2&b=x%20y`` -> ``{"a": ["1", "2"], "b": ["x%20y"]}`` (not decoded, as ALB does)."""
    params: dict[str, list[str]] = {}
    for part in query.split("&") if query else []:
        if not part:
            continue
        key, _, value = part.partition("=")
        params.setdefault(key, []).append(value)
    return params


def alb_event(request: LocalRequest, target_group_arn: str, *, port: int | None = None) -> dict[str, Any]:
    headers: dict[str, list[str]] = {}
    for key, value in request.headers:
        headers.setdefault(key.lower(), []).append(value)
    headers.setdefault("host", [request.host])
    headers.setdefault("x-forwarded-for", [request.source_ip])
    headers.setdefault("x-forwarded-proto", [request.scheme])
    headers.setdefault("x-forwarded-port", [str(port or (443 if request.scheme == "https" else 80))])
    body, is_b64 = "", False
    if request.body:
        try:
            body = request.body.decode("utf-8")
        except UnicodeDecodeError:
            body, is_b64 = base64.b64encode(request.body).decode("ascii"), True
    return {
        "requestContext": {"elb": {"targetGroupArn": target_group_arn}},
        "httpMethod": request.method.upper(),
        "path": request.path or "/",
        "multiValueQueryStringParameters": multi_value_query(request.query),
        "multiValueHeaders": headers,
        "body": body,
        "isBase64Encoded": is_b64,
    }


def serve_front_door() -> LocalFrontDoor:
    """``zappa serve`` behind a load balancer: target group events, answers read as ELB reads them."""
    target_group = build_arn("elasticloadbalancing", "us-east-1", LOCAL_ACCOUNT, "targetgroup/zappa-serve/0000000000000000")

    def build(request: LocalRequest) -> dict[str, Any]:
        port = request.host.rpartition(":")[2]
        return alb_event(request, target_group, port=int(port) if port.isdigit() else None)

    return LocalFrontDoor("alb", build, alb_response)


def _bad_gateway(reason: str) -> LocalResponse:
    body = json.dumps({"message": "502 Bad Gateway", "reason": reason}).encode()
    return LocalResponse(502, [("content-type", "application/json"), ("content-length", str(len(body)))], body)


def alb_response(payload: Any, function_error: str | None) -> LocalResponse:
    """The HTTP response of a load balancer for the function's answer (multi-value headers on)."""
    if function_error:
        message = payload.get("errorMessage") if isinstance(payload, dict) else payload
        return _bad_gateway(f"the function failed: {message}")
    if not isinstance(payload, dict) or "statusCode" not in payload:
        return _bad_gateway("the function's answer has no statusCode")
    try:
        status = int(payload["statusCode"])
    except (TypeError, ValueError):
        return _bad_gateway(f"statusCode {payload['statusCode']!r} is not a number")
    headers: list[tuple[str, str]] = []
    multi = payload.get("multiValueHeaders")
    if isinstance(multi, dict):
        for key, values in multi.items():
            for value in values if isinstance(values, list) else [values]:
                headers.append((key, str(value)))
    elif isinstance(payload.get("headers"), dict):  # lenient: a single-value answer
        headers = [(k, str(v)) for k, v in payload["headers"].items()]
    body = payload.get("body") or ""
    if payload.get("isBase64Encoded"):
        try:
            data = base64.b64decode(body, validate=True)
        except (ValueError, TypeError):
            return _bad_gateway("isBase64Encoded is true but the body is not base64")
    else:
        data = body.encode("utf-8") if isinstance(body, str) else json.dumps(body).encode()
    headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
    headers.append(("content-length", str(len(data))))
    return LocalResponse(status, headers, data)


@dataclass
class AlbRoute:
    """``LocalRoute.handle`` of one load balancer."""

    state: Any
    target_group_arn: str
    target: str
    port: int | None = None

    def __call__(self, request: LocalRequest) -> LocalResponse:
        from zappa_core.local.limits import Throttled

        if len(request.body) > MAX_LAMBDA_BODY_BYTES:
            body = json.dumps({"message": "413 Request Entity Too Large",
                               "reason": f"a Lambda target takes request bodies of at most {MAX_LAMBDA_BODY_BYTES} bytes"})
            return LocalResponse(413, [("content-type", "application/json")], body.encode())
        event = alb_event(request, self.target_group_arn, port=self.port)
        function, qualifier = split_function_arn(self.target)
        try:
            payload, error = self.state.invoke(function, event, qualifier=qualifier)
        except Throttled:
            return _bad_gateway("Lambda throttled the invocation (TooManyRequestsException)")
        return alb_response(payload, error)


def discover(settings: Any, state: Any) -> list[tuple[str, AlbRoute]]:
    """``(load balancer name, route)`` of every deployed zappa load balancer (only the stage's one when
    ``settings`` is given) whose listener forwards to a Lambda target group."""
    elb = state.aws.client("elbv2")
    if settings is not None:
        if not settings.get("alb_enabled", False):
            return []
        lb = find_load_balancer(elb, resource_name(settings))
        lbs = [lb] if lb is not None and owned(elb, lb["LoadBalancerArn"], settings) else []
    else:
        lbs = [lb for page in elb.get_paginator("describe_load_balancers").paginate() for lb in page["LoadBalancers"]
               if "ZappaProject" in tags_of(elb, lb["LoadBalancerArn"])]
    routes = []
    for lb in lbs:
        for listener in sorted(listeners_of(elb, lb["LoadBalancerArn"]), key=lambda listener: listener["Port"] != 443):
            tg_arns = [a["TargetGroupArn"] for a in listener.get("DefaultActions", []) if a.get("Type") == "forward"
                       and a.get("TargetGroupArn")]
            route = _route_for(elb, state, tg_arns, listener["Port"])
            if route is not None:
                routes.append((lb["LoadBalancerName"], route))
                break
    return routes


def _route_for(elb: Any, state: Any, tg_arns: list[str], port: int) -> AlbRoute | None:
    for tg_arn in tg_arns:
        groups = elb.describe_target_groups(TargetGroupArns=[tg_arn])["TargetGroups"]
        if not groups or groups[0].get("TargetType") != "lambda":
            continue
        targets = elb.describe_target_health(TargetGroupArn=tg_arn).get("TargetHealthDescriptions", [])
        if targets:
            return AlbRoute(state=state, target_group_arn=tg_arn, target=targets[0]["Target"]["Id"], port=port)
    return None
