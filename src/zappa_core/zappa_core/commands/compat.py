"""Zappa commands kept for compatibility: ``save-python-settings-file`` (the settings module of a container image)."""

from __future__ import annotations

from zappa_core.errors import UsageError


def save_python_settings_file(ctx, output_path: str | None = None, **options) -> int:
    """Write ``zappa_settings.py`` (the stage's frozen settings, read by the runtime in a container image)."""
    from zappa_core.packaging.python_settings import write_settings_module
    from zappa_core.resources.image import check_image_settings

    stages = ctx.stages()
    if len(stages) > 1:
        raise UsageError("an image holds the settings of one stage: give one stage, not --all")
    settings = stages[0]
    check_image_settings(settings)
    path, needs = write_settings_module(settings, output_path, ctx.pm)
    ctx.echo(f"Wrote {path}: the settings of stage '{settings.stage}' for a container image.")
    ctx.echo("The image needs it in its task root, and: " + ", ".join(needs)
             + " (the plugins' runtime modules with --no-deps); see docs/packaging.md#container-images")
    return 0
