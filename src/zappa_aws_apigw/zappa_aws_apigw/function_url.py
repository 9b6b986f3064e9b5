"""The function URL resource step (``function_url_enabled``, ``function_url_config``).

``function_url_config`` is merged over Zappa's defaults (authorizer ``NONE``, CORS ``*``). With ``NONE`` the
URL needs the public ``lambda:InvokeFunctionUrl`` permission, which the step adds and removes with the URL.
"""

from __future__ import annotations

import copy
from typing import Any

from zappa_core.arns import split_function_arn
from zappa_core.awserrors import is_not_found
from zappa_core.errors import AwsError
from zappa_core.plan import Action, Change, DeployContext, ResourceStep

from zappa_aws_apigw.common import DEFAULT_FUNCTION_URL_CONFIG
from zappa_core import lambda_permissions

PERMISSION_SID = "zappa-function-url"
#: ``function_url_config.cors`` keys (Zappa writes them camelCase) -> boto3's ``Cors`` keys.
CORS_KEYS = {
    "allowCredentials": "AllowCredentials",
    "allowHeaders": "AllowHeaders",
    "allowedHeaders": "AllowHeaders",
    "allowMethods": "AllowMethods",
    "allowedMethods": "AllowMethods",
    "allowOrigins": "AllowOrigins",
    "allowedOrigins": "AllowOrigins",
    "exposeHeaders": "ExposeHeaders",
    "exposedResponseHeaders": "ExposeHeaders",
    "maxAge": "MaxAge",
}


def function_url_config(settings: Any) -> dict[str, Any]:
    """Zappa's defaults with the user's ``function_url_config`` merged over them (``cors`` merged key by key)."""
    config = copy.deepcopy(DEFAULT_FUNCTION_URL_CONFIG)
    user = dict(settings.function_url_config or {})
    if isinstance(user.get("cors"), dict):
        config["cors"].update(user.pop("cors"))
    elif "cors" in user and not user["cors"]:
        user.pop("cors")
        config["cors"] = None
    config.update(user)
    return config


def boto_url_config(settings: Any) -> dict[str, Any]:
    """``AuthType``, ``Cors`` (and ``InvokeMode``) for ``create/update_function_url_config``."""
    config = function_url_config(settings)
    auth = str(config.get("authorizer") or config.get("auth_type") or "NONE").upper()
    out: dict[str, Any] = {"AuthType": "AWS_IAM" if auth in ("AWS_IAM", "IAM") else "NONE"}
    cors = config.get("cors")
    if cors:
        boto_cors: dict[str, Any] = {}
        for key, value in cors.items():
            name = CORS_KEYS.get(key, key[:1].upper() + key[1:])
            boto_cors[name] = value
        if not boto_cors.get("ExposeHeaders"):
            boto_cors.pop("ExposeHeaders", None)
        out["Cors"] = boto_cors
    if config.get("invoke_mode") or config.get("InvokeMode"):
        out["InvokeMode"] = config.get("invoke_mode") or config.get("InvokeMode")
    return out


def read_url_config(lam: Any, function_name: str) -> dict[str, Any] | None:
    try:
        return lam.get_function_url_config(FunctionName=function_name)
    except Exception as exc:  # noqa: BLE001 - not found means absent; any other failure is raised as AwsError
        if is_not_found(exc):
            return None
        raise AwsError(f"apigw:function-url: could not read the function URL of {function_name}: {exc}") from None


def list_url_configs(lam: Any, function_name: str) -> list[dict[str, Any]]:
    """Every function URL of the function (aliases too). moto has no ``ListFunctionUrlConfigs``: fall back
    to the unqualified URL."""
    try:
        items = []
        for page in lam.get_paginator("list_function_url_configs").paginate(FunctionName=function_name):
            items.extend(page.get("FunctionUrlConfigs", []))
        return items
    except Exception as exc:  # noqa: BLE001 - no listing (or moto lacking it) falls back to reading the one config
        if is_not_found(exc):
            return []
        found = read_url_config(lam, function_name)
        return [found] if found else []


def _cors_equal(live: dict[str, Any] | None, want: dict[str, Any] | None) -> bool:
    def norm(c: dict[str, Any] | None) -> dict[str, Any]:
        return {k: v for k, v in (c or {}).items() if v not in (None, [], False, 0)}
    return norm(live) == norm(want)


