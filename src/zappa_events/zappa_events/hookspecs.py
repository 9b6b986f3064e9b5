"""The hook the events plugin publishes for event-source plugins (added through ``zappa_addhooks``).

Only the events plugin calls it: when it is not installed (or disabled), no event source is wired, and a
plugin implementing it is simply not asked.
"""

from __future__ import annotations

from typing import Any

from zappa_core.hookspecs import hookspec


@hookspec
def zappa_event_sources() -> Any:
    """Return the :class:`~zappa_events.api.EventSourceType` records (a list) this plugin provides.

    Collect: duplicate ``type`` tags across plugins are an error naming both plugins. Each type's binder
    makes its entries real in ``deploy``, ``update``, ``schedule`` and removes them in ``undeploy`` and
    ``unschedule``.
    """
