"""Default plugin: the core's settings section and the JSON/YAML/TOML settings file readers."""

from __future__ import annotations

from zappa_core.hookspecs import hookimpl
from zappa_core.records import SettingsProblem, SettingsSection


@hookimpl
def zappa_settings_sections():
    from zappa_core.settings.core_models import CoreSettings

    return SettingsSection(name="core", model=CoreSettings, description="Lambda, IAM, packaging, environment")


@hookimpl(trylast=True)
def zappa_load_settings_file(path):
    from zappa_core.settings.files import load_file

    if path.suffix.lower() in (".json", ".yml", ".yaml", ".toml"):
        return load_file(path)
    return None


@hookimpl
def zappa_validate_settings(settings):
    problems = []
    if settings.app_function and settings.django_settings:
        problems.append(SettingsProblem("set either 'app_function' or 'django_settings', not both", key="django_settings"))
    size = settings.ephemeral_storage.get("Size", 512)
    if not 512 <= size <= 10240:
        problems.append(SettingsProblem(f"ephemeral storage Size must be 512 to 10240 MB, not {size}", key="ephemeral_storage"))
    if settings.efs_config and not settings.vpc_config:
        problems.append(SettingsProblem("'efs_config' needs 'vpc_config'", key="efs_config"))
    for key in settings.environment_variables:
        if not key.isascii():
            problems.append(SettingsProblem(f"environment variable names must be ASCII: {key!r}", key="environment_variables"))
    if not settings.manage_roles and not (settings.role_name or settings.role_arn):
        problems.append(SettingsProblem("'manage_roles: false' needs 'role_name' or 'role_arn'", key="manage_roles"))
    provisioned, reserved = settings.provisioned_concurrency, settings.lambda_concurrency
    if provisioned and reserved is not None and provisioned > reserved:  # Lambda refuses it
        problems.append(SettingsProblem(f"{provisioned} is more than the function's reserved concurrency "
                                        f"(lambda_concurrency: {reserved})", key="provisioned_concurrency"))
    return problems
