"""front commands."""

from __future__ import annotations

from zappa_core.errors import NotImplementedYet


def template(ctx, **options):
    raise NotImplementedYet("template")


def certify(ctx, **options):
    raise NotImplementedYet("certify")
