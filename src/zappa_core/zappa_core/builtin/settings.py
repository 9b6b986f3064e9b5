"""Default plugin: the core's settings section and the JSON/YAML/TOML settings file readers."""

from __future__ import annotations

from zappa_core.hookspecs import hookimpl
from zappa_core.records import SettingsSection


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
    from zappa_core.settings.core_rules import core_problems

    return core_problems(settings)
