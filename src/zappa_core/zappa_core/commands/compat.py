"""Zappa commands kept for compatibility whose capability is not built yet."""

from __future__ import annotations

from zappa_core.errors import NotImplementedYet


def save_python_settings_file(ctx, **options):
    raise NotImplementedYet("save-python-settings-file")
