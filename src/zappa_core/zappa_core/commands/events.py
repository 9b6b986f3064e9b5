"""events commands."""

from __future__ import annotations

from zappa_core.errors import NotImplementedYet


def schedule(ctx, **options):
    raise NotImplementedYet("schedule")


def unschedule(ctx, **options):
    raise NotImplementedYet("unschedule")
