"""What the core adds to every package: the runtime, ``handler.py``, the frozen manifest and
``package_info.json``.

- ``zappa_runtime/`` from the installed ``zappa-runtime`` distribution.
- The ``zappa.runtime`` entry-point modules of the enabled plugins: the module (or subpackage) and the
  ``__init__.py`` of each package above it, not the plugin's deploy side. Other top-level packages of a
  runtime plugin's distribution ship whole (``zappa-events`` ships the ``zappa`` compatibility package,
  for ``from zappa.asynchronous import task``).
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

from zappa_core.packaging.distfiles import _module_files, installed_files, top_level_names
from zappa_core.packaging.entries import Entry, file_entry

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


def _module_entries(dotted: str, origin: str) -> list[Entry]:
    """The files needed to import ``dotted``: each parent package's ``__init__.py`` and the module itself
    (or the whole subpackage). Found without importing anything."""
    parts = dotted.split(":")[0].strip().split(".")
    top = importlib.util.find_spec(parts[0])
    if top is None:
        return []
    if not top.submodule_search_locations:
        return [file_entry(Path(top.origin).name, Path(top.origin), origin)] if top.origin else []
    out: list[Entry] = []
    folders = [Path(p) for p in top.submodule_search_locations]
    prefix = parts[0]
    for depth, part in enumerate(parts[1:], 1):
        for folder in folders:
            init = folder / "__init__.py"
            if init.is_file():
                out.append(file_entry(f"{prefix}/__init__.py", init, origin))
        last = depth == len(parts) - 1
        next_folders = [f / part for f in folders if (f / part).is_dir()]
        if last:
            modules = [f / f"{part}.py" for f in folders if (f / f"{part}.py").is_file()]
            if modules:
                out.append(file_entry(f"{prefix}/{part}.py", modules[0], origin))
            else:
                for folder in next_folders:
                    for path in sorted(folder.rglob("*")):
                        rel = path.relative_to(folder)
                        if path.is_file() and "__pycache__" not in rel.parts and path.suffix not in (".pyc", ".pyo"):
                            out.append(file_entry(f"{prefix}/{part}/{rel.as_posix()}", path, origin))
        folders = next_folders
        prefix = f"{prefix}/{part}"
    if len(parts) == 1:
        out = _module_files(parts[0], origin)
    return out


def runtime_entries(pm=None) -> tuple[list[Entry], list[str], list[str]]:
    """The runtime and the runtime modules of the enabled plugins.

    Returns the entries, the module names for the manifest, and problems (a registered runtime module
    whose file cannot be found is left out of the manifest, so the Lambda does not fail to import it)."""
    entries: list[Entry] = []
    try:
        entries += installed_files(metadata.distribution("zappa-runtime")).entries
    except metadata.PackageNotFoundError:
        entries += _module_files("zappa_runtime", "runtime")
    entries = [e for e in entries if e.arcname.startswith("zappa_runtime/")]
    modules, problems = [], []
    for ep in runtime_entry_points(pm):
        module = ep.value.split(":")[0].strip()
        origin = f"runtime plugin {ep.name}"
        found = _module_entries(module, origin)
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
    return entries, modules, problems


def manifest(settings, modules: list[str], extra: dict | None = None) -> dict:
    data = settings.to_dict()
    data.update(stage=settings.stage, project_name=settings.project, function_name=settings.function_name)
    data.update(extra or {})
    return {"format": 1, "runtime_modules": modules, "settings": data}


def slim_archive_url(settings) -> str:
    return f"s3://{settings.s3_bucket}/{settings.function_name}_current_project.tar.gz"


def package_info(content_hash: str) -> dict:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    build_time = None
    if epoch and epoch.isdigit():
        build_time = _dt.datetime.fromtimestamp(int(epoch), _dt.timezone.utc).isoformat().replace("+00:00", "Z")
    try:
        user = getpass.getuser()
    except Exception:  # no user name in some containers
        user = None
    return {
        "build_platform": f"{sys.platform}-{platform.machine()} {platform.python_implementation()} {platform.python_version()}",
        "build_user": user,
        "build_time": build_time,
        "content_hash": content_hash,
        "uuid": str(uuid.uuid5(UUID_NAMESPACE, content_hash)),
    }
