"""``secrets`` and ``secrets_path``: strict checks of the references before any AWS call (exit 2 with every
problem), the role's permissions (none without secrets) and ``zappa secrets set`` refusing to run without a
place for the variable. The end-to-end use is in tests/core/local/test_local_secrets.py (the runtime side: tests/runtime/test_runtime_secrets.py)."""

from __future__ import annotations

import pytest
from zappa_core.secrets.step import SecretsStep
from zappa_core.settings import SettingsError


def problems(zappa_stage, settings: dict) -> list[str]:
    with pytest.raises(SettingsError) as failed:
        zappa_stage(settings)
    return [f"{p.where}: {p.message}" for p in failed.value.problems]


def test_every_bad_reference_is_reported_at_once_with_what_was_meant(zappa_stage):
    found = problems(zappa_stage, {
        "environment_variables": {"MODE": "x"},
        "secrets": {"A": "secretmanager:prod/stripe", "B": "ssm://app/key", "C": "ssm:app/key", "D": "prod/stripe",
                    "E": "secretsmanager:prod/stripe#", "AWS_SECRET_ACCESS_KEY": "ssm:/k", "1X": "ssm:/k",
                    "MODE": "ssm:/app/mode", "F": "ssm:/app/key:bad label", "G": "secretsmanager:arn:aws:s3:::b"},
        "secrets_path": ["/", "app/prod", "/app/prod/", "/app/prod"]})
    assert found == [
        "secrets.A: 'secretmanager:prod/stripe' is not a reference: did you mean \"secretsmanager:prod/stripe\"?",
        "secrets.B: 'ssm://app/key': write ssm:/name (one slash): a parameter name is not a URL",
        "secrets.C: 'ssm:app/key': a parameter name with a path begins with '/': /app/key",
        "secrets.D: 'prod/stripe' is not a reference: write \"ssm:/parameter/name\", \"secretsmanager:secret-name\" "
        "or \"secretsmanager:secret-name#key\"",
        "secrets.E: 'secretsmanager:prod/stripe#': after '#' comes the key of the secret's JSON object "
        "(secretsmanager:prod/stripe#api_key)",
        "secrets.AWS_SECRET_ACCESS_KEY: AWS_SECRET_ACCESS_KEY is set by Lambda itself (replacing it would break the function)",
        "secrets['1X']: a variable name holds letters, digits and '_' and does not begin with a digit",
        "secrets.MODE: MODE is also set in 'environment_variables' or 'aws_environment_variables': keep its value in one place",
        "secrets.F: 'ssm:/app/key:bad label': after ':' comes a version number or a label (ssm:/app/key:3)",
        "secrets.G: 'secretsmanager:arn:aws:s3:::b': not a Secrets Manager secret ARN "
        "(arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME-SUFFIX)",
        "secrets_path[0]: '/' would load every parameter of the account: name the stage's own path, such as \"/myapp/prod/\"",
        "secrets_path[1]: a Parameter Store path begins with '/', such as \"/myapp/prod/\", not 'app/prod'",
        "secrets_path[3]: '/app/prod' is listed twice",
    ]


def test_the_refresh_interval_is_checked_too(zappa_stage):
    assert problems(zappa_stage, {"secrets_refresh_seconds": 300}) == [
        "secrets_refresh_seconds: there is nothing to refresh: the stage has no 'secrets' or 'secrets_path'"]
    assert any(p.startswith("secrets_refresh_seconds:") for p in problems(zappa_stage, {"secrets_refresh_seconds": -5}))


def test_references_as_users_write_them_are_accepted(zappa_stage):
    settings = zappa_stage({"secrets": {
        "DB_PASSWORD": "ssm:/myapp/prod/db_password", "LEGACY": "ssm:legacy_name", "PINNED": "ssm:/myapp/prod/key:3",
        "SHARED": "ssm:/aws/reference/secretsmanager/prod/db", "STRIPE_KEY": "secretsmanager:prod/stripe#api_key",
        "BY_ARN": "secretsmanager:arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf#password"},
        "secrets_path": "/myapp/prod/", "secrets_refresh_seconds": 900})
    assert settings.secrets["PINNED"] == "ssm:/myapp/prod/key:3" and settings.secrets_refresh_seconds == 900


def test_a_stage_without_secrets_gets_no_permission_and_no_plan_line(zappa_stage):
    step = SecretsStep(zappa_stage({}))
    assert step.iam_statements(None) == []
    assert step.plan(None).empty


def test_secrets_set_without_a_place_for_the_variable_is_a_usage_error(zappa_project, zappa_cli):
    zappa_project()
    result = zappa_cli(["secrets", "set", "dev", "DB_PASSWORD"], stdin="value\n")
    assert result.returncode == 2
    assert "'DB_PASSWORD' is not one of stage 'dev''s secrets" in result.stderr
    assert "\"DB_PASSWORD\": \"ssm:/" in result.stderr and "value" not in result.stdout
