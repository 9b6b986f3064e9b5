"""The dependencies a project declares: ``requirements.txt``, else ``[project] dependencies`` of its
``pyproject.toml``. ``None`` when it declares none (the environment rule applies then)."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement

from zappa_core.packaging.context import PackagingError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


@dataclass(frozen=True)
class Declared:
    source: str  # "requirements.txt" or "pyproject.toml"
    requirements: list[Requirement]
    skipped: list[str]  # lines that are options or local paths, not requirements


def project_name(project_dir: Path) -> str | None:
    """The project's own distribution name (from ``pyproject.toml``), so it is never shipped twice."""
    data = _pyproject(project_dir)
    return (data.get("project") or {}).get("name") if data else None


def _pyproject(project_dir: Path) -> dict | None:
    path = project_dir / "pyproject.toml"
    if not path.is_file():
        return None
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise PackagingError(f"{path}: cannot read it: {exc}") from None


def _requirements_file(path: Path, seen: set[Path]) -> tuple[list[Requirement], list[str]]:
    path = path.resolve()
    if path in seen:
        return [], []
    seen.add(path)
    requirements: list[Requirement] = []
    skipped: list[str] = []
    text = path.read_text(encoding="utf-8").replace("\\\n", "")
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith(("-r ", "--requirement ", "-r")) and not line.startswith("--requirement="):
            name = line.split(None, 1)[1] if " " in line else line[2:]
            more, more_skipped = _requirements_file(path.parent / name.strip(), seen)
            requirements += more
            skipped += more_skipped
            continue
        if line.startswith("-"):
            skipped.append(line)
            continue
        try:
            requirements.append(Requirement(line.split(" --", 1)[0].strip()))
        except InvalidRequirement as exc:
            if line.startswith((".", "/")) or "://" in line:
                skipped.append(line)
                continue
            raise PackagingError(f"{path.name}, line {number}: not a requirement: {line!r} ({exc})") from None
    return requirements, skipped


def declared_requirements(project_dir: Path) -> Declared | None:
    path = project_dir / "requirements.txt"
    if path.is_file():
        requirements, skipped = _requirements_file(path, set())
        return Declared("requirements.txt", requirements, skipped)
    data = _pyproject(project_dir)
    if data and "dependencies" in (data.get("project") or {}):
        out = []
        for text in data["project"]["dependencies"]:
            try:
                out.append(Requirement(text))
            except InvalidRequirement as exc:
                raise PackagingError(f"pyproject.toml: [project] dependencies: {text!r}: {exc}") from None
        return Declared("pyproject.toml", out, [])
    return None
