"""The project's own files: the project folder minus what never belongs in a Lambda package.

Left out, besides the user's ``exclude`` (shell patterns on file and folder names, at any depth; a
trailing ``/`` is ignored) and ``exclude_glob`` (globs relative to the project folder, ``**`` allowed):
version-control and tool caches, ``__pycache__`` and compiled bytecode, any virtualenv (a folder holding
``pyvenv.cfg`` or ``conda-meta``), ``*.zip`` and ``*.tar.gz``, the ``.zappa`` folder, the settings files
(the package manifest carries the resolved settings), ``*.egg-info`` and the top-level ``tests``/``test``
folders (shipped with ``package_tests: true``), and what may hold secrets (:mod:`zappa_core.packaging.secrets`:
dotenv files, credentials, private keys, Terraform state; remembered in ``secrets_left_out`` so the build
can say so, and shipped when ``include`` names them).

A ``src/`` layout (the app's package lives in ``src/``, not in the project root) ships the contents of
``src/`` at the root of the package, which is what installing the project would put on ``sys.path``.
"""

from __future__ import annotations

import fnmatch
import os
import re
import sys
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path

from zappa_core.packaging.entries import Entry, file_entry
from zappa_core.packaging.secrets import may_hold_secrets

ALWAYS_EXCLUDED_NAMES = (
    ".git", ".hg", ".svn", ".bzr", "__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache",
    ".hypothesis", ".tox", ".nox", ".zappa", ".idea", ".vscode", ".eggs", "*.egg-info", ".ipynb_checkpoints",
    "*.pyc", "*.pyo", ".DS_Store", "*.zip", "*.tar.gz", ".coverage",
    "zappa_settings.json", "zappa_settings.yml", "zappa_settings.yaml", "zappa_settings.toml",
)
TEST_FOLDERS = ("tests", "test")
VENV_MARKERS = ("pyvenv.cfg", "conda-meta")


@lru_cache(maxsize=256)
def glob_regex(pattern: str) -> re.Pattern[str]:
    """A relative glob as a regex on POSIX paths: ``**`` spans folders, ``*`` and ``?`` stay in one."""
    pattern = pattern.strip()
    while pattern.startswith("./"):
        pattern = pattern[2:]
    out = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        elif pattern[i] == "[":
            end = pattern.find("]", i + 1)
            if end == -1:
                out.append(re.escape(pattern[i]))
                i += 1
            else:
                body = pattern[i + 1:end].replace("\\", "\\\\")
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append(f"[{body}]")
                i = end + 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out).rstrip("/") + r"\Z")


def matches_any_glob(relpath: str, patterns: Iterable[str]) -> bool:
    return any(glob_regex(p).match(relpath) for p in patterns)


def src_root(project_dir: Path, settings) -> Path:
    """``project_dir/src`` for a src layout, else ``project_dir``."""
    src = project_dir / "src"
    if not src.is_dir():
        return project_dir
    target = settings.get("app_function") or settings.get("django_settings")
    if target:
        top = target.split(".")[0]
        in_root = (project_dir / top).is_dir() or (project_dir / f"{top}.py").is_file()
        in_src = (src / top).is_dir() or (src / f"{top}.py").is_file()
        return src if in_src and not in_root else project_dir

    def has_python(folder: Path) -> bool:
        return any(p.suffix == ".py" or (p / "__init__.py").is_file() for p in folder.iterdir())

    return src if has_python(src) and not has_python(project_dir) else project_dir


class ProjectFiles:
    """Walks the project folder once, pruning excluded folders before descending into them."""

    def __init__(self, project_dir: Path, settings, extra_excludes: Iterable[str] = ()) -> None:
        self.project_dir = project_dir
        self.root = src_root(project_dir, settings)
        self.name_patterns = [p.rstrip("/") for p in (*ALWAYS_EXCLUDED_NAMES, *settings.exclude) if p.strip("/")]
        self.globs = list(settings.exclude_glob)
        self.zip_globs = list(extra_excludes)
        self.skip_tests = not settings.get("package_tests", False)
        self.venv = Path(sys.prefix).resolve()
        self.secrets_left_out: list[str] = []  # paths from the project folder, folders with a trailing "/"

    def _excluded(self, name: str, rel: str, is_dir: bool, top_level: bool, path: str) -> bool:
        if any(fnmatch.fnmatch(name, p) for p in self.name_patterns):
            return True
        if self.skip_tests and is_dir and top_level and name in TEST_FOLDERS:
            return True
        project_rel = os.path.relpath(os.path.join(self.root, rel), self.project_dir).replace(os.sep, "/")
        if matches_any_glob(project_rel, self.globs) or matches_any_glob(rel, self.zip_globs):
            return True
        if may_hold_secrets(name, project_rel, is_dir, Path(path)):
            self.secrets_left_out.append(project_rel + ("/" if is_dir else ""))
            return True
        return False

    def _is_venv(self, path: Path) -> bool:
        return any((path / marker).exists() for marker in VENV_MARKERS) or path.resolve() == self.venv

    def walk(self) -> Iterator[tuple[str, Path, os.stat_result]]:
        seen: set[str] = set()

        def visit(folder: Path, prefix: str) -> Iterator[tuple[str, Path, os.stat_result]]:
            real = os.path.realpath(folder)
            if real in seen:  # a symlink loop
                return
            seen.add(real)
            try:
                items = sorted(os.scandir(folder), key=lambda d: d.name)
            except PermissionError:
                return
            for item in items:
                rel = f"{prefix}{item.name}"
                is_dir = item.is_dir()
                if self._excluded(item.name, rel, is_dir, not prefix, item.path):
                    continue
                if is_dir:
                    path = Path(item.path)
                    if not self._is_venv(path):
                        yield from visit(path, f"{rel}/")
                elif item.is_file():
                    yield rel, Path(item.path), item.stat()

        yield from visit(self.root, "")

    def entries(self) -> list[Entry]:
        return [file_entry(rel, path, "project", st.st_mode, st.st_size) for rel, path, st in self.walk()]


def include_entries(project_dir: Path, include: Iterable[str]) -> tuple[list[Entry], list[str]]:
    """The ``include`` files (shared libraries loaded at cold start), shipped even when excluded.

    Returns the entries and the names that are not files of the project."""
    out, missing = [], []
    for name in include:
        path = (project_dir / name).resolve()
        if path.is_file() and path.is_relative_to(project_dir):
            out.append(file_entry(path.relative_to(project_dir).as_posix(), path, "include"))
        else:
            missing.append(name)
    return out, missing
