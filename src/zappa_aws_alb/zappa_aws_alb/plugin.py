"""Deploy-side plugin of zappa_aws_alb (registered in the `zappa` entry-point group)."""

from __future__ import annotations

from zappa_core.hookspecs import hookimpl
from zappa_core.records import SettingsSection


@hookimpl
def zappa_settings_sections():
    from zappa_aws_alb.settings import AlbSettings

    return SettingsSection(name="alb", model=AlbSettings)
