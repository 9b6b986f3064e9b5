"""Default plugin: the core's resources (filled in by the resources capability)."""

from __future__ import annotations
