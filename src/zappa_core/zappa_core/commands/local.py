"""local commands."""

from __future__ import annotations

from zappa_core.errors import NotImplementedYet


def start(ctx, **options):
    raise NotImplementedYet("local start")


def stop(ctx, **options):
    raise NotImplementedYet("local stop")


def status(ctx, **options):
    raise NotImplementedYet("local status")


def logs(ctx, **options):
    raise NotImplementedYet("local logs")
