"""The modules a Python source file imports, found by parsing it, remembered by the sha256 of the source.

Collecting a runtime plugin's modules follows their imports; parsing them is most of that work and the
sources rarely change between builds, so the names found are kept in the packaging cache
(``runtime-imports.json``) under the hash of the bytes parsed: a changed file is parsed again, an
unchanged one never is. Only the entries a build used are written back.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import ast

CACHE_FILE = "runtime-imports.json"
FORMAT = 1
PARSE_ATTEMPTS = 3


def parse_python(source: bytes) -> ast.Module | None:
    """The syntax tree of ``source``, or None when it is not valid Python.

    CPython 3.11 keeps one recursion counter for converting syntax trees in all threads, so a parse that runs
    while another thread parses too (an in-process moto server building its werkzeug routes, say) can fail with
    "SystemError: AST constructor recursion depth mismatch"; the parse is tried again.
    """
    import ast

    attempts_left = PARSE_ATTEMPTS
    while True:
        try:
            return ast.parse(source)
        except (SyntaxError, ValueError):
            return None
        except SystemError:
            attempts_left -= 1
            if not attempts_left:
                raise


def imports_of(source: bytes, module: str, is_package: bool) -> set[str]:
    """Absolute names of the modules that ``source`` (module ``module``) imports, relative imports resolved."""
    import ast

    tree = parse_python(source)
    if tree is None:
        return set()
    package = module if is_package else module.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            names.add(prefix)
            names.update(f"{prefix}.{alias.name}" for alias in node.names if alias.name != "*")
    return names


class ImportScans:
    """:func:`imports_of` for files, remembered in ``cache_dir`` (nothing is kept when it is ``None``)."""

    def __init__(self, cache_dir: Path | None = None) -> None:
        self.path = cache_dir / CACHE_FILE if cache_dir is not None else None
        self.known: dict[str, list[str]] = {}
        self.used: dict[str, list[str]] = {}
        if self.path is not None:
            try:
                data = json.loads(self.path.read_text())
                if data.get("format") == FORMAT and isinstance(data.get("imports"), dict):
                    self.known = data["imports"]
            except (OSError, ValueError, AttributeError):
                pass

    def imports(self, path: Path, module: str, is_package: bool) -> set[str]:
        source = path.read_bytes()
        key = f"{hashlib.sha256(source).hexdigest()} {module} {int(is_package)}"
        names = self.known.get(key)
        if not isinstance(names, list):
            names = sorted(imports_of(source, module, is_package))
        self.used[key] = names
        return set(names)

    def save(self) -> None:
        """Write the entries this build used, when they differ from what the cache holds."""
        if self.path is None or self.used == self.known:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps({"format": FORMAT, "imports": self.used}, sort_keys=True))
            os.replace(tmp, self.path)
        except OSError:
            pass  # a read-only cache only costs speed
