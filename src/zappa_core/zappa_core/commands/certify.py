"""certify command."""

from __future__ import annotations

from zappa_core.errors import NotImplementedYet


def certify(ctx, **options):
    raise NotImplementedYet("certify")
