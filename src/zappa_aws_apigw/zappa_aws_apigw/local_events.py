"""Lambda events built from a local HTTP request, and proxy responses turned back into HTTP, as API Gateway
and function URLs do it: REST API payload 1.0, HTTP API payload 2.0 and 1.0, function URL payload 2.0,
authorizer events."""

from __future__ import annotations

import base64
import json
import time
import uuid
from datetime import datetime, timezone
from typing import Any
from urllib.parse import parse_qsl, unquote

from zappa_core.local.http import LocalRequest, LocalResponse

TEXT_TYPES = ("text/", "application/json", "application/javascript", "application/xml", "application/x-www-form-urlencoded",
              "application/graphql", "+json", "+xml")


def request_time() -> tuple[str, int]:
    now = datetime.now(timezone.utc)
    return now.strftime("%d/%b/%Y:%H:%M:%S +0000"), int(now.timestamp() * 1000)


def query_pairs(query: str) -> list[tuple[str, str]]:
    return parse_qsl(query, keep_blank_values=True)


def single_and_multi(pairs: list[tuple[str, str]], *, lower: bool = False) -> tuple[dict[str, str] | None, dict[str, list[str]] | None]:
    """``(last value per key, every value per key)``, ``(None, None)`` when there are none (API Gateway's way)."""
    single: dict[str, str] = {}
    multi: dict[str, list[str]] = {}
    for key, value in pairs:
        key = key.lower() if lower else key
        single[key] = value
        multi.setdefault(key, []).append(value)
    return (single or None), (multi or None)


def _matches_media_type(content_type: str, media_types: list[str]) -> bool:
    ctype = content_type.split(";")[0].strip().lower()
    for pattern in media_types:
        pattern = pattern.lower()
        if pattern == "*/*" or pattern == ctype:
            return True
        if pattern.endswith("/*") and ctype.startswith(pattern[:-1]):
            return True
    return False


def rest_body(request: LocalRequest, binary_media_types: list[str]) -> tuple[str | None, bool]:
    """The event ``body`` of a REST API request: base64 when its ``Content-Type`` (or ``Accept``) is one of
    the API's binary media types, as API Gateway does."""
    if not request.body:
        return None, False
    content_type = request.header("content-type", "") or ""
    if binary_media_types and (_matches_media_type(content_type, binary_media_types)
                               or _matches_media_type(request.header("accept", "") or "", binary_media_types)):
        return base64.b64encode(request.body).decode(), True
    return request.body.decode("utf-8", "replace"), False


def v2_body(request: LocalRequest) -> tuple[str | None, bool]:
    """HTTP APIs and function URLs send text bodies as text and everything else base64-encoded."""
    if not request.body:
        return None, False
    content_type = (request.header("content-type", "") or "").lower()
    if content_type and any(t in content_type for t in TEXT_TYPES):
        try:
            return request.body.decode("utf-8"), False
        except UnicodeDecodeError:
            pass
    return base64.b64encode(request.body).decode(), True


def identity(request: LocalRequest, api_key: str | None = None) -> dict[str, Any]:
    return {
        "accessKey": None, "accountId": None, "apiKey": api_key, "apiKeyId": None, "caller": None, "cognitoAuthenticationProvider": None,
        "cognitoAuthenticationType": None, "cognitoIdentityId": None, "cognitoIdentityPoolId": None, "principalOrgId": None,
        "sourceIp": request.source_ip, "user": None, "userAgent": request.header("user-agent"), "userArn": None,
    }


def rest_event(request: LocalRequest, *, api_id: str, stage: str, path: str, resource: dict[str, Any], account: str,
               stage_variables: dict[str, str] | None, binary_media_types: list[str], authorizer: dict[str, Any] | None = None,
               path_parameters: dict[str, str] | None = None) -> dict[str, Any]:
    """A REST API proxy event (payload 1.0) for ``request`` on ``resource`` of ``stage``."""
    headers, multi_headers = single_and_multi(request.headers)
    query, multi_query = single_and_multi(query_pairs(request.query))
    body, is_base64 = rest_body(request, binary_media_types)
    when, epoch = request_time()
    request_id = str(uuid.uuid4())
    context: dict[str, Any] = {
        "accountId": account, "apiId": api_id, "domainName": request.host, "domainPrefix": request.host.split(".")[0],
        "extendedRequestId": request_id, "httpMethod": request.method, "identity": identity(request, request.header("x-api-key")),
        "path": f"{request.prefix}/{stage}{path}", "protocol": "HTTP/1.1", "requestId": request_id, "requestTime": when,
        "requestTimeEpoch": epoch, "resourceId": resource.get("id"), "resourcePath": resource["path"], "stage": stage,
    }
    if authorizer is not None:
        context["authorizer"] = authorizer
    return {
        "resource": resource["path"], "path": path, "httpMethod": request.method,
        "headers": headers, "multiValueHeaders": multi_headers,
        "queryStringParameters": query, "multiValueQueryStringParameters": multi_query,
        "pathParameters": path_parameters or None, "stageVariables": stage_variables or None,
        "requestContext": context, "body": body, "isBase64Encoded": is_base64,
    }


