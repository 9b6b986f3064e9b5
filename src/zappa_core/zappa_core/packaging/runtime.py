"""What the core adds to every package: the runtime, ``handler.py``, the frozen manifest and
``package_info.json``.

- ``zappa_runtime/`` from the installed ``zappa-ng-runtime`` distribution.
- The ``zappa.runtime`` entry-point modules of the enabled plugins: the module (or subpackage) and the
  ``__init__.py`` of each package above it, not the plugin's deploy side. Other top-level packages of a
  runtime plugin's distribution ship whole (``zappa-ng-events`` and ``zappa-ng-aws-apigw`` ship the ``zappa``
  compatibility namespace package, for ``from zappa.asynchronous import task`` and ``from zappa.websocket
  import on_connect``).
- ``handler.py``: ``from zappa_runtime.handler import lambda_handler`` (Lambda's ``handler.lambda_handler``).
- ``zappa_manifest.json``: ``{"format": 1, "runtime_modules": [...], "settings": {...}}``; the Lambda never
  scans installed distributions at cold start.
- ``package_info.json``: build platform and user, the content hash of every other file of the package and
  a uuid derived from it. Builds are reproducible, so there is no wall-clock time in it: ``build_time`` is
  ``SOURCE_DATE_EPOCH`` when that is set (the reproducible-builds convention), otherwise ``null``.
"""

from __future__ import annotations

import datetime as _dt
import getpass
import importlib.util
import json
import os
import platform
import sys
import uuid
from importlib import metadata
from pathlib import Path

from zappa_core.packaging.distfiles import (
    _module_files,
    installed_files,
    top_level_names,
)
from zappa_core.packaging.entries import Entry, file_entry
from zappa_core.packaging.importscan import ImportScans

MANIFEST = "zappa_manifest.json"
PACKAGE_INFO = "package_info.json"
HANDLER = "handler.py"
RUNTIME_GROUP = "zappa.runtime"
HANDLER_SOURCE = (
    '"""Lambda entry point of this package: handler.lambda_handler."""\n\n'
    "from zappa_runtime.handler import lambda_handler  # noqa: F401\n"
)
UUID_NAMESPACE = uuid.UUID("6f0c1c3e-4a5b-4d43-9a8e-2f1f2b7c9d10")


