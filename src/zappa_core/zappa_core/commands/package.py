"""``zappa package STAGE -o FILE``: build the Lambda package without deploying it."""

from __future__ import annotations

from pathlib import Path

from zappa_core.packaging.context import PackageContext


def _mib(size: int) -> str:
    return f"{size / 1048576:.2f} MiB" if size >= 104858 else f"{size / 1024:.1f} KiB"


def summary(package, context: PackageContext) -> str:
    d = package.details
    state = "unchanged" if d.get("unchanged") else "written"
    line = (f"{package.path.name} {state} in {d.get('seconds', 0):.1f} s: {package.files} files, {_mib(package.size)} "
            f"({_mib(d.get('unpacked', 0))} unpacked), sha256 {package.sha256[:12]}")
    if d.get("fetched"):  # the dependency rule was printed just before; what had to be downloaded was not
        line += f"; downloaded {', '.join(d['fetched'])}"
    if package.layer is not None:
        layer = package.layer
        line += (f"\n{layer.path.name} {'unchanged' if layer.details.get('unchanged') else 'written'}: "
                 f"{layer.files} files, {_mib(layer.size)}, sha256 {layer.sha256[:16]} (dependencies layer)")
    if d.get("slim_archive"):
        line += (f"\n{Path(d['slim_archive']).name} {'unchanged' if d.get('slim_archive_unchanged') else 'written'}: "
                 f"{_mib(d['slim_archive_size'])}, sha256 {d['slim_archive_sha256'][:16]} "
                 f"(slim_handler project archive, for {d['slim_archive_url']})")
    return line


def package(ctx, output=None, **options):
    stages = ctx.stages()
    if output and len(stages) > 1:
        from zappa_core.errors import UsageError

        raise UsageError("-o names one file: package one stage at a time")
    from zappa_core.callbacks import CallbackTarget, run_callback

    for settings in stages:
        callback_target = CallbackTarget(ctx, settings, "package")
        settings = run_callback(settings, "settings", callback_target)  # a settings callback may change them
        target = Path(output) if output else settings.project_dir / f"{settings.function_name}.zip"
        context = PackageContext(
            project_dir=settings.project_dir, output=target, quiet=ctx.quiet or ctx.json, echo=ctx.echo, pm=ctx.pm,
            command=callback_target, progress=not ctx.options.get("disable_progress"),
        )
        built = ctx.pm.hook.zappa_build_package(settings=settings, context=context)
        if ctx.json:
            ctx.emit_json({"stage": settings.stage, "path": str(built.path), "sha256": built.sha256,
                           "size": built.size, "files": built.files, **built.details,
                           "layer": None if built.layer is None else {"path": str(built.layer.path),
                                                                      "sha256": built.layer.sha256,
                                                                      "size": built.layer.size}})
        else:
            ctx.echo(summary(built, context))
    return 0
