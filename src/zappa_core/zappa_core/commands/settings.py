"""``zappa settings``: generate a settings file from key=value pairs, print the JSON Schema, show a stage."""

from __future__ import annotations

import json

from zappa_core.errors import NotImplementedYet


def schema(ctx, **options):
    from zappa_core.settings.schema import stage_schema

    ctx.emit_json(stage_schema(ctx.pm))
    return 0


def show(ctx, **options):
    (settings,) = ctx.stages()
    print(json.dumps(settings.to_dict(), indent=2, sort_keys=True))
    return 0


def generate(ctx, config, **options):
    raise NotImplementedYet("settings --config")
