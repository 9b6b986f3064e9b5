"""Build metadata shared by every distribution of this repository (each ``src/*/setup.py`` links to this file).

The version is written once: ``__version__`` in ``src/zappa_core/zappa_core/__init__.py``. A distribution
built from the checkout reads it there; one built from its sdist reads it from the sdist's ``PKG-INFO``.
The requirements are those of ``[tool.zappa-ng]`` in the distribution's ``pyproject.toml``; every one on a
sibling distribution (``zappa-ng`` or ``zappa-ng-*``) is pinned to that version. The project URLs and the
classifiers are the same for every distribution, so they are here too.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from setuptools import setup

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

HERE = Path(__file__).absolute().parent  # the distribution's folder, also when reached through a link
SIBLING = re.compile(r"^zappa-ng(-[a-z-]+)?(\[[a-z,-]+\])?$")
VERSION_LINE = re.compile(r'^__version__ = "([^"]+)"$', re.MULTILINE)
HOME = "https://github.com/zappa-ng/zappa-ng"
URLS = {"Homepage": HOME, "Documentation": f"{HOME}/tree/main/docs", "Source": HOME, "Issues": f"{HOME}/issues",
        "Changelog": f"{HOME}/blob/main/CHANGELOG.md"}
CLASSIFIERS = [
    "Development Status :: 3 - Alpha",
    "Environment :: Console",
    "Framework :: Django",
    "Framework :: FastAPI",
    "Framework :: Flask",
    "Intended Audience :: Developers",
    "Intended Audience :: System Administrators",
    "Operating System :: POSIX",
    "Programming Language :: Python :: 3",
    "Programming Language :: Python :: 3 :: Only",
    "Programming Language :: Python :: 3.10",
    "Programming Language :: Python :: 3.11",
    "Programming Language :: Python :: 3.12",
    "Programming Language :: Python :: 3.13",
    "Topic :: Internet :: WWW/HTTP :: WSGI",
    "Topic :: Software Development :: Build Tools",
    "Topic :: System :: Systems Administration",
    "Typing :: Typed",
]


def version() -> str:
    pkg_info = HERE / "PKG-INFO"
    if pkg_info.is_file():
        found = re.search(r"^Version: (\S+)$", pkg_info.read_text(encoding="utf-8"), re.MULTILINE)
        if found:
            return found.group(1)
    for core in (HERE / "zappa_core", HERE.parent / "zappa_core" / "zappa_core", HERE / "src" / "zappa_core" / "zappa_core"):
        init = core / "__init__.py"
        if init.is_file():
            found = VERSION_LINE.search(init.read_text(encoding="utf-8"))
            if found:
                return found.group(1)
    raise RuntimeError(f"no version found for {HERE}: neither PKG-INFO nor zappa_core/__init__.py")


def pinned(requirements: list[str], to: str) -> list[str]:
    return [f"{r}=={to}" if SIBLING.match(r) else r for r in requirements]


def main() -> None:
    config = tomllib.loads((HERE / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["zappa-ng"]
    shared = version()
    setup(
        version=shared,
        project_urls=URLS,
        classifiers=CLASSIFIERS,
        install_requires=pinned(config.get("dependencies", []), shared),
        extras_require={extra: pinned(reqs, shared) for extra, reqs in config.get("optional-dependencies", {}).items()},
    )


main()
