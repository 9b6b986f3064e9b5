"""Small records shared by the runtime and its plugins."""

from __future__ import annotations

from typing import Any, NamedTuple


class Handled(NamedTuple):
    """The result of an event a runtime plugin recognised (``value`` may be ``None``)."""

    value: Any
