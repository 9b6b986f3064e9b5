"""``zappa plugins``: what is installed and which hooks each plugin implements."""

from __future__ import annotations

from dataclasses import asdict


def plugins(ctx, **options):
    from zappa_core.plugins import plugin_infos

    infos = plugin_infos(ctx.pm)
    if ctx.json:
        ctx.emit_json([asdict(i) for i in infos])
        return 0
    rows = [("name", "distribution", "version", "hooks")]
    rows += [(i.name, i.distribution, i.version or "-", ", ".join(i.hooks) or "-") for i in infos]
    widths = [max(len(row[c]) for row in rows) for c in range(3)]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True)) + "  " + row[3])
    return 0