def http_v1_event(request: LocalRequest, *, api_id: str, stage: str, path: str, account: str, domain_name: str,
                  route_key: str, stage_variables: dict[str, str] | None = None,
                  authorizer: dict[str, Any] | None = None) -> dict[str, Any]:
    """An HTTP API event in payload format 1.0: REST's fields plus ``"version": "1.0"``, the route key as
    ``resourceId``, bodies sent as the HTTP API sends them (text as text, everything else base64). ``path`` is
    given as the HTTP API hands it over: already percent-decoded."""
    resource = route_key.split(" ", 1)[-1]
    event = rest_event(request, api_id=api_id, stage=stage, path=path, resource={"id": route_key, "path": resource},
                       account=account, stage_variables=stage_variables, binary_media_types=[], authorizer=authorizer)
    event["version"] = "1.0"
    event["body"], event["isBase64Encoded"] = v2_body(request)
    event["requestContext"].update(domainName=domain_name, domainPrefix=domain_name.split(".")[0], path=path)
    return event


def v2_event(request: LocalRequest, *, api_id: str, stage: str, path: str, account: str, domain_name: str,
             route_key: str = "$default", stage_variables: dict[str, str] | None = None,
             authorizer: dict[str, Any] | None = None) -> dict[str, Any]:
    """A payload 2.0 event (HTTP API or function URL) for ``request``."""
    headers: dict[str, str] = {}
    cookies: list[str] = []
    for key, value in request.headers:
        name = key.lower()
        if name == "cookie":
            cookies.extend(c.strip() for c in value.split(";") if c.strip())
            continue
        headers[name] = f"{headers[name]},{value}" if name in headers else value
    query: dict[str, str] = {}
    for key, value in query_pairs(request.query):
        query[key] = f"{query[key]},{value}" if key in query else value
    body, is_base64 = v2_body(request)
    when, epoch = request_time()
    request_id = str(uuid.uuid4())
    context: dict[str, Any] = {
        "accountId": account, "apiId": api_id, "domainName": domain_name, "domainPrefix": domain_name.split(".")[0],
        "http": {"method": request.method, "path": request.prefix + path, "protocol": "HTTP/1.1", "sourceIp": request.source_ip,
                 "userAgent": request.header("user-agent", "")},
        "requestId": request_id, "routeKey": route_key, "stage": stage, "time": when, "timeEpoch": epoch,
    }
    if authorizer is not None:
        context["authorizer"] = authorizer
    event: dict[str, Any] = {
        "version": "2.0", "routeKey": route_key, "rawPath": path, "rawQueryString": request.query or "",
        "headers": headers, "requestContext": context, "isBase64Encoded": is_base64,
    }
    if cookies:
        event["cookies"] = cookies
    if query:
        event["queryStringParameters"] = query
    if body is not None:
        event["body"] = body
    if stage_variables:
        event["stageVariables"] = stage_variables
    return event


def json_response(status: int, data: Any, headers: dict[str, str] | None = None) -> LocalResponse:
    out = [("Content-Type", "application/json")]
    out.extend((headers or {}).items())
    return LocalResponse(status=status, headers=out, body=json.dumps(data).encode())


def proxy_response(payload: Any, function_error: str | None, *, v2: bool, bad_gateway: dict[str, Any]) -> LocalResponse:
    """Turn a proxy integration's result into HTTP. A function error, or (payload 1.0) a result that is not a
    ``{"statusCode", ...}`` document, is a 502 with API Gateway's message."""
    if function_error:
        return json_response(502, bad_gateway)
    if not isinstance(payload, dict) or "statusCode" not in payload:
        if not v2:
            return json_response(502, bad_gateway)
        # payload 2.0: anything that is not a response document is a JSON 200
        if isinstance(payload, str):
            return LocalResponse(200, [("Content-Type", "application/json")], payload.encode())
        return json_response(200, payload)
    try:
        status = int(payload["statusCode"])
    except (TypeError, ValueError):
        return json_response(502, bad_gateway)
    headers: list[tuple[str, str]] = []
    seen: set[str] = set()
    for key, values in (payload.get("multiValueHeaders") or {}).items():
        for value in values if isinstance(values, list) else [values]:
            headers.append((key, str(value)))
        seen.add(key.lower())
    for key, value in (payload.get("headers") or {}).items():
        if key.lower() not in seen:
            headers.append((key, str(value)))
    for cookie in payload.get("cookies") or []:
        headers.append(("Set-Cookie", str(cookie)))
    body = payload.get("body")
    if body is None:
        raw = b""
    elif payload.get("isBase64Encoded"):
        try:
            raw = base64.b64decode(body)
        except (ValueError, TypeError):
            return json_response(502, bad_gateway)
    else:
        raw = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    if v2 and not any(k.lower() == "content-type" for k, _ in headers):
        headers.append(("Content-Type", "application/json"))
    return LocalResponse(status=status, headers=headers, body=raw)


def invoke_proxy(state: Any, uri: str, event: dict[str, Any], *, v2: bool, bad_gateway: dict[str, Any]) -> LocalResponse:
    """Invoke the integration's function and answer as API Gateway does: the proxy response, a 500 when
    Lambda throttles the invocation, a 413 when the event is over Lambda's payload quota."""
    from zappa_core.local.limits import PayloadTooLarge, Throttled

    try:
        payload, error = state.invoke(uri, event)
    except Throttled:
        return json_response(500, bad_gateway if v2 else {"message": "Internal server error"})
    except PayloadTooLarge:
        return json_response(413, {"message": "Request Too Long"})
    return proxy_response(payload, error, v2=v2, bad_gateway=bad_gateway)


def decoded_path(path: str) -> str:
    return unquote(path) or "/"


def now() -> float:
    return time.monotonic()
