"""``nox -s peers``: the peers' own test suites, fetched from their sdists on the package index at pinned
versions, run unchanged against this project's runtime through the thin shims in ``shims/`` (each replaces the
peer's entry point with one that hands the events to ``zappa_runtime``).

Every failure must be a known, deliberate difference (``differences.py``, documented in docs/runtime.md with
its reason); an unexplained failure, or a listed difference that no longer fails, makes the run fail.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from differences import DIFFERENCES, FAILING, reason_for  # noqa: E402


@dataclass(frozen=True)
class Peer:
    name: str
    requirement: str  # the sdist, pinned
    tests: tuple[str, ...]  # what pytest runs, relative to the unpacked sdist
    support: str = ""  # a folder of support/ whose files go into the copied tests folder (what the sdist lacks)


PEERS = [
    Peer("apig-wsgi", "apig-wsgi==2.20.0", ("tests",)),
    Peer("mangum", "mangum==0.22.0", ("tests",)),
    Peer("zappa", "zappa==0.63.0", ("tests/test_handler.py",), support="zappa"),
]
NOT_IN_A_REGISTRY = {
    "serverless-wsgi": "its tests are not in any release on the package index (sdists 1.7.8 to 3.0.5) nor in its "
                       "npm packages (1.7.8 to 3.1.0): only in its source repository",
}


def fetch(peer: Peer, cache: Path) -> Path:
    """The unpacked sdist of ``peer`` (downloaded once into ``cache`` with pip)."""
    folder = cache / peer.requirement.replace("==", "-")
    unpacked = [info.parent for info in folder.glob("*/PKG-INFO")]
    if unpacked:
        return unpacked[0]
    download = cache / "sdists"
    download.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:",
                    peer.requirement, "-d", str(download)], check=True)
    name, version = peer.requirement.split("==")
    stems = {name.replace("-", "_"), name}
    archive = next(p for p in download.iterdir() if p.name.endswith(".tar.gz")
                   and any(p.name.lower() == f"{s}-{version}.tar.gz" for s in stems))
    with tarfile.open(archive) as tar:
        tar.extractall(folder, filter="data")
    return next(info.parent for info in folder.glob("*/PKG-INFO"))


def run(peer: Peer, sdist: Path, scratch: Path, log: Path) -> dict[str, str]:
    """``{test id: outcome}`` of the peer's suite run against the runtime through the shims. Only the sdist's
    ``tests`` folder is copied next to the shims: the peer's own package must never be importable."""
    work = scratch / peer.name
    shutil.copytree(sdist / "tests", work / "tests")
    if peer.support:
        shutil.copytree(HERE / "support" / peer.support, work / "tests", dirs_exist_ok=True)
        (work / "tests" / "__init__.py").touch()
    report = scratch / f"{peer.name}.xml"
    env = dict(os.environ, PYTHONPATH=str(HERE / "shims"), PYTHONDONTWRITEBYTECODE="1")
    with log.open("w") as output:
        subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(work),
                        "-o", "addopts=", "-o", "filterwarnings=", f"--junitxml={report}", *peer.tests],
                       cwd=work, env=env, check=False, stdout=output, stderr=subprocess.STDOUT)
    outcomes: dict[str, str] = {}
    for case in ET.parse(report).iter("testcase"):
        test = f"{case.get('classname')}.{case.get('name')}"
        tags = {child.tag for child in case}
        outcomes[test] = ("failed" if tags & {"failure", "error"} else "skipped" if "skipped" in tags else "passed")
    return outcomes


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path,
                        default=Path(os.environ.get("ZAPPA_PEERS_CACHE", Path.home() / ".cache" / "zappa-ng-peers")))
    parser.add_argument("-v", "--verbose", action="store_true", help="list every failure with its reason")
    args = parser.parse_args(argv)
    unexplained: list[str] = []
    stale: list[str] = []
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        for peer in PEERS:
            log = args.cache / f"{peer.name}.log"
            outcomes = run(peer, fetch(peer, args.cache), Path(scratch), log)
            counts = {"passed": 0, "different": 0, "unexplained": 0, "skipped": 0}
            for test, outcome in sorted(outcomes.items()):
                reason = reason_for(peer.name, test)
                if outcome == "failed":
                    key = "different" if reason else "unexplained"
                    counts[key] += 1
                    if not reason:
                        unexplained.append(f"{peer.name}: {test}")
                    elif args.verbose:
                        print(f"  {peer.name}: {test}: {DIFFERENCES[reason]}")
                else:
                    counts[outcome] += 1
                    if outcome == "passed" and test in FAILING.get(peer.name, {}):
                        stale.append(f"{peer.name}: {test} passes but is listed as a difference ({reason})")
            rows.append((peer, len(outcomes), counts))
    print("\n| suite | tests | pass | deliberate differences | unexplained failures | skipped |")
    print("|---|---:|---:|---:|---:|---:|")
    for peer, total, c in rows:
        print(f"| {peer.requirement} | {total} | {c['passed']} | {c['different']} | {c['unexplained']} | {c['skipped']} |")
    for name, why in NOT_IN_A_REGISTRY.items():
        print(f"| {name} | not run: {why} | | | | |")
    for line in unexplained:
        print(f"UNEXPLAINED FAILURE {line}")
    if unexplained:
        print(f"pytest's output of each suite: {args.cache}/<suite>.log")
    for line in stale:
        print(f"STALE DIFFERENCE {line}")
    return 1 if unexplained or stale else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
