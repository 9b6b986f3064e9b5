"""Writing, reading and listing the stage's secrets for ``zappa secrets`` (AWS errors become exit 1)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from zappa_core.awserrors import error_code, is_aws_error, is_not_found
from zappa_core.errors import AwsError


def _aws(what: str, fn: Callable[[], Any]) -> Any:
    from zappa_core.engine import describe_aws_error

    try:
        return fn()
    except Exception as exc:
        if not is_aws_error(exc):
            raise
        raise AwsError(f"{what}: {describe_aws_error(exc)}") from exc


def _missing(exc: BaseException) -> bool:
    return error_code(exc) in ("ParameterNotFound", "ResourceNotFoundException") or is_not_found(exc)


def write(aws: Any, settings: Any, ref: Any, value: str, *, kind: str = "SecureString", kms_key: str | None = None) -> str:
    """Store ``value`` at ``ref``; returns the line to print (which never holds the value)."""
    tags = [{"Key": "ZappaProject", "Value": settings.zappa_project_tag}]
    if ref.service == "ssm":
        ssm = aws.client("ssm")
        args: dict[str, Any] = {"Name": ref.name, "Value": value, "Type": kind, **({"KeyId": kms_key} if kms_key else {})}
        try:
            version = ssm.put_parameter(**args, Tags=tags)["Version"]
        except Exception as exc:
            if error_code(exc) != "ParameterAlreadyExists":
                raise AwsError(f"setting {ref.text}: {exc}") from exc
            version = _aws(f"setting {ref.text}", lambda: ssm.put_parameter(**args, Overwrite=True)["Version"])
        return f"set {ref.text} ({kind}, version {version}); containers read it at their next cold start or refresh"
    client = aws.client("secretsmanager")
    text = value
    exists = True
    try:
        current = client.get_secret_value(SecretId=ref.name).get("SecretString")
    except Exception as exc:
        if not _missing(exc):
            raise AwsError(f"reading {ref.text}: {exc}") from exc
        exists, current = False, None
    if ref.key is not None:
        try:
            data = json.loads(current) if current else {}
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise AwsError(f"secret {ref.name} does not hold a JSON object, so key {ref.key!r} cannot be set in it")
        data[ref.key] = value
        text = json.dumps(data)
    if exists:
        _aws(f"setting {ref.text}", lambda: client.put_secret_value(SecretId=ref.name, SecretString=text))
    else:
        _aws(f"creating {ref.text}", lambda: client.create_secret(
            Name=ref.name, SecretString=text, Tags=tags, **({"KmsKeyId": kms_key} if kms_key else {})))
    return f"set {ref.text}; containers read it at their next cold start or refresh"


def read(aws: Any, ref: Any) -> str:
    if ref.service == "ssm":
        ssm = aws.client("ssm")
        return _aws(f"reading {ref.text}", lambda: ssm.get_parameter(Name=ref.request_name, WithDecryption=True))["Parameter"]["Value"]
    answer = _aws(f"reading {ref.text}", lambda: aws.client("secretsmanager").get_secret_value(SecretId=ref.name))
    text = answer.get("SecretString") or ""
    if ref.key is None:
        return text
    try:
        value = json.loads(text)[ref.key]
    except (ValueError, KeyError, TypeError):
        raise AwsError(f"secret {ref.name} has no key {ref.key!r}") from None
    return value if isinstance(value, str) else json.dumps(value)


def inventory(aws: Any, settings: Any) -> list[dict]:
    """One row per variable: ``variable``, ``reference``, ``exists``, ``type``, ``last_changed`` (no value)."""
    from zappa_runtime.secret_refs import parse_reference, variable_of
    from zappa_runtime.secrets import paths_of

    ssm = aws.client("ssm")
    rows = []
    for path in paths_of({"secrets_path": settings.secrets_path}):
        pages = _aws(f"listing {path}", lambda p=path: list(ssm.get_paginator("describe_parameters").paginate(
            ParameterFilters=[{"Key": "Path", "Option": "OneLevel", "Values": [p]}])))
        for parameter in sorted((p for page in pages for p in page.get("Parameters", [])), key=lambda p: p["Name"]):
            rows.append({"variable": variable_of(parameter["Name"]), "reference": f"ssm:{parameter['Name']}", "exists": True,
                         "type": parameter.get("Type"), "last_changed": parameter.get("LastModifiedDate")})
    for variable, text in sorted((settings.secrets or {}).items()):
        ref = parse_reference(text)
        row = {"variable": variable, "reference": text, "exists": False, "type": None, "last_changed": None}
        if ref.service == "ssm":
            found = _aws(f"describing {text}", lambda r=ref: ssm.describe_parameters(
                ParameterFilters=[{"Key": "Name", "Option": "Equals", "Values": [r.name]}]).get("Parameters", []))
            if found:
                row.update(exists=True, type=found[0].get("Type"), last_changed=found[0].get("LastModifiedDate"))
        else:
            try:
                described = aws.client("secretsmanager").describe_secret(SecretId=ref.name)
                row.update(exists=True, type="secret" + (f" (key {ref.key})" if ref.key else ""),
                           last_changed=described.get("LastChangedDate"))
            except Exception as exc:
                if not (is_aws_error(exc) and _missing(exc)):
                    raise AwsError(f"describing {text}: {exc}") from exc
        rows.append(row)
    return rows
