"""Default plugin: the core's resource steps (role, bucket, code, log group, function) and the checks of
the settings they use (policy files), which run before any AWS call."""

from __future__ import annotations

import json
from pathlib import Path

from zappa_core.hookspecs import hookimpl
from zappa_core.records import SettingsProblem


@hookimpl
def zappa_plan_resources(settings, context):
    from zappa_core.resources import core_steps

    return core_steps(settings, context)


@hookimpl
def zappa_validate_settings(settings):
    problems = []
    for key in ("assume_policy", "attach_policy"):
        value = getattr(settings, key, None)
        if not value:
            continue
        path = Path(value)
        if not path.is_absolute():
            path = Path(settings.project_dir) / path
        try:
            doc = json.loads(path.read_text())
        except FileNotFoundError:
            problems.append(SettingsProblem(f"policy file not found: {path}", key=key))
            continue
        except (OSError, ValueError) as exc:
            problems.append(SettingsProblem(f"not a JSON policy document: {path}: {exc}", key=key))
            continue
        if not isinstance(doc, dict) or "Statement" not in doc:
            problems.append(SettingsProblem(f"{path} has no 'Statement': not an IAM policy document", key=key))
    for i, statement in enumerate(getattr(settings, "extra_permissions", None) or []):
        if not isinstance(statement, dict) or "Effect" not in statement or ("Action" not in statement and "NotAction" not in statement):
            problems.append(SettingsProblem("not an IAM statement: it needs 'Effect' and 'Action' (or 'NotAction')",
                                            key="extra_permissions", path=(i,)))
    return problems
