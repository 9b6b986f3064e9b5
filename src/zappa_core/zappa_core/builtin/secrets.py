"""Default plugin: secrets from Parameter Store and Secrets Manager (settings, role permissions, the plan's
check and ``zappa secrets``); see :mod:`zappa_core.secrets`."""

from __future__ import annotations

from zappa_core.hookspecs import hookimpl
from zappa_core.records import CliCommand, SettingsSection


@hookimpl
def zappa_settings_sections():
    from zappa_core.secrets.settings import SecretsSettings

    return SettingsSection(name="secrets", model=SecretsSettings, description="secrets from Parameter Store and Secrets Manager")


@hookimpl
def zappa_validate_settings(settings):
    from zappa_core.secrets.settings import secrets_problems

    return secrets_problems(settings)


@hookimpl
def zappa_plan_resources(settings, context):
    from zappa_core.secrets.step import SecretsStep

    return [SecretsStep(settings)]


@hookimpl
def zappa_cli_commands():
    return [CliCommand(name="secrets", app="zappa_core.secrets.cli:app",
                       help="Set, read and list the stage's own secrets in Parameter Store.")]
