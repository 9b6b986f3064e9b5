"""Small builders of HTTP events in the shapes AWS sends (REST 1.0, HTTP API 2.0 and 1.0, function URL, ALB)."""

from __future__ import annotations

import base64


def _body(body: bytes | str | None, binary: bool) -> tuple[str | None, bool]:
    if body is None:
        return None, False
    if binary:
        raw = body if isinstance(body, bytes) else body.encode()
        return base64.b64encode(raw).decode(), True
    return (body.decode() if isinstance(body, bytes) else body), False


def rest(method="GET", path="/", *, headers=None, query=None, body=None, binary=False, stage="prod",
         host="abc123.execute-api.us-east-1.amazonaws.com", source_ip="203.0.113.9", **extra) -> dict:
    headers = {"Host": host, "X-Forwarded-Proto": "https", **(headers or {})}
    text, is_b64 = _body(body, binary)
    event = {
        "resource": "/{proxy+}",
        "path": path,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": {k: v[-1] for k, v in (query or {}).items()} or None,
        "multiValueQueryStringParameters": query or None,
        "requestContext": {"stage": stage, "requestId": "req-1", "identity": {"sourceIp": source_ip},
                           "protocol": "HTTP/1.1", "domainName": host},
        "body": text,
        "isBase64Encoded": is_b64,
    }
    event.update(extra)
    return event


def v2(method="GET", raw_path="/", *, headers=None, raw_query="", cookies=None, body=None, binary=False,
       stage="$default", domain="abc123.execute-api.us-east-1.amazonaws.com", source_ip="203.0.113.9") -> dict:
    text, is_b64 = _body(body, binary)
    event = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": raw_path,
        "rawQueryString": raw_query,
        "headers": {"host": domain, "x-forwarded-proto": "https", **(headers or {})},
        "requestContext": {"domainName": domain, "stage": stage, "requestId": "req-1",
                           "http": {"method": method, "path": raw_path, "protocol": "HTTP/1.1",
                                    "sourceIp": source_ip}},
        "isBase64Encoded": is_b64,
    }
    if cookies:
        event["cookies"] = cookies
    if text is not None:
        event["body"] = text
    return event


def url(method="GET", raw_path="/", **kwargs) -> dict:
    return v2(method, raw_path, domain="abcdefgh.lambda-url.us-east-1.on.aws", **kwargs)


def alb(method="GET", path="/", *, headers=None, query=None, body=None, binary=False, multi=False,
        forwarded_for="198.51.100.7") -> dict:
    headers = {"host": "my-alb-1.us-east-1.elb.amazonaws.com", "x-forwarded-proto": "http",
               "x-forwarded-port": "80", "x-forwarded-for": forwarded_for, **(headers or {})}
    text, is_b64 = _body(body, binary)
    event = {
        "requestContext": {"elb": {"targetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/t/1"}},
        "httpMethod": method,
        "path": path,
        "body": text or "",
        "isBase64Encoded": is_b64,
    }
    if multi:
        event["multiValueHeaders"] = {k: [v] for k, v in headers.items()}
        event["multiValueQueryStringParameters"] = query or {}
    else:
        event["headers"] = headers
        event["queryStringParameters"] = {k: v[-1] for k, v in (query or {}).items()}
    return event


def http1(method="GET", path="/", *, route="ANY /{proxy+}", stage="$default", headers=None, query=None, body=None,
          binary=False, domain="abc123.execute-api.us-east-1.amazonaws.com", source_ip="203.0.113.9") -> dict:
    """An HTTP API event in payload format 1.0, as AWS documents and sends it: REST's fields plus
    ``"version": "1.0"``, the path already percent-decoded and, on a named stage, starting with ``/{stage}``;
    the route key as ``resourceId``."""
    headers = {"Host": domain, "X-Forwarded-Proto": "https", "X-Forwarded-Port": "443",
               "X-Forwarded-For": source_ip, **(headers or {})}
    text, is_b64 = _body(body, binary)
    full = path if stage == "$default" else f"/{stage}{path}"
    resource = route.split(" ", 1)[-1]
    return {
        "version": "1.0",
        "resource": resource,
        "path": full,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": {k: v[-1] for k, v in (query or {}).items()} or None,
        "multiValueQueryStringParameters": query or None,
        "requestContext": {
            "accountId": "123456789012", "apiId": domain.split(".")[0], "domainName": domain,
            "domainPrefix": domain.split(".")[0], "extendedRequestId": "req-1", "httpMethod": method,
            "identity": {"accessKey": None, "accountId": None, "caller": None, "sourceIp": source_ip,
                         "user": None, "userAgent": "curl/8.5.0", "userArn": None},
            "path": full, "protocol": "HTTP/1.1", "requestId": "req-1", "requestTime": "06/Feb/2022:16:04:14 +0000",
            "requestTimeEpoch": 1644163454741, "resourceId": route, "resourcePath": resource, "stage": stage,
        },
        "pathParameters": None,
        "stageVariables": None,
        "body": text,
        "isBase64Encoded": is_b64,
    }
