"""Each distribution declares exactly what its code imports: every third-party import (at module level or inside
a function) is a declared requirement of that distribution, and every declared requirement is imported (or
run, for pip). The few exceptions say why."""

from __future__ import annotations

import ast
import sys
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

REPO = Path(__file__).resolve().parent.parent
PACKAGES = {
    "zappa_core": ["zappa_core"],
    "zappa_runtime": ["zappa_runtime"],
    "zappa_aws_apigw": ["zappa_aws_apigw"],
    "zappa_aws_alb": ["zappa_aws_alb"],
    "zappa_events": ["zappa_events", "zappa"],
    "zappa_certs": ["zappa_certs"],
}
OWN = {"zappa_core": "zappa-ng-core", "zappa_runtime": "zappa-ng-runtime", "zappa_aws_apigw": "zappa-ng-aws-apigw",
       "zappa_aws_alb": "zappa-ng-aws-alb", "zappa_events": "zappa-ng-events", "zappa_certs": "zappa-ng-certs",
       "zappa": "zappa-ng-events"}
# Imported but not declared, and why.
PROVIDED = {
    "zappa_core": {
        "click": "typer's (typer < 0.29 depends on click; later ones vendor it as typer._click, tried first)",
        "pytest": "zappa_core.testing is a pytest plugin (pytest11 entry point): it is only imported by pytest",
        "IPython": "optional: zappa shell uses it when the user has it, else the standard library's console",
        "zappa_aws_alb": "optional, guarded: serve and events name the extra to install when it is missing",
        "zappa_aws_apigw": "optional, guarded: serve and events name the extra to install when it is missing",
        "zappa_events": "optional, guarded: serve and events name the extra to install when it is missing",
    },
    "zappa_runtime": {
        "boto3": "imported lazily inside AWS Lambda, whose Python runtime provides it",
        "django": "imported only for a Django app's management commands, when the app ships Django",
        "snapshot_restore_py": "imported only in a SnapStart init on AWS Lambda, whose Python runtime provides it",
    },
}
# Declared but not imported, and why.
RUN_NOT_IMPORTED = {"zappa_core": {"pip": "run as `python -m pip download` for the Lambda wheels"}}


def imports(folder: Path) -> set[str]:
    """Top-level names of every absolute import under ``folder``."""
    names = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module.split(".")[0])
    return names


def declared(folder: str) -> set[str]:
    config = tomllib.loads((REPO / "src" / folder / "pyproject.toml").read_text())["tool"]["zappa-ng"]
    requirements = list(config.get("dependencies", []))
    for extra in config.get("optional-dependencies", {}).values():
        requirements += extra
    return {canonicalize_name(Requirement(r).name) for r in requirements}


def test_each_distribution_declares_exactly_what_it_imports():
    owners = metadata.packages_distributions()
    problems = []
    for folder, packages in PACKAGES.items():
        used: dict[str, str] = {}
        for package in packages:
            for name in imports(REPO / "src" / folder / package):
                if name in sys.stdlib_module_names or name == "__future__" or OWN.get(name) == OWN[folder]:
                    continue
                if name in PROVIDED.get(folder, {}):
                    continue
                dists = owners.get(name) or [OWN.get(name, name)]
                used[canonicalize_name(dists[0])] = name
        wanted = declared(folder)
        problems += [f"{folder} imports {name} ({dist}) without declaring it" for dist, name in used.items()
                     if dist not in wanted]
        problems += [f"{folder} declares {dist} and never imports it" for dist in wanted - set(used)
                     if dist not in RUN_NOT_IMPORTED.get(folder, {})]
    assert problems == []
