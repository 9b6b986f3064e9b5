"""The record an event-source plugin returns from ``zappa_event_sources`` (re-exported by :mod:`zappa_events.api`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class EventSourceType:
    """An event-source type for the ``events`` setting.

    ``type`` names the type in plans and messages (``"s3"``, ``"sqs"``, ...); ``model`` is the pydantic model of
    one ``events`` entry of this type; ``binder(entries, settings)`` returns the
    :class:`~zappa_core.plan.ResourceStep` that makes exactly those entries (model instances, possibly none)
    real and removes what the stage has of this type that they no longer list, so applying it is idempotent.
    ``matches(entry: dict) -> bool`` tells from the shape of a raw entry whether it belongs to this type
    (Zappa's format has no explicit tag: an ARN's service or an ``expression`` key decides).
    """

    type: str
    model: type
    binder: Any
    matches: Callable[[dict], bool] | None = None
    plugin: str = ""
