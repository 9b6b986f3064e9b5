"""Small records and errors shared by the runtime and its plugins."""

from __future__ import annotations

from typing import Any, NamedTuple


class Handled(NamedTuple):
    """The result of an event a runtime plugin recognised (``value`` may be ``None``).

    ``zappa_runtime_handle_event`` implementations return ``Handled(value)``; the runtime gives ``value`` back to
    Lambda. Returning ``None`` means "not mine".
    """

    value: Any


class UnhandledEventError(RuntimeError):
    """No runtime plugin recognised the event (the message names its top-level keys)."""


class AppNotConfiguredError(RuntimeError):
    """An HTTP event arrived but the stage has neither ``app_function`` nor ``django_settings``."""
