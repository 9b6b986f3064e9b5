"""Lambda wheels for compiled dependencies: ``pip download`` for the target platform, into a checked cache.

The cache (``<cache_dir>/wheels``) keeps each wheel under its sha256 and an index file per request
(``index/<key>.json``: file names and their sha256). A wheel is used only if its bytes still hash to the
recorded value and it opens as a wheel; a broken or empty file is deleted and fetched again. Files are
written to a temporary folder first and moved into place with an atomic rename, so an interrupted
download never leaves a half file behind. Nothing here touches the network when the cache answers.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from zappa_core.packaging.context import PackagingError
from zappa_core.packaging.distfiles import check_wheel
from zappa_core.packaging.target import LambdaTarget
from zappa_core.packaging.zipwriter import file_sha256


class WheelCache:
    def __init__(self, root: Path) -> None:
        self.root = Path(root) / "wheels"

    def _index(self, key: str) -> Path:
        return self.root / "index" / f"{hashlib.sha256(key.encode()).hexdigest()[:32]}.json"

    def get(self, key: str) -> list[Path] | None:
        """The wheels recorded for ``key``, or ``None`` when missing or any of them is damaged."""
        index = self._index(key)
        try:
            records = json.loads(index.read_text())["wheels"]
        except (OSError, ValueError, KeyError, TypeError):
            return None
        paths = []
        for record in records:
            path = self.root / "files" / record["sha256"] / record["file"]
            if file_sha256(path) != record["sha256"] or not check_wheel(path):
                if path.exists():
                    path.unlink()
                index.unlink(missing_ok=True)
                return None
            paths.append(path)
        return paths

    def put(self, key: str, wheels: list[Path]) -> list[Path]:
        """Move downloaded ``wheels`` into the cache (atomically) and record them under ``key``."""
        records, paths = [], []
        for wheel in wheels:
            if not check_wheel(wheel):
                raise PackagingError(f"pip downloaded a damaged wheel: {wheel.name}", hint="run the command again")
            sha = file_sha256(wheel)
            target = self.root / "files" / sha / wheel.name
            target.parent.mkdir(parents=True, exist_ok=True)
            if file_sha256(target) != sha:
                os.replace(wheel, target)
            records.append({"file": wheel.name, "sha256": sha})
            paths.append(target)
        index = self._index(key)
        index.parent.mkdir(parents=True, exist_ok=True)
        tmp = index.with_name(f".{index.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"key": key, "wheels": records}, indent=1, sort_keys=True))
        os.replace(tmp, index)
        return paths

    def scratch(self) -> Path:
        """A temporary download folder on the cache's file system (so moves are atomic renames)."""
        self.root.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=".download-", dir=self.root))


def pip_download(target: LambdaTarget, requirements: list[str], dest: Path, *, no_deps: bool) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "pip", "download", "--disable-pip-version-check", "--no-input", "--quiet",
           *target.pip_download_args(), "--dest", str(dest)]
    if no_deps:
        cmd.append("--no-deps")
    cmd += requirements
    return subprocess.run(cmd, check=False, capture_output=True, text=True, stdin=subprocess.DEVNULL)


def _last_lines(text: str, count: int = 4) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return "\n    ".join(lines[-count:])


def fetch(cache: WheelCache, target: LambdaTarget, requirements: list[str], *, no_deps: bool,
          what: str, remedy: str) -> tuple[list[Path], bool]:
    """The wheels for ``requirements`` on ``target``: from the cache, else downloaded by pip.

    Returns the wheel paths and whether they were downloaded now. ``what`` and ``remedy`` make the error
    message when pip finds no matching wheel.
    """
    key = json.dumps({"target": target.key, "requirements": sorted(requirements), "no_deps": no_deps})
    cached = cache.get(key)
    if cached is not None:
        return cached, False
    scratch = cache.scratch()
    try:
        result = pip_download(target, requirements, scratch, no_deps=no_deps)
        if result.returncode != 0:
            raise PackagingError(
                f"{what}: no wheel for {target.describe()} could be downloaded.\n    pip said: "
                f"{_last_lines(result.stderr or result.stdout)}",
                hint=remedy,
            )
        wheels = sorted(p for p in scratch.iterdir() if p.suffix == ".whl")
        return cache.put(key, wheels), True
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
