"""init commands."""

from __future__ import annotations

from zappa_core.errors import NotImplementedYet


def init(ctx, **options):
    raise NotImplementedYet("init")
