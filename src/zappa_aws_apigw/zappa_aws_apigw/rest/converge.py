"""Converging the live REST API on the settings with boto3: what the stack should have made and did not
(moto's CloudFormation ignores authorizers, method authorization, binary media types, endpoint configuration
and resource policies, and cannot build MOCK integrations), and the CORS ``OPTIONS`` methods, which are
always put this way. On AWS after a stack create or update this finds nothing to do."""

from __future__ import annotations

import json
from typing import Any

from zappa_core.awserrors import is_not_found

from zappa_aws_apigw import common
from zappa_aws_apigw.rest.model import Desired, Live


def converge_ops(want: Desired, live: Live) -> list[tuple[str, str, Any]]:
    """``(label, detail, fn(apigw, api_id))`` for every difference between the live API and the settings
    that the stack did not settle. Empty on AWS after a stack create/update; on moto it fills its gaps."""
    ops: list[tuple[str, str, Any]] = []
    api = live.api or {}
    props = want.template["Resources"]["Api"]["Properties"]
    patch: list[dict[str, Any]] = []
    notes: list[str] = []  # what the patch does, in the words of the settings
    if (api.get("description") or "") != props["Description"]:
        patch.append({"op": "replace", "path": "/description", "value": props["Description"]})
        notes.append("description")
    has_binary = "*/*" in (api.get("binaryMediaTypes") or [])
    if want.settings.binary_support and not has_binary:
        patch.append({"op": "add", "path": "/binaryMediaTypes/*~1*", "value": "*/*"})
        notes.append("binary media types: */*")
    elif not want.settings.binary_support and has_binary:
        patch.append({"op": "remove", "path": "/binaryMediaTypes/*~1*", "value": "*/*"})
        notes.append("binary media types: none")
    want_types = list(want.settings.endpoint_configuration or ["EDGE"])
    live_types = list((api.get("endpointConfiguration") or {}).get("types") or ["EDGE"])
    if want_types != live_types:
        patch.append({"op": "replace", "path": f"/endpointConfiguration/types/{live_types[0]}", "value": want_types[0]})
        notes.append(f"endpoint type: {live_types[0]} -> {want_types[0]}")
    if ("Policy" in props) != bool(api.get("policy")):
        patch.append({"op": "replace", "path": "/policy", "value": json.dumps(props["Policy"]) if "Policy" in props else ""})
        notes.append("resource policy" if "Policy" in props else "no resource policy")
    if patch:
        ops.append(("api", ", ".join(notes),
                    lambda apigw, api_id, patch=patch: apigw.update_rest_api(restApiId=api_id, patchOperations=patch)))

    # the authorizer
    want_auth = want.authorizer
    live_auth = live.authorizer
    holder: dict[str, Any] = {"id": live_auth.get("id") if live_auth else None}
    if want_auth is not None:
        if live_auth is None:
            def create_auth(apigw: Any, api_id: str, want_auth: dict = want_auth) -> None:
                holder["id"] = create_authorizer(apigw, api_id, want_auth)
            ops.append(("authorizer", f"create {want_auth['type']}", create_auth))
        else:
            patch_auth = [{"op": "replace", "path": f"/{k}", "value": str(v)} for k, v in want_auth.items()
                          if k not in ("name", "providerARNs") and live_auth.get(k) != v]
            if want_auth.get("providerARNs") is not None and live_auth.get("providerARNs") != want_auth["providerARNs"]:
                def recreate_auth(apigw: Any, api_id: str, want_auth: dict = want_auth, old: str = live_auth["id"]) -> None:
                    _detach_authorizer(apigw, api_id, live, old)
                    apigw.delete_authorizer(restApiId=api_id, authorizerId=old)
                    holder["id"] = create_authorizer(apigw, api_id, want_auth)
                ops.append(("authorizer", "replace (provider ARNs changed)", recreate_auth))
            elif patch_auth:
                ops.append(("authorizer", ", ".join(p["path"].lstrip("/") for p in patch_auth),
                            lambda apigw, api_id, p=patch_auth, a=live_auth["id"]: apigw.update_authorizer(restApiId=api_id, authorizerId=a, patchOperations=p)))

    # the proxy methods
    auth_type = common.method_authorization(want.settings)
    for path in ("/", "/{proxy+}"):
        resource = live.resources.get(path)
        if resource is None:
            continue  # made by the stack; a missing one means the stack is wrong, which the template diff shows
        method = (resource.get("resourceMethods") or {}).get("ANY")
        integration = (method or {}).get("methodIntegration") or {}
        wrong = []
        if method is None:
            wrong.append("missing")
        else:
            if method.get("authorizationType") != auth_type:
                wrong.append(f"authorizationType {method.get('authorizationType')} -> {auth_type}")
            if bool(method.get("apiKeyRequired")) != bool(want.settings.api_key_required):
                wrong.append(f"apiKeyRequired -> {bool(want.settings.api_key_required)}")
            if want_auth is not None and (not method.get("authorizerId") or method.get("authorizerId") != holder["id"]):
                wrong.append("authorizer")
            if want_auth is None and method.get("authorizerId"):
                wrong.append("authorizer removed")
            if integration.get("type") != "AWS_PROXY" or integration.get("uri") != want.integration_uri:
                wrong.append("integration")
        if wrong:
            ops.append((f"method ANY {path}", ", ".join(wrong),
                        lambda apigw, api_id, rid=resource["id"], present=method is not None, path=path:
                        _put_proxy_method(apigw, api_id, rid, present, path, want, auth_type, holder)))
        cors_method = (resource.get("resourceMethods") or {}).get("OPTIONS")
        if want.cors is not None and not _cors_matches(cors_method, want.cors):
            ops.append((f"method OPTIONS {path}", "CORS preflight",
                        lambda apigw, api_id, rid=resource["id"], present=cors_method is not None:
                        _put_cors_method(apigw, api_id, rid, present, want.cors)))
        elif want.cors is None and cors_method is not None:
            ops.append((f"method OPTIONS {path}", "remove CORS preflight",
                        lambda apigw, api_id, rid=resource["id"]: apigw.delete_method(restApiId=api_id, resourceId=rid, httpMethod="OPTIONS")))

    if want_auth is None and live_auth is not None:
        ops.append(("authorizer", "remove",
                    lambda apigw, api_id, a=live_auth["id"]: apigw.delete_authorizer(restApiId=api_id, authorizerId=a)))
    return ops


