"""The settings of the stage's secrets and the checks of their references (before any AWS call)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from zappa_core.records import SettingsProblem
from zappa_core.settings.core_models import Strict


class SecretsSettings(Strict):
    secrets: dict[str, str] = Field(default_factory=dict, description="Environment variables read at cold start from Parameter Store (`\"DB_PASSWORD\": \"ssm:/myapp/prod/db_password\"`) or Secrets Manager (`\"secretsmanager:prod/stripe\"`, or one key of a JSON secret: `\"secretsmanager:prod/stripe#api_key\"`). Only the references are in the package; see docs/secrets.md.")
    secrets_path: str | list[str] | None = Field(None, description="A Parameter Store path (`/myapp/prod/`), or a list of them, whose parameters are read at cold start into variables named after their last segment (`/myapp/prod/DB_PASSWORD` → `DB_PASSWORD`). Only the direct children of the path are read.")
    secrets_refresh_seconds: int = Field(0, ge=0, le=86400, description="Read the secrets again after this many seconds, at the next invocation of a warm container (0: once per container, at cold start).")


def secrets_problems(settings: Any) -> list[SettingsProblem]:
    from zappa_runtime.secret_refs import parse_path, parse_reference, variable_problem

    problems = []
    other = {**(settings.aws_environment_variables or {}), **(settings.environment_variables or {})}
    for name, text in (settings.secrets or {}).items():
        found = variable_problem(name)
        if found is None and name in other:
            found = (f"{name} is also set in 'environment_variables' or 'aws_environment_variables': "
                     "keep its value in one place")
        if found:
            problems.append(SettingsProblem(found, key="secrets", path=(name,)))
            continue
        try:
            parse_reference(text)
        except ValueError as exc:
            problems.append(SettingsProblem(str(exc), key="secrets", path=(name,)))
    value = settings.secrets_path
    paths = value if isinstance(value, list) else [value] if value is not None else []
    seen: set[str] = set()
    for index, path in enumerate(paths):
        where = (index,) if isinstance(value, list) else ()
        try:
            normal = parse_path(path)
        except ValueError as exc:
            problems.append(SettingsProblem(str(exc), key="secrets_path", path=where))
            continue
        if normal in seen:
            problems.append(SettingsProblem(f"{path!r} is listed twice", key="secrets_path", path=where))
        seen.add(normal)
    if settings.secrets_refresh_seconds and not (settings.secrets or paths):
        problems.append(SettingsProblem("there is nothing to refresh: the stage has no 'secrets' or 'secrets_path'",
                                        key="secrets_refresh_seconds"))
    return problems
