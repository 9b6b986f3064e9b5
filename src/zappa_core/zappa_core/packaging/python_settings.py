"""``zappa save-python-settings-file``: the settings module a container image needs.

A zip package carries its frozen manifest (``zappa_manifest.json``). An image is built by the user's own
Dockerfile instead, so the manifest goes into ``zappa_settings.py`` (Zappa's name for this file), which the
Dockerfile copies into the image's task root: the runtime reads its ``MANIFEST`` (a plain literal, parsed,
never executed) when there is no ``zappa_manifest.json``. The module also keeps a few of Zappa's constant
names (``API_STAGE``, ``PROJECT_NAME``, ``APP_MODULE``, ...) for code that imports them, and says which
distributions the image must install for the runtime modules it names.
"""

from __future__ import annotations

import json
import pprint
from importlib import metadata
from pathlib import Path
from typing import Any

from zappa_core.errors import UsageError

FILE_NAME = "zappa_settings.py"


def image_distributions(modules: list[str]) -> list[str]:
    """``name==version`` of the distributions that hold ``modules``: the runtime and the plugins' runtime
    modules (installed with ``--no-deps``: their deploy side is not needed in the image)."""
    from zappa_core.packaging.runtime import runtime_entry_points

    wanted = set(modules)
    found = []
    for ep in runtime_entry_points():
        module = ep.value.split(":")[0].strip()
        dist = getattr(ep, "dist", None)
        if module in wanted and dist is not None:
            found.append(f"{dist.metadata['Name']}=={dist.version}")
    return sorted(set(found))


def zappa_constants(settings: dict[str, Any]) -> dict[str, Any]:
    """Zappa's names for the settings its generated module held, for code that imports them."""
    module, _, function = (settings.get("app_function") or "").rpartition(".")
    return {
        "API_STAGE": settings.get("stage"), "PROJECT_NAME": settings.get("project_name"),
        "APP_MODULE": module or None, "APP_FUNCTION": function or None,
        "DJANGO_SETTINGS": settings.get("django_settings"), "DEBUG": settings.get("debug"),
        "LOG_LEVEL": settings.get("log_level"), "ENVIRONMENT_VARIABLES": settings.get("environment_variables") or {},
    }


def module_text(settings: Any, pm: Any = None) -> tuple[str, list[str]]:
    """The module's source and the distributions the image needs besides the app's own."""
    from zappa_core.packaging.resolve import RUNTIME_DIST
    from zappa_core.packaging.runtime import manifest_bytes, runtime_entries

    _, modules, _ = runtime_entries(pm)
    manifest = json.loads(manifest_bytes(settings, modules))
    plugins = image_distributions(modules)
    runtime = f"{RUNTIME_DIST}=={metadata.version(RUNTIME_DIST)}"
    lines = [
        f'"""Settings of stage {settings.stage!r} for a container image, written by `zappa save-python-settings-file '
        f'{settings.stage}`.',
        "",
        "Copy this file into the image's task root (${LAMBDA_TASK_ROOT}) beside the app. The zappa runtime reads MANIFEST",
        "at cold start (parsed as a literal, never executed). The image also needs:",
        f"    pip install {runtime}",
        *([f"    pip install --no-deps {' '.join(plugins)}"] if plugins else []),
        'and CMD ["zappa_runtime.handler.lambda_handler"] (or a handler.py importing it).',
        '"""',
        "",
    ]
    for name, value in zappa_constants(manifest["settings"]).items():
        lines.append(f"{name} = {value!r}")
    lines += ["", "MANIFEST = " + pprint.pformat(manifest, indent=1, width=110, sort_dicts=True), ""]
    return "\n".join(lines), [runtime, *plugins]


def write_settings_module(settings: Any, output: str | None, pm: Any = None) -> tuple[Path, list[str]]:
    """Write the module to ``output`` (default ``zappa_settings.py`` in the current folder)."""
    path = Path(output or FILE_NAME)
    if path.name != FILE_NAME:
        raise UsageError(f"--output_path: the settings module must be named {FILE_NAME}, not {path.name!r}",
                         hint=f"the runtime looks for {FILE_NAME} in the image's task root")
    text, needs = module_text(settings, pm)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path, needs
