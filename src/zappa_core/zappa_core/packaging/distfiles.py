"""The files of one distribution, as package entries: from its installed ``RECORD``, from the source
folder of an editable install, or from a wheel.

Only what runs on Lambda is kept: no ``__pycache__`` or ``.pyc`` (the ``.py`` ships, once), no scripts or
data installed outside ``site-packages``, no ``.pth`` files, and of the ``.dist-info`` folder only what
``importlib.metadata`` reads at run time (``METADATA``, ``entry_points.txt``, ``top_level.txt``) and the
licence files.
"""

from __future__ import annotations

import importlib.util
import json
import os
import zipfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path, PurePosixPath

from packaging.tags import Tag, parse_tag

from zappa_core.packaging.entries import Entry, WheelReader, file_entry

DIST_INFO_KEEP = ("METADATA", "entry_points.txt", "top_level.txt")
COMPILED_SUFFIXES = (".so", ".pyd", ".dylib")


def keep(parts: tuple[str, ...]) -> bool:
    """Should the file at these path parts (relative to site-packages) ship?"""
    if not parts or parts[0] in ("..", "") or "__pycache__" in parts:
        return False
    name = parts[-1]
    if name.endswith((".pyc", ".pyo")) or (len(parts) == 1 and name.endswith(".pth")):
        return False
    if parts[0].endswith(".dist-info"):
        return name in DIST_INFO_KEEP or "licenses" in parts or name.upper().startswith(("LICENSE", "COPYING", "NOTICE"))
    return not parts[0].endswith(".egg-info")


def is_compiled(arcname: str) -> bool:
    name = arcname.rsplit("/", 1)[-1]
    return name.endswith(COMPILED_SUFFIXES) or ".so." in name


def is_editable(dist: metadata.Distribution) -> bool:
    try:
        text = dist.read_text("direct_url.json")
        return bool(text and json.loads(text).get("dir_info", {}).get("editable"))
    except (ValueError, OSError):
        return False


def wheel_tags(dist: metadata.Distribution) -> list[Tag] | None:
    """The tags of the wheel a distribution was installed from (``WHEEL``), ``None`` when unknown."""
    text = dist.read_text("WHEEL")
    if not text:
        return None
    tags: list[Tag] = []
    for line in text.splitlines():
        if line.startswith("Tag:"):
            tags.extend(parse_tag(line.split(":", 1)[1].strip()))
    return tags or None


def _module_files(top: str, origin: str) -> list[Entry]:
    """Every file of the importable top-level package or module ``top`` (editable installs)."""
    spec = importlib.util.find_spec(top)
    if spec is None:
        return []
    out: list[Entry] = []
    if spec.submodule_search_locations:
        for location in spec.submodule_search_locations:
            base = Path(location)
            for folder, dirs, files in os.walk(base):
                dirs[:] = sorted(d for d in dirs if d != "__pycache__" and not d.endswith(".egg-info"))
                for name in sorted(files):
                    if name.endswith((".pyc", ".pyo")):
                        continue
                    path = Path(folder, name)
                    out.append(file_entry(f"{top}/{path.relative_to(base).as_posix()}", path, origin))
    elif spec.origin and os.path.isfile(spec.origin):
        out.append(file_entry(Path(spec.origin).name, Path(spec.origin), origin))
    return out


def top_level_names(dist: metadata.Distribution) -> list[str]:
    text = dist.read_text("top_level.txt")
    if text:
        return [line.strip() for line in text.splitlines() if line.strip()]
    names = set()
    for file in dist.files or []:
        parts = PurePosixPath(str(file)).parts
        if parts and keep(parts) and not parts[0].endswith(".dist-info"):
            names.add(parts[0][:-3] if parts[0].endswith(".py") and len(parts) == 1 else parts[0])
    return sorted(names)


@dataclass(frozen=True)
class DistFiles:
    name: str
    version: str
    entries: list[Entry]
    compiled: bool
    editable: bool


def installed_files(dist: metadata.Distribution) -> DistFiles:
    name = dist.metadata["Name"]
    origin = f"dependency {name}"
    editable = is_editable(dist) or dist.files is None
    entries: list[Entry] = []
    if editable:
        for top in top_level_names(dist):
            entries += _module_files(top, origin)
    else:
        base = Path(dist.locate_file(""))
        for file in dist.files:
            parts = PurePosixPath(str(file)).parts
            if keep(parts):
                path = base / file
                if path.is_file():
                    entries.append(file_entry("/".join(parts), path, origin))
    return DistFiles(name, dist.version, entries, any(is_compiled(e.arcname) for e in entries), editable)


def wheel_files(wheel: Path, reader: WheelReader, origin: str) -> list[Entry]:
    """Entries of a wheel: ``*.data/purelib`` and ``platlib`` go to the root, other data is dropped."""
    out = []
    for member in reader.archive(wheel).infolist():
        if member.is_dir():
            continue
        parts = PurePosixPath(member.filename).parts
        if parts[0].endswith(".data"):
            if len(parts) < 3 or parts[1] not in ("purelib", "platlib"):
                continue
            parts = parts[2:]
        if keep(parts):
            out.append(reader.entry("/".join(parts), wheel, member, origin))
    return out


def wheel_name_version(wheel: Path) -> tuple[str, str]:
    name, version = wheel.name.split("-")[:2]
    return name, version


def check_wheel(path: Path) -> bool:
    """Is this a readable wheel with a ``.dist-info/WHEEL``?"""
    try:
        if path.stat().st_size == 0:
            return False
        with zipfile.ZipFile(path) as archive:
            return any(n.endswith(".dist-info/WHEEL") for n in archive.namelist())
    except (OSError, zipfile.BadZipFile):
        return False
