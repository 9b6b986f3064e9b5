"""``zappa settings``: generate a settings file from key=value pairs, print the JSON Schema, check the
stages, show a stage."""

from __future__ import annotations

import json
from pathlib import Path

from zappa_core.errors import UsageError


def schema(ctx, **options):
    from zappa_core.settings.schema import stage_schema

    ctx.emit_json(stage_schema(ctx.pm))
    return 0


def check(ctx, **options):
    """Validate every stage of the file (or the one named): every problem of every stage is printed at
    once (exit 2); nothing talks to AWS. With ``--json`` the problems are printed as JSON objects."""
    from dataclasses import asdict

    from zappa_core.settings import SettingsError, load_stages

    try:
        stages = load_stages([ctx.stage] if ctx.stage else None, pm=ctx.pm, settings_file=ctx.settings_file)
    except SettingsError as exc:
        if not ctx.json:
            raise
        ctx.emit_json({"valid": False, "problems": [{**asdict(p), "where": p.where, "text": str(p)} for p in exc.problems]})
        return 2
    source = next(iter(stages.values())).source if stages else None
    path = str(source.path) if source is not None else ""
    if ctx.json:
        ctx.emit_json({"valid": True, "file": path, "stages": list(stages), "problems": []})
    else:
        ctx.echo(f"{path}: {len(stages)} stage(s) valid: {', '.join(stages)}")
    return 0


def show(ctx, **options):
    (settings,) = ctx.stages()
    print(json.dumps(settings.to_dict(), indent=2, sort_keys=True))
    return 0


def generate(ctx, config, **options):
    """Zappa's ``zappa settings --config key=value --stage dev``: write or update the stage in the settings
    file (``zappa_settings.json`` when there is none). The result is validated before anything is written:
    a bad key or value leaves the file as it was and exits 2."""
    from dataclasses import replace

    from zappa_core.settings import SettingsError, load_stages
    from zappa_core.settings.files import find_settings_file
    from zappa_core.settings.writers import parse_assignment, update_file

    if not config:
        raise UsageError("nothing to write: give one or more --config key=value (or use 'zappa settings show STAGE')")
    try:
        assignments = [parse_assignment(item) for item in config]
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    cwd = Path.cwd()
    path = Path(ctx.settings_file) if ctx.settings_file else (find_settings_file(cwd) or cwd / "zappa_settings.json")
    text = update_file(path, ctx.stage, assignments)
    candidate = path.with_name(f".{path.stem}.new{path.suffix}")
    candidate.write_text(text, encoding="utf-8")
    try:
        load_stages([ctx.stage], pm=ctx.pm, settings_file=candidate, project_dir=cwd)
    except SettingsError as exc:  # report the problems against the file the user named
        raise SettingsError([replace(p, file=str(path)) if p.file else p for p in exc.problems]) from None
    finally:
        candidate.unlink()
    path.write_text(text, encoding="utf-8")
    ctx.echo(f"Wrote stage '{ctx.stage}' to {path}")
    return 0
