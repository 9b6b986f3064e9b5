"""The Lambda function's configuration as ``core:function`` compares it: every key's value as the settings want
it and as the function has it, the keys that differ, the plan's lines about them and the API parameters that
set them."""

from __future__ import annotations

from typing import Any

from zappa_core.plan import DeployContext
from zappa_core.resources import environment
from zappa_core.resources.image import image_uri, zip_only_removed
from zappa_core.resources.layer import function_layers

# Lambda configuration key -> the Zappa setting it comes from (for plan details).
SETTING_OF = {
    "Role": "role", "Handler": "lambda_handler", "Runtime": "runtime", "Description": "lambda_description",
    "Timeout": "timeout_seconds", "MemorySize": "memory_size", "EphemeralStorage": "ephemeral_storage",
    "Layers": "layers", "VpcConfig": "vpc_config", "DeadLetterConfig": "dead_letter_arn",
    "KMSKeyArn": "aws_kms_key_arn", "TracingConfig": "xray_tracing", "Environment": "environment",
    "SnapStart": "snap_start", "FileSystemConfigs": "efs_config",
}


def efs_configs(settings: Any) -> list[dict]:
    efs = settings.efs_config
    if not efs or efs is True:
        return []
    items = efs if isinstance(efs, list) else [efs]
    out = []
    for item in items:
        if isinstance(item, dict) and item.get("Arn"):
            out.append({"Arn": item["Arn"], "LocalMountPath": item.get("LocalMountPath", "/mnt/efs")})
        elif isinstance(item, dict) and item.get("arn"):
            out.append({"Arn": item["arn"], "LocalMountPath": item.get("mount_point", item.get("local_mount_path", "/mnt/efs"))})
    return out


def desired_values(ctx: DeployContext, remote_env: dict[str, str], remote_tags: dict[str, str] | None = None) -> dict[str, Any]:
    """The comparable value of every configuration key, as the settings want it (``remote_tags``: the
    function's tags, which name the variables zappa set before)."""
    s = ctx.settings
    env = environment.desired(s, remote_env, remote_tags)
    role_arn = (ctx.outputs.get("core:role") or {}).get("role_arn")
    vpc = s.vpc_config or {}
    values: dict[str, Any] = {
        "Role": role_arn,
        "Handler": s.lambda_handler,
        "Runtime": s.runtime,
        "Description": s.lambda_description,
        "Timeout": int(s.timeout_seconds),
        "MemorySize": int(s.memory_size),
        "EphemeralStorage": int((s.ephemeral_storage or {}).get("Size", 512)),
        "Layers": function_layers(ctx),
        "VpcConfig": (tuple(sorted(vpc.get("SubnetIds", []) or [])), tuple(sorted(vpc.get("SecurityGroupIds", []) or []))),
        "DeadLetterConfig": s.dead_letter_arn or "",
        "KMSKeyArn": s.aws_kms_key_arn or "",
        "TracingConfig": "Active" if s.xray_tracing else "PassThrough",
        "Environment": env,
        "SnapStart": s.snap_start if s.snap_start and s.snap_start != "None" else "None",
        "FileSystemConfigs": tuple(sorted((c["Arn"], c["LocalMountPath"]) for c in efs_configs(s))),
    }
    return zip_only_removed(values) if image_uri(ctx) else values


def current_values(conf: dict) -> dict[str, Any]:
    vpc = conf.get("VpcConfig") or {}
    return {
        "Role": conf.get("Role"),
        "Handler": conf.get("Handler"),
        "Runtime": conf.get("Runtime"),
        "Description": conf.get("Description", ""),
        "Timeout": conf.get("Timeout"),
        "MemorySize": conf.get("MemorySize"),
        "EphemeralStorage": int((conf.get("EphemeralStorage") or {}).get("Size", 512)),
        "Layers": tuple(layer.get("Arn") for layer in conf.get("Layers") or []),
        "VpcConfig": (tuple(sorted(vpc.get("SubnetIds", []) or [])), tuple(sorted(vpc.get("SecurityGroupIds", []) or []))),
        "DeadLetterConfig": (conf.get("DeadLetterConfig") or {}).get("TargetArn", "") or "",
        "KMSKeyArn": conf.get("KMSKeyArn") or "",
        "TracingConfig": (conf.get("TracingConfig") or {}).get("Mode", "PassThrough"),
        "Environment": dict((conf.get("Environment") or {}).get("Variables") or {}),
        "SnapStart": (conf.get("SnapStart") or {}).get("ApplyOn", "None") or "None",
        "FileSystemConfigs": tuple(sorted((c.get("Arn"), c.get("LocalMountPath")) for c in conf.get("FileSystemConfigs") or [])),
    }


def to_params(values: dict[str, Any], keys: list[str]) -> dict[str, Any]:
    """API parameters for ``create_function``/``update_function_configuration`` from comparable values."""
    params: dict[str, Any] = {}
    for key in keys:
        value = values[key]
        if key == "EphemeralStorage":
            params[key] = {"Size": value}
        elif key == "Layers":
            params[key] = list(value)
        elif key == "VpcConfig":
            params[key] = {"SubnetIds": list(value[0]), "SecurityGroupIds": list(value[1])}
        elif key == "DeadLetterConfig":
            params[key] = {"TargetArn": value}
        elif key == "TracingConfig":
            params[key] = {"Mode": value}
        elif key == "Environment":
            params[key] = {"Variables": dict(value)}
        elif key == "SnapStart":
            params[key] = {"ApplyOn": value}
        elif key == "FileSystemConfigs":
            params[key] = [{"Arn": arn, "LocalMountPath": path} for arn, path in value]
        else:
            params[key] = value
    return params


def diff_values(current: dict[str, Any], desired: dict[str, Any]) -> list[str]:
    keys = []
    for key, want in desired.items():
        if key == "Role" and want is None:
            continue
        if current.get(key) != want:
            keys.append(key)
    return keys


def describe_diff(current: dict[str, Any], desired: dict[str, Any], keys: list[str]) -> list[str]:
    lines = []
    for key in keys:
        name = SETTING_OF.get(key, key)
        if key == "Environment":
            old, new = current.get(key) or {}, desired[key]
            changed = [f"{k} {'changed' if k in old else 'added'}" for k in sorted(new) if old.get(k) != new[k]]
            lines.append(f"{name}: " + ", ".join(changed + [f"{k} removed" for k in sorted(old) if k not in new]))
        elif key == "VpcConfig":
            lines.append(f"{name}: subnets {list(current[key][0])} -> {list(desired[key][0])}, "
                         f"security groups {list(current[key][1])} -> {list(desired[key][1])}")
        else:
            old, new = current.get(key), desired[key]
            lines.append(f"{name}: {show_value(old)} -> {show_value(new)}")
    return lines


def show_value(value: Any) -> str:
    if isinstance(value, tuple):
        return "[" + ", ".join(str(v) for v in value) + "]"
    if value in ("", None):
        return "(none)"
    return str(value)