def json_bytes(data) -> bytes:
    return (json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode()


def runtime_entry_points(pm=None) -> list[metadata.EntryPoint]:
    """The ``zappa.runtime`` entry points of the enabled plugins, sorted by name."""
    from zappa_core.plugins import disabled_plugins

    blocked = disabled_plugins()
    out = []
    for ep in sorted(metadata.entry_points(group=RUNTIME_GROUP), key=lambda e: e.name):
        if ep.name in blocked or (pm is not None and pm.is_blocked(ep.name)):
            continue
        out.append(ep)
    return out


def _module_file(folders: list[Path], parts: list[str]) -> Path | None:
    """The file of module ``parts`` (below the top-level package whose folders are given)."""
    for folder in folders:
        base = folder.joinpath(*parts[1:]) if len(parts) > 1 else folder
        if len(parts) > 1 and base.with_suffix(".py").is_file():
            return base.with_suffix(".py")
        if (base / "__init__.py").is_file():
            return base / "__init__.py"
    return None


def _module_entries(dotted: str, origin: str, scans: ImportScans) -> list[Entry]:
    """The files needed to import ``dotted`` without the rest of its distribution: the module (or
    subpackage), the ``__init__.py`` of every package above it, and, transitively, the modules of the same
    top-level package that these files import. Found without importing anything."""
    module = dotted.split(":")[0].strip()
    top = module.split(".")[0]
    spec = importlib.util.find_spec(top)
    if spec is None:
        return []
    if not spec.submodule_search_locations:
        return [file_entry(Path(spec.origin).name, Path(spec.origin), origin)] if spec.origin else []
    folders = [Path(p) for p in spec.submodule_search_locations]
    found: dict[str, Path] = {}
    queue = [module]
    while queue:
        name = queue.pop()
        parts = name.split(".")
        for depth in range(1, len(parts) + 1):
            current = ".".join(parts[:depth])
            if current in found:
                continue
            path = _module_file(folders, parts[:depth])
            if path is None:
                break  # an attribute imported from a module, not a module
            found[current] = path
            queue += [n for n in scans.imports(path, current, path.name == "__init__.py")
                      if n.split(".")[0] == top and n not in found]
        if name == module and name in found and found[name].name == "__init__.py":
            # a runtime subpackage ships whole
            package_dir = found[name].parent
            for path in sorted(package_dir.rglob("*.py")):
                if "__pycache__" not in path.parts:
                    rel = ".".join(path.relative_to(package_dir).with_suffix("").parts)
                    sub = name if rel == "__init__" else f"{name}.{rel.removesuffix('.__init__')}"
                    if sub not in found:
                        found[sub] = path
                        queue += [n for n in scans.imports(path, sub, path.name == "__init__.py")
                                  if n.split(".")[0] == top and n not in found]
    out = []
    for path in found.values():
        folder = next(f for f in folders if path.is_relative_to(f))
        out.append(file_entry(f"{top}/{path.relative_to(folder).as_posix()}", path, origin))
    return out


def runtime_entries(pm=None, cache_dir: Path | None = None) -> tuple[list[Entry], list[str], list[str]]:
    """The runtime and the runtime modules of the enabled plugins.

    Returns the entries, the module names for the manifest, and problems (a registered runtime module
    whose file cannot be found is left out of the manifest, so the Lambda does not fail to import it).
    ``cache_dir`` keeps what each module imports (see :mod:`zappa_core.packaging.importscan`)."""
    scans = ImportScans(cache_dir)
    entries: list[Entry] = []
    try:
        entries += installed_files(metadata.distribution("zappa-ng-runtime")).entries
    except metadata.PackageNotFoundError:
        entries += _module_files("zappa_runtime", "runtime")
    entries = [e for e in entries if e.arcname.startswith("zappa_runtime/")]
    modules, problems = [], []
    for ep in runtime_entry_points(pm):
        module = ep.value.split(":")[0].strip()
        origin = f"runtime plugin {ep.name}"
        found = _module_entries(module, origin, scans)
        leaf = module.replace(".", "/")
        if not any(e.arcname in (f"{leaf}.py", f"{leaf}/__init__.py") for e in found):
            problems.append(f"runtime plugin '{ep.name}': module {module} not found; left out of the package")
            continue
        modules.append(module)
        entries += found
        dist = getattr(ep, "dist", None)
        if dist is not None:
            for top in top_level_names(dist):
                if top != module.split(".")[0]:
                    entries += _module_files(top, origin)
    scans.save()
    # a namespace package that several runtime plugins' distributions share (``zappa``) is walked once per
    # distribution: each file ships once
    unique = {}
    for entry in entries:
        unique.setdefault(entry.arcname, entry)
    return list(unique.values()), modules, problems


def manifest_bytes(settings, modules: list[str], extra: dict | None = None, *, for_package: bool = True) -> bytes:
    """The frozen manifest, in the runtime's own format (built by :mod:`zappa_runtime.manifest`).

    In a package (``for_package``), the values of ``environment_variables`` and ``aws_environment_variables``
    are left out: the function's configuration carries them (:mod:`zappa_core.resources.environment`), so
    the zip holds no secret of the settings. ``environment_variables`` keeps only the names Lambda reserves
    (the runtime sets those), and ``function_environment`` names the others, which ``remote_env`` must not
    override (Zappa's order)."""
    from zappa_runtime.manifest import build_manifest, dump_manifest

    extra = dict(extra or {})
    data = settings.to_dict()
    if for_package:
        from zappa_core.resources import environment

        data["aws_environment_variables"] = {}
        data["environment_variables"] = environment.runtime_only(settings)
        data["function_environment"] = sorted(k for k in (settings.environment_variables or {})
                                              if k not in data["environment_variables"])
    data.update({k: v for k, v in extra.items() if k != "slim_archive"})
    built = build_manifest(data, modules, stage=settings.stage, project_name=settings.project,
                           function_name=settings.function_name, slim_archive=extra.get("slim_archive"))
    return dump_manifest(built).encode()


def slim_archive_url(settings, sha256_hex: str) -> str:
    """Where ``deploy``/``update`` upload the project archive with this digest (see ``core:project-archive``)."""
    from zappa_core.resources.util import archive_key

    return f"s3://{settings.s3_bucket}/{archive_key(settings.function_name, sha256_hex)}"


def package_info(content_hash: str) -> dict:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    build_time = None
    if epoch and epoch.isdigit():
        build_time = _dt.datetime.fromtimestamp(int(epoch), _dt.timezone.utc).isoformat().replace("+00:00", "Z")
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no user name in some containers
        user = None
    return {
        "build_platform": f"{sys.platform}-{platform.machine()} {platform.python_implementation()} {platform.python_version()}",
        "build_user": user,
        "build_time": build_time,
        "content_hash": content_hash,
        "uuid": str(uuid.uuid5(UUID_NAMESPACE, content_hash)),
    }