def create_authorizer(apigw: Any, api_id: str, want: dict[str, Any]) -> str:
    created = apigw.create_authorizer(restApiId=api_id, **want)
    expression = want.get("identityValidationExpression")
    if expression and created.get("identityValidationExpression") != expression:
        # moto drops the expression on create (it keeps it on update)
        apigw.update_authorizer(restApiId=api_id, authorizerId=created["id"], patchOperations=[
            {"op": "replace", "path": "/identityValidationExpression", "value": expression}])
    return created["id"]


def _detach_authorizer(apigw: Any, api_id: str, live: Live, authorizer_id: str) -> None:
    for resource in live.resources.values():
        method = (resource.get("resourceMethods") or {}).get("ANY")
        if method and method.get("authorizerId") == authorizer_id:
            apigw.delete_method(restApiId=api_id, resourceId=resource["id"], httpMethod="ANY")


def _put_proxy_method(apigw: Any, api_id: str, resource_id: str, present: bool, path: str, want: Desired,
                      auth_type: str, holder: dict[str, Any]) -> None:
    if present:
        try:
            apigw.delete_method(restApiId=api_id, resourceId=resource_id, httpMethod="ANY")
        except Exception as exc:
            if not is_not_found(exc):
                raise
    kwargs: dict[str, Any] = {"restApiId": api_id, "resourceId": resource_id, "httpMethod": "ANY",
                              "authorizationType": auth_type, "apiKeyRequired": bool(want.settings.api_key_required)}
    if want.authorizer is not None and holder.get("id"):
        kwargs["authorizerId"] = holder["id"]
    if path != "/":
        kwargs["requestParameters"] = {"method.request.path.proxy": True}
    apigw.put_method(**kwargs)
    integration: dict[str, Any] = {"restApiId": api_id, "resourceId": resource_id, "httpMethod": "ANY", "type": "AWS_PROXY",
                                   "integrationHttpMethod": "POST", "uri": want.integration_uri, "passthroughBehavior": "NEVER"}
    if path != "/":
        integration["requestParameters"] = {"integration.request.path.proxy": "method.request.path.proxy"}
        integration["cacheKeyParameters"] = ["method.request.path.proxy"]
        integration["cacheNamespace"] = resource_id
    apigw.put_integration(**integration)


def _cors_matches(method: dict[str, Any] | None, headers: dict[str, str]) -> bool:
    if not method:
        return False
    integration = method.get("methodIntegration") or {}
    if integration.get("type") != "MOCK":
        return False
    response = (integration.get("integrationResponses") or {}).get("200") or {}
    want = {f"method.response.header.{k}": f"'{v}'" for k, v in headers.items()}
    return (response.get("responseParameters") or {}) == want


def _put_cors_method(apigw: Any, api_id: str, resource_id: str, present: bool, headers: dict[str, str]) -> None:
    if present:
        try:
            apigw.delete_method(restApiId=api_id, resourceId=resource_id, httpMethod="OPTIONS")
        except Exception as exc:
            if not is_not_found(exc):
                raise
    apigw.put_method(restApiId=api_id, resourceId=resource_id, httpMethod="OPTIONS", authorizationType="NONE", apiKeyRequired=False)
    apigw.put_method_response(restApiId=api_id, resourceId=resource_id, httpMethod="OPTIONS", statusCode="200",
                              responseModels={"application/json": "Empty"},
                              responseParameters={f"method.response.header.{k}": False for k in headers})
    apigw.put_integration(restApiId=api_id, resourceId=resource_id, httpMethod="OPTIONS", type="MOCK",
                          integrationHttpMethod="OPTIONS", passthroughBehavior="WHEN_NO_MATCH",
                          requestTemplates={"application/json": '{"statusCode": 200}'})
    apigw.put_integration_response(restApiId=api_id, resourceId=resource_id, httpMethod="OPTIONS", statusCode="200",
                                   responseTemplates={"application/json": ""},
                                   responseParameters={f"method.response.header.{k}": f"'{v}'" for k, v in headers.items()})
