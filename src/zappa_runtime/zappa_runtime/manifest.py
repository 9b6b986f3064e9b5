"""The frozen manifest that ``zappa package`` writes at the root of the zip, and its reader.

Layout (``format`` 1)::

    {
      "format": 1,
      "runtime_modules": ["zappa_aws_apigw.runtime", "zappa_events.runtime"],
      "settings": {...every stage setting with its default..., "stage": "dev", "project_name": "app",
                   "function_name": "app-dev", "slim_archive": "s3://bucket/key.tar.gz" (slim_handler only)}
    }

The runtime reads it once at cold start from the folder of the zip-root ``handler.py`` (``LAMBDA_TASK_ROOT`` on
Lambda), imports and registers exactly ``runtime_modules`` and never scans installed distributions.
Standard library only: the packaging side imports :func:`build_manifest` and :func:`dump_manifest` from here.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

MANIFEST_NAME = "zappa_manifest.json"
MANIFEST_FORMAT = 1
#: In a container image: the module ``zappa save-python-settings-file`` writes, holding the manifest as ``MANIFEST``.
SETTINGS_MODULE = "zappa_settings.py"


class ManifestError(RuntimeError):
    """The manifest is missing or malformed (a packaging problem, reported at cold start)."""


def build_manifest(
    settings: dict[str, Any],
    runtime_modules: list[str] | tuple[str, ...],
    *,
    stage: str,
    project_name: str,
    function_name: str,
    slim_archive: str | None = None,
) -> dict[str, Any]:
    """The manifest as a dict: ``settings`` is ``StageSettings.to_dict()`` (flat JSON data)."""
    merged = dict(settings)
    merged["stage"] = stage
    merged["project_name"] = project_name
    merged["function_name"] = function_name
    if slim_archive:
        merged["slim_archive"] = slim_archive
    return {"format": MANIFEST_FORMAT, "runtime_modules": list(runtime_modules), "settings": merged}


def dump_manifest(manifest: dict[str, Any]) -> str:
    """Deterministic JSON text (sorted keys), so the same settings give the same zip bytes."""
    return json.dumps(manifest, sort_keys=True, indent=1, ensure_ascii=False) + "\n"


def validate_manifest(data: Any, where: str = MANIFEST_NAME) -> dict[str, Any]:
    """Check the shape; return ``data``. Raises :class:`ManifestError` naming the problem."""
    if not isinstance(data, dict):
        raise ManifestError(f"{where}: expected a JSON object, got {type(data).__name__}")
    if data.get("format") != MANIFEST_FORMAT:
        raise ManifestError(
            f"{where}: unsupported manifest format {data.get('format')!r} (this runtime reads format "
            f"{MANIFEST_FORMAT}); rebuild the package with the same zappa version as the runtime"
        )
    modules = data.get("runtime_modules", [])
    if not isinstance(modules, list) or not all(isinstance(m, str) and m for m in modules):
        raise ManifestError(f"{where}: 'runtime_modules' must be a list of module names")
    settings = data.get("settings", {})
    if not isinstance(settings, dict):
        raise ManifestError(f"{where}: 'settings' must be an object")
    data.setdefault("runtime_modules", modules)
    data.setdefault("settings", settings)
    return data


def read_manifest(root: str) -> dict[str, Any]:
    """Read and validate ``<root>/zappa_manifest.json`` (or, in a container image, the ``MANIFEST`` of
    ``<root>/zappa_settings.py``)."""
    path = os.path.join(root, MANIFEST_NAME)
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except FileNotFoundError:
        module = os.path.join(root, SETTINGS_MODULE)
        if os.path.isfile(module):
            return read_settings_module(module)
        raise ManifestError(
            f"{MANIFEST_NAME} not found in {root!r}: the package was not built by `zappa package` "
            "(or the handler was moved away from the zip root)"
        ) from None
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise ManifestError(f"{path}: invalid JSON ({exc})") from None
    return validate_manifest(data, path)


def read_settings_module(path: str) -> dict[str, Any]:
    """The ``MANIFEST = {...}`` literal of a settings module, parsed (never executed) and validated."""
    import ast

    try:
        with open(path, "rb") as fh:
            tree = ast.parse(fh.read(), path)
        for node in tree.body:
            if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "MANIFEST" for t in node.targets):
                return validate_manifest(ast.literal_eval(node.value), path)
    except (SyntaxError, ValueError) as exc:
        raise ManifestError(f"{path}: not a settings module written by `zappa save-python-settings-file` ({exc})") from None
    raise ManifestError(f"{path} has no MANIFEST: write it again with `zappa save-python-settings-file STAGE`")


def _holds_manifest(folder: str) -> bool:
    return os.path.isfile(os.path.join(folder, MANIFEST_NAME)) or os.path.isfile(os.path.join(folder, SETTINGS_MODULE))


def find_task_root() -> str:
    """The folder of the zip-root ``handler.py``: where the manifest lives.

    In order: the folder of the imported ``handler`` module when it holds a manifest, ``$LAMBDA_TASK_ROOT``, the
    current directory.
    """
    handler = sys.modules.get("handler")
    file = getattr(handler, "__file__", None)
    if file:
        folder: str = os.path.dirname(os.path.abspath(file))
        if _holds_manifest(folder):
            return folder
    root = os.environ.get("LAMBDA_TASK_ROOT")
    if root and _holds_manifest(root):
        return root
    return os.getcwd()
