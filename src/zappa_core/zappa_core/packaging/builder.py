"""The core's package builder (the ``trylast`` default of ``zappa_build_package``).

One pass: run the ``prebuild_script``, collect the project's files and the dependencies' files, let
plugins add theirs (``zappa_package_include``: the runtime, ``handler.py``, the manifest,
``package_info.json``) and drop theirs (``zappa_package_exclude``), then stream every file once into a
deterministic zip. With ``slim_handler`` the project and its dependencies go into a deterministic
``.tar.gz`` and the zip holds only the runtime; with ``dependencies_layer`` the dependencies go into a
second zip under ``python/`` for a Lambda layer. Finally the ``zip`` callback runs.
"""

from __future__ import annotations

import base64
import importlib
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from zappa_core.packaging.context import PackageContext, PackagingError
from zappa_core.packaging.dependencies import collect
from zappa_core.packaging.entries import (
    Entry,
    WheelReader,
    data_entry,
    file_entry,
    merge,
)
from zappa_core.packaging.project import ProjectFiles, include_entries, matches_any_glob
from zappa_core.packaging.runtime import slim_archive_url
from zappa_core.packaging.secrets import describe as describe_secrets
from zappa_core.packaging.target import LambdaTarget
from zappa_core.packaging.zipwriter import Written, write_archive
from zappa_core.records import BuiltPackage, PackageInclude
from zappa_core.resources.archive import check_fits_tmp

LAYER_PREFIX = "python/"


def import_function(dotted: str, project_dir: Path, what: str):
    """Import ``module.function`` with the project folder first on ``sys.path``."""
    module_name, _, name = dotted.rpartition(".")
    if not module_name:
        raise PackagingError(f"{what} {dotted!r} must be a dotted path like 'module.function'")
    top = module_name.split(".")[0]
    cached = sys.modules.get(top)
    if cached is not None and not str(getattr(cached, "__file__", "") or "").startswith(str(project_dir)):
        # a module of that name from another project (a long-lived process building several)
        for stale in [n for n in sys.modules if n == top or n.startswith(top + ".")]:
            del sys.modules[stale]
    sys.path.insert(0, str(project_dir))
    try:
        importlib.invalidate_caches()
        module = importlib.import_module(module_name)
        return getattr(module, name)
    except (ImportError, AttributeError) as exc:
        raise PackagingError(f"{what} {dotted!r} cannot be imported: {exc}") from None
    finally:
        try:
            sys.path.remove(str(project_dir))
        except ValueError:
            pass


def run_prebuild(settings, context: PackageContext) -> None:
    script = settings.prebuild_script
    if not script:
        return
    function = import_function(script, context.project_dir, "prebuild_script")
    context.say(f"Running prebuild_script {script}")
    try:
        function()
    except Exception as exc:
        raise PackagingError(f"prebuild_script {script!r} failed: {type(exc).__name__}: {exc}") from exc


def run_zip_callback(settings, context: PackageContext, package: BuiltPackage) -> BuiltPackage:
    """Run ``callbacks.zip`` on the built package; a callback that rewrites the zip (as Zappa users' callbacks
    that strip files do) gets the package described again: hash, size and file count of what it left."""
    dotted = (settings.callbacks or {}).get("zip")
    if not dotted:
        return package
    from zappa_core.callbacks import CallbackTarget

    function = import_function(dotted, context.project_dir, "callbacks.zip")
    target = context.command if isinstance(context.command, CallbackTarget) else CallbackTarget(context.command, settings, "package")
    target.zip_path, target.package = str(package.path), package
    try:
        function(target)
    except Exception as exc:
        raise PackagingError(f"the zip callback {dotted!r} failed: {type(exc).__name__}: {exc}") from exc
    return _described_again(package)


