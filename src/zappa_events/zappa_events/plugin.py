"""Deploy-side plugin of zappa_events (registered in the `zappa` entry-point group)."""

from __future__ import annotations

from zappa_core.hookspecs import hookimpl
from zappa_core.records import SettingsSection


@hookimpl
def zappa_settings_sections():
    from zappa_events.settings import EventsSettings

    return SettingsSection(name="events", model=EventsSettings)
