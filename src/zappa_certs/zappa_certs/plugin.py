"""Deploy-side plugin of zappa_certs (registered in the `zappa` entry-point group)."""

from __future__ import annotations

from zappa_core.hookspecs import hookimpl
from zappa_core.records import SettingsProblem, SettingsSection


@hookimpl
def zappa_settings_sections():
    from zappa_certs.settings import CertsSettings

    return SettingsSection(name="certs", model=CertsSettings)


@hookimpl
def zappa_addhooks(pluginmanager):
    from zappa_certs import hookspecs

    pluginmanager.add_hookspecs(hookspecs)


@hookimpl
def zappa_certificate_providers():
    from zappa_certs.providers import PROVIDERS

    return PROVIDERS


@hookimpl
def zappa_validate_settings(settings):
    problems = []
    cert, key, chain = settings.get("certificate"), settings.get("certificate_key"), settings.get("certificate_chain")
    if cert and not key:
        problems.append(SettingsProblem("'certificate' needs 'certificate_key' (the certificate's private key)",
                                        key="certificate"))
    if (key or chain) and not cert:
        problems.append(SettingsProblem("'certificate_key' and 'certificate_chain' need 'certificate'",
                                        key="certificate_key" if key else "certificate_chain"))
    arn = settings.get("certificate_arn")
    if arn and not (arn.startswith("arn:aws") and ":acm:" in arn):
        problems.append(SettingsProblem("not an ACM certificate ARN (arn:aws:acm:REGION:ACCOUNT:certificate/ID)",
                                        key="certificate_arn"))
    return problems
