"""The dependency files of a package: resolve which distributions ship, then take each one's files from
the installation, or from a Lambda wheel when the installed build cannot run on Lambda."""

from __future__ import annotations

from dataclasses import dataclass, field

from packaging.utils import canonicalize_name

from zappa_core.packaging.context import PackageContext
from zappa_core.packaging.declared import declared_requirements, project_name
from zappa_core.packaging.distfiles import (
    installed_files,
    wheel_files,
    wheel_name_version,
    wheel_tags,
)
from zappa_core.packaging.entries import Entry, WheelReader
from zappa_core.packaging.resolve import (
    BUILD_TOOLS,
    LAMBDA_PROVIDED,
    closure,
    imported_distributions,
    installed_distributions,
    resolve,
    runtime_requirements,
    zappa_distributions,
)
from zappa_core.packaging.target import LambdaTarget
from zappa_core.packaging.wheels import WheelCache, fetch


@dataclass
class Dependencies:
    rule: str
    by_dist: dict[str, list[Entry]] = field(default_factory=dict)
    runtime_dists: set[str] = field(default_factory=set)  # what the runtime itself needs (pluggy)

    def entries(self, only: set[str] | None = None) -> list[Entry]:
        return [e for name, group in sorted(self.by_dist.items()) if only is None or name in only for e in group]


def _tags_text(tags) -> str:
    return ", ".join(sorted({str(t) for t in tags})[:3]) if tags else "an unknown platform"


def collect(settings, context: PackageContext, target: LambdaTarget, project_entries: list[Entry],
            reader: WheelReader) -> Dependencies:
    index = installed_distributions()
    declared = declared_requirements(context.project_dir)
    for line in declared.skipped if declared else ():
        context.warn(f"{declared.source}: '{line}' is not a requirement; left out")
    imported: set[str] = set()
    if declared is None:
        imported = imported_distributions((e.read() for e in project_entries if e.arcname.endswith(".py")), index)
    env = target.marker_environment()
    resolution = resolve(declared, index, env, project_name(context.project_dir), imported)
    context.dependency_rule = resolution.describe()
    context.say(f"Dependencies: {context.dependency_rule}")
    cache = WheelCache(context.cache_dir)
    deps = Dependencies(resolution.rule)
    deps.runtime_dists = set(closure(runtime_requirements(index), index, env).found)
    for name, dist in sorted(resolution.dists.items()):
        files = installed_files(dist)
        entries = files.entries
        if files.compiled:
            tags = wheel_tags(dist)
            fits = bool(tags) and not files.editable and any(t in target.supported_tags for t in tags)
            if not fits and settings.use_precompiled_packages:
                built_for = "an editable install" if files.editable else _tags_text(tags)
                with context.step(f"Fetching the Lambda wheel of {files.name} {files.version}"):
                    wheels, fetched = fetch(
                        cache, target, [f"{files.name}=={files.version}"], no_deps=True,
                        what=f"{files.name} {files.version} has compiled code built for {built_for}",
                        remedy=(f"pin a version of {files.name} that publishes manylinux wheels for "
                                f"{target.describe()}, or build the package on Amazon Linux and set "
                                "'use_precompiled_packages: false' to ship the local build"),
                    )
                entries = wheel_files(wheels[0], reader, f"dependency {files.name}")
                if fetched:
                    context.fetched.append(wheels[0].name)
            elif not fits:
                context.warn(f"{files.name} {files.version} ships its local build ({_tags_text(tags)}), which may "
                             f"not load on {target.describe()} (use_precompiled_packages is false)")
        deps.by_dist[name] = entries
    if resolution.missing:
        wanted = sorted(str(r) for r in resolution.missing)
        with context.step(f"Resolving {', '.join(wanted)} for Lambda"):
            wheels, fetched = fetch(
                cache, target, wanted, no_deps=False,
                what=f"{', '.join(wanted)} (not installed here)",
                remedy="install the app's dependencies in this environment (pip install -r requirements.txt) "
                       "or check their names and versions",
            )
        skip = set(resolution.dists) | BUILD_TOOLS | zappa_distributions(index)
        if not {canonicalize_name(r.name) for r in resolution.missing} & LAMBDA_PROVIDED:
            skip |= LAMBDA_PROVIDED
        for wheel in wheels:
            name = canonicalize_name(wheel_name_version(wheel)[0])
            if name in skip:
                continue
            deps.by_dist[name] = wheel_files(wheel, reader, f"dependency {name}")
            if fetched:
                context.fetched.append(wheel.name)
    return deps
