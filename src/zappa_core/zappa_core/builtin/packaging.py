"""Default plugin: the core's packaging.

- ``zappa_build_package`` (``trylast``): the core's builder (:mod:`zappa_core.packaging.builder`).
- ``zappa_package_include``: the runtime, the enabled plugins' runtime modules, ``handler.py`` and the
  frozen manifest; a wrapper adds ``package_info.json`` last, hashing every other file of the package.
- ``zappa_settings_sections``: ``package_tests`` (ship the top-level ``tests`` folder too).
- ``zappa_validate_settings``: packaging settings that cannot work (exit 2 before anything is built).
"""

from __future__ import annotations

import re

from zappa_core.hookspecs import hookimpl
from zappa_core.records import PackageInclude, SettingsProblem, SettingsSection

DOTTED = re.compile(r"^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)+$")


@hookimpl
def zappa_settings_sections():
    from zappa_core.packaging.settings import PackagingSettings

    return SettingsSection(name="packaging", model=PackagingSettings, description="What goes into the Lambda package")


@hookimpl
def zappa_validate_settings(settings):
    from zappa_core.settings.aws_names import runtime_problem

    problems = []
    found = runtime_problem(settings.runtime)
    if found:
        problems.append(SettingsProblem(found, key="runtime"))
    if settings.slim_handler and settings.dependencies_layer:
        problems.append(SettingsProblem("'slim_handler' and 'dependencies_layer' both move the dependencies out of "
                                        "the function zip: choose one", key="dependencies_layer"))
    if settings.slim_handler and not settings.s3_bucket:
        problems.append(SettingsProblem("'slim_handler' needs 's3_bucket' (the project archive is loaded from S3)", key="slim_handler"))
    if settings.prebuild_script and not DOTTED.match(settings.prebuild_script):
        problems.append(SettingsProblem(f"must be a dotted path like 'module.function', not {settings.prebuild_script!r}", key="prebuild_script"))
    for name, dotted in (settings.callbacks or {}).items():
        if dotted and not DOTTED.match(dotted):
            problems.append(SettingsProblem(f"callback '{name}' must be a dotted path like 'module.function', not {dotted!r}", key="callbacks"))
    return problems


@hookimpl
def zappa_package_include(settings, context):
    from zappa_core.packaging import runtime

    entries, modules, problems = runtime.runtime_entries(context.pm, context.cache_dir)
    for problem in problems:
        context.warn(problem)
    out = [PackageInclude(e.arcname, data=e.read(), mode=e.mode) for e in entries]
    out.append(PackageInclude(runtime.HANDLER, data=runtime.HANDLER_SOURCE.encode()))
    context.runtime_files.update(item.arcname for item in out)  # shipped with their bytecode (see the builder)
    manifest = runtime.manifest_bytes(settings, modules, context.manifest_extra)
    out.append(PackageInclude(runtime.MANIFEST, data=manifest))
    return out


@hookimpl(wrapper=True, specname="zappa_package_include")
def add_package_info(settings, context):
    """Runs around every ``zappa_package_include``: adds ``package_info.json`` with the content hash of
    everything else the package holds."""
    from zappa_core.packaging import runtime
    from zappa_core.packaging.builder import include_to_entry
    from zappa_core.packaging.entries import content_hash, merge

    results = yield
    added = [include_to_entry(item) for result in results
             for item in (result if isinstance(result, (list, tuple)) else [result]) if item is not None]
    merged, _ = merge([context.entries.values(), added])
    merged.pop(runtime.PACKAGE_INFO, None)
    info = runtime.package_info(content_hash(merged.values()))
    return [*results, [PackageInclude(runtime.PACKAGE_INFO, data=runtime.json_bytes(info))]]


@hookimpl(trylast=True)
def zappa_build_package(settings, context):
    from zappa_core.packaging.builder import build

    return build(settings, context)
