"""Default plugin: the core's packaging (filled in by the packaging capability)."""

from __future__ import annotations
