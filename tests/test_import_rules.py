"""Meta-tests of the layout (docs/architecture.md): the runtime at the bottom, the core above it, the features on
top. The core and the runtime import no feature distribution (not even inside a function), no feature imports
another, the runtime imports only the standard library and pluggy when its modules load, and no module in src/
is over 400 lines. Read from the source with ``ast``: an import anywhere in a module counts."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src"
BASE = {"zappa_core", "zappa_runtime"}
MAX_LINES = 400


def packages() -> dict[str, str]:
    """Every top-level package in src/ -> the distribution folder that ships it (zappa_events ships ``zappa``, a
    namespace package)."""
    return {package.name: dist.name for dist in SRC.iterdir() if dist.is_dir()
            for package in dist.iterdir() if is_package(package)}


def is_package(folder: Path) -> bool:
    return folder.is_dir() and not folder.name.endswith(".egg-info") and any(folder.glob("*.py"))


def modules(dist: str) -> list[Path]:
    return sorted(path for package in (SRC / dist).iterdir() if is_package(package) for path in package.rglob("*.py"))


def imports(path: Path) -> list[tuple[str, int, bool]]:
    """``(top-level name, line, at module level)`` of every absolute import in ``path``. Module level means run
    when the module loads: not inside a function, and not under ``if TYPE_CHECKING:``."""
    found: list[tuple[str, int, bool]] = []

    def visit(node: ast.AST, loading: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import):
                found.extend((alias.name.split(".")[0], child.lineno, loading) for alias in child.names)
            elif isinstance(child, ast.ImportFrom) and child.level == 0 and child.module:
                found.append((child.module.split(".")[0], child.lineno, loading))
            elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)) or (
                    isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test)):
                visit(child, False)
            else:
                visit(child, loading)

    visit(ast.parse(path.read_text(), str(path)), True)
    return found


def where(path: Path, line: int) -> str:
    return f"{path.relative_to(SRC).as_posix()}:{line}"


def test_every_distribution_is_read():
    owners = packages()
    assert set(owners.values()) == {"zappa_core", "zappa_runtime", "zappa_aws_apigw", "zappa_aws_alb",
                                    "zappa_events", "zappa_certs"}
    assert owners["zappa"] == "zappa_events"
    assert imports(SRC / "zappa_runtime/zappa_runtime/wsgi.py")  # the reader sees imports at all


@pytest.mark.parametrize("dist", sorted(BASE))
def test_the_core_and_the_runtime_import_no_feature(dist):
    owners = packages()
    wrong = [f"{where(path, line)} imports {name}" for path in modules(dist) for name, line, _ in imports(path)
             if owners.get(name, dist) not in BASE]
    assert wrong == []


def test_no_feature_imports_another():
    owners = packages()
    wrong = []
    for dist in sorted(set(owners.values()) - BASE):
        for path in modules(dist):
            wrong += [f"{where(path, line)} imports {name} ({owners[name]})" for name, line, _ in imports(path)
                      if owners.get(name, dist) not in BASE | {dist}]
    assert wrong == []


def test_the_runtime_loads_only_the_standard_library_and_pluggy():
    allowed = set(sys.stdlib_module_names) | {"pluggy", "zappa_runtime"}
    wrong = [f"{where(path, line)} imports {name}" for path in modules("zappa_runtime")
             for name, line, loading in imports(path) if loading and name not in allowed]
    assert wrong == []


def test_no_module_in_src_is_over_400_lines():
    sizes = {path: len(path.read_text().splitlines()) for dist in packages().values() for path in modules(dist)}
    assert len(sizes) > 100
    assert [f"{path.relative_to(SRC).as_posix()}: {lines}" for path, lines in sizes.items() if lines > MAX_LINES] == []
