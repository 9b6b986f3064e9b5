"""package commands."""

from __future__ import annotations

from zappa_core.errors import NotImplementedYet


def package(ctx, **options):
    raise NotImplementedYet("package")
