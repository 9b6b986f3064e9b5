"""A package built earlier (``deploy -z FILE``, ``update -z FILE``): the zip, and what it needs beside it.

``zappa package -o FILE`` writes, next to ``FILE``, the ``slim_handler`` project archive
(``<stem>_project.tar.gz``) or the dependencies layer (``<stem>_layer.zip``) when the stage uses them. The
zip's manifest says which: a deploy from the zip uploads the archive its manifest names (checked against the
recorded sha256) and publishes the layer, as a deploy that builds would, instead of creating a function whose
project or dependencies are missing."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path
from typing import Any

from zappa_core.errors import UsageError
from zappa_core.records import BuiltPackage

MANIFEST = "zappa_manifest.json"


def _sha256(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _manifest_settings(path: Path) -> dict[str, Any]:
    try:
        with zipfile.ZipFile(path) as archive:
            return json.loads(archive.read(MANIFEST)).get("settings") or {}
    except (KeyError, ValueError, zipfile.BadZipFile):
        return {}  # not a package of this tool: deployed as it is


def prebuilt_package(path: str) -> BuiltPackage:
    file = Path(path)
    if not file.is_file():
        raise UsageError(f"--zip: no such file: {path}")
    settings = _manifest_settings(file)
    details: dict[str, Any] = {"prebuilt": True}
    if settings.get("slim_archive"):
        archive = file.with_name(f"{file.stem}_project.tar.gz")
        expected = settings.get("slim_archive_sha256")
        if not archive.is_file():
            raise UsageError(f"--zip: {file.name} loads the project archive {settings['slim_archive']}, and "
                             f"{archive} is missing", hint="zappa package writes it beside the zip: keep them together")
        if expected and _sha256(archive) != expected:
            raise UsageError(f"--zip: {archive} is not the project archive {file.name} was built with "
                             f"(its manifest records sha256 {expected})", hint="build both again with zappa package")
        details.update(slim_archive=archive, slim_archive_sha256=expected or _sha256(archive),
                       slim_archive_size=archive.stat().st_size, slim_archive_url=settings["slim_archive"],
                       slim_archive_unpacked=int(settings.get("slim_archive_unpacked") or 0))
    layer = None
    if settings.get("dependencies_layer"):
        layer_file = file.with_name(f"{file.stem}_layer.zip")
        if layer_file.is_file():
            with zipfile.ZipFile(layer_file) as archive:
                count = len(archive.infolist())
            layer = BuiltPackage(layer_file, _sha256(layer_file), layer_file.stat().st_size, count,
                                 details={"role": "dependencies layer"})
    return BuiltPackage(path=file, sha256=_sha256(file), size=file.stat().st_size, files=0, layer=layer, details=details)
