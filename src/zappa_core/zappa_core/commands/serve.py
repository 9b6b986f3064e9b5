"""serve commands."""

from __future__ import annotations

from zappa_core.errors import NotImplementedYet


def serve(ctx, **options):
    raise NotImplementedYet("serve")