class FunctionUrlStep(ResourceStep):
    """The Lambda function URL of the stage."""

    id = "apigw:function-url"
    follows_code = False
    depends_on = ("core:function",)

    def __init__(self, settings: Any) -> None:
        self.settings = settings

    def _diff(self, live: dict[str, Any] | None, want: dict[str, Any], has_permission: bool) -> list[str]:
        if live is None:
            return [f"create function URL ({want['AuthType']})"]
        out = []
        if live.get("AuthType") != want["AuthType"]:
            out.append(f"auth type {live.get('AuthType')} -> {want['AuthType']}")
        if not _cors_equal(live.get("Cors"), want.get("Cors")):
            out.append("CORS")
        if want.get("InvokeMode") and live.get("InvokeMode") != want["InvokeMode"]:
            out.append(f"invoke mode -> {want['InvokeMode']}")
        if (want["AuthType"] == "NONE") != has_permission:
            out.append("public invoke permission " + ("add" if want["AuthType"] == "NONE" else "remove"))
        return out

    def _has_permission(self, ctx: DeployContext) -> bool:
        try:
            found = lambda_permissions.statements(ctx.aws.client("lambda"), self.settings.function_name, prefix=PERMISSION_SID)
        except Exception as exc:  # noqa: BLE001 - not found means none; any other failure is raised as AwsError
            raise AwsError(f"{self.id}: could not read the function's policy ({self.settings.function_name}): {exc}") from None
        return PERMISSION_SID in found

    def plan(self, ctx: DeployContext) -> Change:
        if not self.settings.function_url_enabled:
            return self.plan_destroy(ctx)
        lam = ctx.aws.client("lambda")
        live = read_url_config(lam, self.settings.function_name)
        want = boto_url_config(self.settings)
        details = self._diff(live, want, self._has_permission(ctx) if live else False)
        action = Action.CREATE if live is None else (Action.UPDATE if details else Action.UNCHANGED)
        return Change(self.id, action, f"function URL of {self.settings.function_name}", details)

    def apply(self, ctx: DeployContext, change: Change) -> None:
        if not self.settings.function_url_enabled:
            return self.destroy(ctx, change)
        lam = ctx.aws.client("lambda")
        name = self.settings.function_name
        want = boto_url_config(self.settings)
        live = read_url_config(lam, name)
        try:
            if live is None:
                live = lam.create_function_url_config(FunctionName=name, **want)
            elif [d for d in self._diff(live, want, True) if not d.startswith("public")]:
                kwargs = dict(want)
                if "Cors" not in kwargs:
                    kwargs["Cors"] = {}
                live = lam.update_function_url_config(FunctionName=name, **kwargs)
            has_permission = self._has_permission(ctx)
            if want["AuthType"] == "NONE" and not has_permission:
                lambda_permissions.grant(lam, name, PERMISSION_SID, "*", None, action="lambda:InvokeFunctionUrl",
                                         url_auth_type="NONE")
            elif want["AuthType"] != "NONE" and has_permission:
                lambda_permissions.revoke(lam, name, PERMISSION_SID)
        except AwsError:
            raise
        except Exception as exc:  # noqa: BLE001 - any other failure is raised as this step's AwsError
            raise AwsError(f"apigw:function-url: could not configure the function URL of {name}: {exc}") from None
        ctx.outputs[self.id] = {"url": live["FunctionUrl"], "auth_type": want["AuthType"]}
        if not ctx.local:  # locally, the gateway URL is printed from the stage status instead
            ctx.echo(f"Function URL: {live['FunctionUrl']}")

    def plan_destroy(self, ctx: DeployContext) -> Change:
        lam = ctx.aws.client("lambda")
        found = list_url_configs(lam, self.settings.function_name)
        details = [f"function URL {c.get('FunctionUrl')}" for c in found]
        if self._has_permission(ctx):
            details.append(f"lambda permission {PERMISSION_SID}")
        return Change(self.id, Action.DELETE if details else Action.UNCHANGED, f"function URL of {self.settings.function_name}", details,
                      empty=not details)

    def destroy(self, ctx: DeployContext, change: Change) -> None:
        lam = ctx.aws.client("lambda")
        name = self.settings.function_name
        for config in list_url_configs(lam, name):
            qualifier = split_function_arn(config.get("FunctionArn", ""))[1]
            kwargs = {"FunctionName": name, **({"Qualifier": qualifier} if qualifier else {})}
            try:
                lam.delete_function_url_config(**kwargs)
            except Exception as exc:  # noqa: BLE001 - not found means absent; any other failure is raised as AwsError
                if not is_not_found(exc):
                    raise AwsError(f"apigw:function-url: could not delete the function URL of {name}: {exc}") from None
        try:
            lambda_permissions.revoke(lam, name, PERMISSION_SID)
        except Exception as exc:  # noqa: BLE001 - any failure but "not found" is raised as AwsError
            raise AwsError(f"apigw:function-url: could not remove the permission {PERMISSION_SID}: {exc}") from None
