"""logs commands."""

from __future__ import annotations

from zappa_core.errors import NotImplementedYet


def tail(ctx, **options):
    raise NotImplementedYet("tail")
