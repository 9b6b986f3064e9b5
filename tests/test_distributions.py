"""Each distribution builds as the package index would get it: an sdist, and from that sdist alone (away from
the repository) a wheel whose metadata has the shared version, the pinned siblings, the SPDX licence with its
file, classifiers, URLs and readme, and which ships py.typed."""

from __future__ import annotations

import email.parser
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

import zappa_core

REPO = Path(__file__).resolve().parent.parent
FOLDERS = {"zappa-ng": REPO, "zappa-ng-core": REPO / "src/zappa_core", "zappa-ng-runtime": REPO / "src/zappa_runtime",
           "zappa-ng-aws-apigw": REPO / "src/zappa_aws_apigw", "zappa-ng-aws-alb": REPO / "src/zappa_aws_alb",
           "zappa-ng-events": REPO / "src/zappa_events", "zappa-ng-certs": REPO / "src/zappa_certs"}
BUILD_SDIST = "import sys; from setuptools import build_meta; print(build_meta.build_sdist(sys.argv[1]))"

pytestmark = pytest.mark.slow


def build(name: str, out: Path) -> tuple[dict, list[str]]:
    """Build the sdist of ``name``, unpack it outside the repository, build the wheel from it; returns the
    wheel's metadata headers and its file names."""
    sdist_dir, unpacked, wheel_dir = out / "sdist", out / "unpacked", out / "wheel"
    result = subprocess.run([sys.executable, "-c", BUILD_SDIST, str(sdist_dir)], cwd=FOLDERS[name],
                            capture_output=True, text=True, check=False, timeout=300)
    assert result.returncode == 0, result.stderr
    sdist = sdist_dir / result.stdout.strip().splitlines()[-1]
    with tarfile.open(sdist) as archive:
        archive.extractall(unpacked, filter="data")
    (source,) = unpacked.iterdir()
    result = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                             "-w", str(wheel_dir), str(source)], capture_output=True, text=True, check=False, timeout=300)
    assert result.returncode == 0, result.stderr
    (wheel,) = wheel_dir.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        meta_name = next(n for n in names if n.endswith(".dist-info/METADATA"))
        headers = email.parser.Parser().parsestr(archive.read(meta_name).decode())
    return headers, names


@pytest.mark.parametrize("name", list(FOLDERS))
def test_a_wheel_built_from_the_sdist_has_the_metadata(name, tmp_path):
    version = zappa_core.__version__
    meta, files = build(name, tmp_path)
    assert meta["Name"] == name and meta["Version"] == version
    assert meta["License-Expression"] == "MIT"
    assert meta["License-File"] == "LICENSE" and any(f.endswith(".dist-info/licenses/LICENSE") for f in files)
    assert "Typing :: Typed" in meta.get_all("Classifier") and meta["Requires-Python"] == ">=3.10"
    assert {u.split(",")[0] for u in meta.get_all("Project-URL")} == {"Homepage", "Documentation", "Source", "Issues",
                                                                      "Changelog"}
    assert meta["Description-Content-Type"] == "text/markdown" and meta.get_payload().startswith("# ")
    siblings = [r for r in meta.get_all("Requires-Dist") or [] if r.startswith("zappa-ng")]
    assert all(f"=={version}" in r for r in siblings)
    if name != "zappa-ng":
        package = FOLDERS[name].name
        assert f"{package}/py.typed" in files and f"{package}/__init__.py" in files
        assert not any(f.startswith(("tests/", "setup.py")) for f in files)
    if name == "zappa-ng-events":
        assert "zappa/asynchronous.py" in files and "zappa/py.typed" in files and "zappa/__init__.py" not in files
    if name == "zappa-ng-aws-apigw":  # both ship a part of the ``zappa`` namespace package
        assert "zappa/websocket.py" in files and "zappa/__init__.py" not in files
    if name == "zappa-ng-aws-alb":
        assert siblings == [f"zappa-ng-core=={version}"]
