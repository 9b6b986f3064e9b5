"""Where a command's code comes from: a package built here by the ``zappa_build_package`` hook, a zip built
earlier (``--zip FILE``), one already in S3 (``--zip s3://bucket/key``) or a container image
(``--docker-image-uri``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from zappa_core.callbacks import CallbackTarget
from zappa_core.commands.stages import show_progress
from zappa_core.errors import UsageError, ZappaError
from zappa_core.resources.image import check_image_settings


def package_from_zip(path: str) -> Any:
    """A zip built earlier, with the project archive or dependencies layer that ``zappa package`` wrote beside it."""
    from zappa_core.packaging.prebuilt import prebuilt_package

    return prebuilt_package(path)


def build_package(ctx: Any, settings: Any, target: CallbackTarget) -> Any:
    """Build the stage's package with the ``zappa_build_package`` hook (the core's builder by default)."""
    from zappa_core.packaging.context import PackageContext

    pctx = PackageContext(project_dir=Path(settings.project_dir), quiet=ctx.quiet or ctx.json, echo=ctx.echo,
                          pm=ctx.pm, command=target, progress=show_progress(ctx))
    package = ctx.pm.hook.zappa_build_package(settings=settings, context=pctx)
    if package is None:
        raise ZappaError("no plugin builds packages (zappa_build_package returned nothing)",
                         hint="is the core's packaging plugin disabled (ZAPPA_DISABLE_PLUGINS)?")
    return package


def s3_zip_option(zip_arg: str | None) -> tuple[str, str] | None:
    if zip_arg and zip_arg.startswith("s3://"):
        bucket, _, key = zip_arg[len("s3://"):].partition("/")
        if not bucket or not key:
            raise UsageError(f"--zip: '{zip_arg}' is not s3://bucket/key")
        return bucket, key
    return None


def check_image_options(ctx: Any, docker_image_uri: str | None, zip: str | None) -> None:
    if not docker_image_uri:
        return
    if zip:
        raise UsageError("--docker-image-uri and --zip both give the function's code: choose one")
    if ctx.local:
        raise UsageError("the local AWS runs zip packages only: it cannot run a container image without Docker",
                         hint="deploy the zip package locally (leave out -d), or deploy the image to AWS")
    for settings in ctx.stages():
        check_image_settings(settings)
