"""``zappa plugins``: what is installed and which hooks each plugin implements."""

from __future__ import annotations

from dataclasses import asdict


def plugins(ctx, **options):
    from zappa_core.plugins import plugin_infos

    infos = plugin_infos(ctx.pm)
    if ctx.json:
        ctx.emit_json([asdict(i) for i in infos])
        return 0
    from rich.console import Console
    from rich.table import Table

    table = Table("name", "distribution", "version", "hooks", box=None)
    for info in infos:
        table.add_row(info.name, info.distribution, info.version, ", ".join(info.hooks))
    Console(width=200).print(table)
    return 0
