"""Deploy-side plugin of zappa_aws_apigw (registered in the `zappa` entry-point group)."""

from __future__ import annotations

from zappa_core.hookspecs import hookimpl
from zappa_core.records import SettingsSection


@hookimpl
def zappa_settings_sections():
    from zappa_aws_apigw.settings import ApiGatewaySettings

    return SettingsSection(name="apigw", model=ApiGatewaySettings)
