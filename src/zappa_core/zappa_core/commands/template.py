"""template command."""

from __future__ import annotations

from zappa_core.errors import NotImplementedYet


def template(ctx, **options):
    raise NotImplementedYet("template")
