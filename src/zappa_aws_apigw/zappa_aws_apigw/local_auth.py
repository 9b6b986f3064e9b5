"""How the local gateway authorizes a request as API Gateway does: the identity sources of an authorizer, its
result cached for ``result_ttl``, the returned policy evaluated against the method ARN, and the presence of a
SigV4 ``Authorization`` header for ``AWS_IAM`` (the signature is not verified offline)."""

from __future__ import annotations

import fnmatch
import threading
from typing import Any

from zappa_core.local.http import LocalRequest

from zappa_aws_apigw.local_events import now

MISSING_TOKEN = {"message": "Missing Authentication Token"}
FORBIDDEN = {"message": "Forbidden"}
UNAUTHORIZED = {"message": "Unauthorized"}
DENIED = {"message": "User is not authorized to access this resource with an explicit deny"}
NOT_ALLOWED = {"message": "User is not authorized to access this resource"}


def _arn_matches(pattern: str, arn: str) -> bool:
    return fnmatch.fnmatchcase(arn, pattern.replace("[", "[[]"))


def evaluate_policy(policy: Any, method_arn: str) -> str:
    """``"allow"``, ``"deny"`` (an explicit Deny matches) or ``"none"`` (nothing allows) for ``method_arn``."""
    document = (policy or {}).get("policyDocument") if isinstance(policy, dict) else None
    statements = (document or {}).get("Statement") or []
    if isinstance(statements, dict):
        statements = [statements]
    allowed = False
    for stmt in statements:
        actions = stmt.get("Action", [])
        actions = [actions] if isinstance(actions, str) else actions
        if not any(a in ("*", "execute-api:*", "execute-api:Invoke") for a in actions):
            continue
        resources = stmt.get("Resource", [])
        resources = [resources] if isinstance(resources, str) else resources
        if not any(_arn_matches(r, method_arn) for r in resources):
            continue
        if stmt.get("Effect") == "Deny":
            return "deny"
        if stmt.get("Effect") == "Allow":
            allowed = True
    return "allow" if allowed else "none"


def authorizer_context(result: dict[str, Any]) -> dict[str, Any]:
    """``requestContext.authorizer`` of the request: ``principalId`` and the authorizer's ``context``."""
    context: dict[str, Any] = {"principalId": result.get("principalId")}
    for key, value in (result.get("context") or {}).items():
        context[key] = value
    if "usageIdentifierKey" in result:
        context["usageIdentifierKey"] = result["usageIdentifierKey"]
    return context


class AuthorizerCache:
    """Authorizer results by (authorizer, identity), kept ``result_ttl`` seconds."""

    def __init__(self) -> None:
        self._items: dict[tuple[str, str], tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str]) -> Any:
        with self._lock:
            item = self._items.get(key)
            if item is None or item[0] < now():
                self._items.pop(key, None)
                return None
            return item[1]

    def put(self, key: tuple[str, str], ttl: int, value: Any) -> None:
        if ttl > 0:
            with self._lock:
                self._items[key] = (now() + ttl, value)


def sigv4_present(request: LocalRequest) -> bool:
    return (request.header("authorization") or "").startswith("AWS4-HMAC-SHA256 ")


def identity_value(request: LocalRequest, source: str) -> str | None:
    """The value of one identity source (``method.request.header.X``, ``...querystring.X``, ``$request.header.X``)."""
    from urllib.parse import parse_qsl

    for prefix in ("method.request.header.", "$request.header."):
        if source.startswith(prefix):
            return request.header(source[len(prefix):]) or None
    for prefix in ("method.request.querystring.", "$request.querystring."):
        if source.startswith(prefix):
            return dict(parse_qsl(request.query)).get(source[len(prefix):]) or None
    return None