def _described_again(package: BuiltPackage) -> BuiltPackage:
    import hashlib
    import zipfile

    digest = hashlib.sha256()
    with open(package.path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() == package.sha256:
        return package
    with zipfile.ZipFile(package.path) as archive:
        files = len(archive.namelist())
    details = {**package.details, "unchanged": False, "changed_by_zip_callback": True,
               "code_sha256": base64.b64encode(digest.digest()).decode()}
    return BuiltPackage(package.path, digest.hexdigest(), package.path.stat().st_size, files, layer=package.layer,
                        details=details)


def plugin_excludes(pm, settings) -> list[str]:
    patterns: list[str] = []
    for result in pm.hook.zappa_package_exclude(settings=settings):
        patterns += [result] if isinstance(result, str) else list(result or ())
    return patterns


def plugin_includes(pm, settings, context: PackageContext) -> list[Entry]:
    entries = []
    for result in pm.hook.zappa_package_include(settings=settings, context=context):
        for item in result if isinstance(result, (list, tuple)) else [result]:
            if item is None:
                continue
            entries.append(include_to_entry(item))
    return entries


def include_to_entry(item: PackageInclude, origin: str = "plugin") -> Entry:
    if item.data is not None:
        return data_entry(item.arcname, item.data, origin, item.mode)
    path = Path(item.source)
    if not path.is_file():
        raise PackagingError(f"a plugin includes {item.arcname!r} from {path}, which is not a file")
    return file_entry(item.arcname, path, origin)


def default_output(settings, context: PackageContext) -> Path:
    return context.project_dir / ".zappa" / "build" / f"{settings.function_name}.zip"


def _built(written: Written, **details: Any) -> BuiltPackage:
    code_sha256 = base64.b64encode(bytes.fromhex(written.sha256)).decode()
    return BuiltPackage(written.path, written.sha256, written.size, written.files,
                        details={"unchanged": written.unchanged, "unpacked": written.unpacked,
                                 "code_sha256": code_sha256, **details})


def compile_for(settings, context: PackageContext, target: LambdaTarget):
    """What turns a list of entries into the archive's: the ``.pyc`` files added, when this interpreter can
    compile for the target, for every module with ``compile_bytecode`` (unchecked) and else for the runtime's
    own (``context.runtime_files``: the runtime, the runtime plugins' modules and the runtime's dependencies,
    which every cold start imports; checked). Asked for and not possible: a warning, and the sources alone."""
    from zappa_core.packaging.bytecode import can_compile_for, with_bytecode

    everything = bool(getattr(settings, "compile_bytecode", False))
    if not can_compile_for(target.python):
        if everything:
            here = f"{sys.version_info[0]}.{sys.version_info[1]}"
            context.warn(f"compile_bytecode: this is Python {here} and the function runs python{target.python[0]}."
                         f"{target.python[1]}: bytecode is specific to a Python version, so none is compiled "
                         "(package with that Python to have it)")
        return list
    if everything:
        return lambda entries: with_bytecode(entries, target.python, context.cache_dir)
    return lambda entries: with_bytecode(entries, target.python, context.cache_dir,
                                         wanted=context.runtime_files.__contains__, checked=True)


def build(settings, context: PackageContext) -> BuiltPackage:
    started = time.perf_counter()
    if context.pm is None:
        from zappa_core.plugins import get_plugin_manager

        context.pm = get_plugin_manager()
    pm = context.pm
    target = LambdaTarget.for_settings(settings)
    run_prebuild(settings, context)
    excludes = plugin_excludes(pm, settings)
    walker = ProjectFiles(context.project_dir, settings, excludes)
    project = walker.entries()
    included, missing = include_entries(context.project_dir, settings.include)
    for name in missing:
        context.warn(f"include: {name!r} is not a file of the project; left out")
    shipped = {entry.arcname for entry in included}
    secrets = [path for path in walker.secrets_left_out if path not in shipped]
    if secrets:
        context.say(describe_secrets(secrets))
    reader = WheelReader()
    try:
        deps = collect(settings, context, target, project, reader)
        dep_entries = [e for e in deps.entries() if not matches_any_glob(e.arcname, excludes)]
        output = context.output or default_output(settings, context)
        memo = context.cache_dir / "builds"
        context.runtime_files.update(e.arcname for e in deps.entries(only=deps.runtime_dists))
        compiled = compile_for(settings, context, target)
        extra: dict[str, Any] = {}
        layer = archive = None
        archive_entries: dict[str, Entry] = {}
        layer_entries: list[Entry] = []
        if settings.slim_handler:
            archive_path = output.with_name(f"{output.stem}_project.tar.gz")
            archive_entries, _ = merge([dep_entries, project])
            check_fits_tmp(settings, sum(e.size_hint for e in archive_entries.values()))
            archive = write_archive(archive_path, compiled(archive_entries.values()), kind="tar.gz", memo_dir=memo,
                                    progress=context.shows_progress)
            extra = {"slim_archive": slim_archive_url(settings, archive.sha256), "slim_archive_sha256": archive.sha256,
                     "slim_archive_unpacked": archive.unpacked}
            runtime_deps = deps.entries(only=deps.runtime_dists)
            base, clashes = merge([runtime_deps, included])
        elif settings.dependencies_layer:
            # The runtime's own dependencies (pluggy) stay in the zip: the handler imports without the layer.
            layered = [e for e in deps.entries(only=set(deps.by_dist) - deps.runtime_dists)
                       if not matches_any_glob(e.arcname, excludes)]
            layer_entries = [Entry(LAYER_PREFIX + e.arcname, e.read, e.mode, e.origin, e.size_hint, e.source) for e in layered]
            if layer_entries:
                layer = write_archive(output.with_name(f"{output.stem}_layer.zip"), compiled(layer_entries), memo_dir=memo,
                                      progress=context.shows_progress)
            base, clashes = merge([deps.entries(only=deps.runtime_dists), project, included])
        else:
            base, clashes = merge([dep_entries, project, included])
        context.entries = dict(base)
        context.manifest_extra = extra
        final, more = merge([base.values(), plugin_includes(pm, settings, context)])
        for clash in [*clashes, *more]:
            context.warn(clash)
        written = write_archive(output, compiled(final.values()), memo_dir=memo, progress=context.shows_progress)
    finally:
        reader.close()
    details: dict[str, Any] = {
        "dependency_rule": context.dependency_rule, "fetched": list(context.fetched),
        "seconds": round(time.perf_counter() - started, 3), "target": target.describe(),
        "secrets_left_out": secrets,
    }
    if archive is not None:
        details.update(slim_archive=archive.path, slim_archive_sha256=archive.sha256, slim_archive_size=archive.size,
                       slim_archive_unchanged=archive.unchanged, slim_archive_url=extra["slim_archive"],
                       slim_archive_unpacked=archive.unpacked)
    sources = tuple(sorted({str(e.source) for e in [*final.values(), *archive_entries.values(), *layer_entries]
                            if e.source is not None}))
    package = replace(_built(written, **details), sources=sources,
                      layer=_built(layer, role="dependencies layer") if layer is not None else None)
    return run_zip_callback(settings, context, package)
