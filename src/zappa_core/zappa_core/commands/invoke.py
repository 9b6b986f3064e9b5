"""``zappa invoke`` and ``zappa manage``: run a function, Python source or a Django management command in the
deployed function and print its result and log."""

from __future__ import annotations

import base64
import json
import sys
from typing import Any

from zappa_core.commands.stages import deploy_context, for_each_stage
from zappa_core.errors import AwsError, UsageError, ZappaError


def _invoke(ctx: Any, settings: Any, payload: dict, *, qualifier: str | None, client_context: str | None,
            no_color: bool) -> dict:
    from zappa_core.awserrors import is_aws_error, is_not_found
    from zappa_core.engine import describe_aws_error

    dctx = deploy_context(ctx, settings, "invoke")
    kwargs: dict[str, Any] = {"FunctionName": settings.function_name, "InvocationType": "RequestResponse",
                              "LogType": "Tail", "Payload": json.dumps(payload).encode()}
    if qualifier:
        kwargs["Qualifier"] = qualifier
    if client_context:
        kwargs["ClientContext"] = base64.b64encode(client_context.encode()).decode()
    try:
        response = dctx.aws.client("lambda").invoke(**kwargs)
    except Exception as exc:
        if is_aws_error(exc) and is_not_found(exc):
            raise ZappaError(f"stage '{settings.stage}' is not deployed (no function {settings.function_name})") from exc
        if is_aws_error(exc):
            raise AwsError(f"invoke {settings.function_name}: {describe_aws_error(exc)}") from exc
        raise
    body = response["Payload"].read().decode("utf-8", "replace")
    log = base64.b64decode(response["LogResult"]).decode("utf-8", "replace") if response.get("LogResult") else ""
    try:
        result: Any = json.loads(body) if body else None
    except ValueError:
        result = body
    error = response.get("FunctionError")
    out = {"stage": settings.stage, "status_code": response.get("StatusCode"), "function_error": error,
           "log": log, "result": result}
    if not ctx.json:
        from zappa_core.commands import invoke_output

        failure = result if error and invoke_output.is_error_payload(result) else None
        if log and not ctx.quiet:
            print("\n".join(invoke_output.log_lines(log, not no_color, failure)))
        if failure:
            lines = invoke_output.app_traceback(failure)
            if lines:
                print("\n".join(lines), file=sys.stderr)
        else:
            print(result if isinstance(result, str) else json.dumps(result, indent=2))
    if error:
        if ctx.json:
            ctx.emit_json(out)
        from zappa_core.commands.invoke_output import error_message

        raise ZappaError(error_message(result, error))
    return out


def invoke(ctx: Any, function_path: str | None = None, raw: bool = False, no_color: bool = False,
           client_context: str | None = None, qualifier: str | None = None, payload: str | None = None, **_: Any) -> int:
    if payload is not None:
        try:
            event = json.loads(payload)
        except ValueError as exc:
            raise UsageError(f"--payload is not JSON: {exc}") from exc
    elif function_path and raw:
        event = {"raw_command": function_path}
    elif function_path:
        event = {"command": function_path}
    else:
        raise UsageError("give FUNCTION_PATH (module.function), --raw \"python source\" or --payload JSON")
    return for_each_stage(ctx, "invoke", lambda s: _invoke(ctx, s, event, qualifier=qualifier,
                                                           client_context=client_context, no_color=no_color))


def manage(ctx: Any, command_rest: list[str] | None = None, no_color: bool = False, client_context: str | None = None,
           qualifier: str | None = None, **_: Any) -> int:
    words = [w for part in (command_rest or []) for w in part.split()]
    if not words:
        raise UsageError("give the management command, e.g. zappa manage dev \"migrate --noinput\"")

    def run(settings: Any) -> dict:
        if not settings.django_settings:
            raise UsageError(f"stage '{settings.stage}': 'manage' is for Django projects ('django_settings' is not set)")
        return _invoke(ctx, settings, {"manage": " ".join(words)}, qualifier=qualifier,
                       client_context=client_context, no_color=no_color)

    return for_each_stage(ctx, "manage", run)
