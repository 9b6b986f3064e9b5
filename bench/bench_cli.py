"""``zappa --help`` wall time: this tool against zappa 0.63.0, in one run on this machine.

Both tools are installed the way users install them (regular, non-editable installs) into their own venvs
under ``bench/.work/`` (created on first use): ``zappa063`` holds ``zappa==0.63.0``, ``ours`` holds the six
distributions of this workspace. Each command runs once to warm up (compiling bytecode, filling zappa's
help cache), then 7 times; the median is reported. Also shown: this tool with its help cache turned off
(``ZAPPA_NO_CACHE=1``: typer, pluggy, every plugin loaded) and from the editable dev venv when present.
Writes ``bench/results/cli.json``.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
WORK = HERE / ".work"
RUNS = 7
DISTS = ["zappa_runtime", "zappa_core", "zappa_aws_apigw", "zappa_aws_alb", "zappa_events", "zappa_certs"]


def venv(name: str, requirements: list[str]) -> Path:
    """A venv under bench/.work with ``requirements`` installed (once)."""
    path = WORK / name
    marker = path / ".installed"
    wanted = "\n".join(requirements)
    if marker.is_file() and marker.read_text() == wanted:
        return path
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(path)], check=True)
    subprocess.run([str(path / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                    *requirements], check=True)
    marker.write_text(wanted)
    return path


def median_wall(command: list[str], env: dict[str, str], cwd: str) -> tuple[float, list[float]]:
    subprocess.run(command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        result = subprocess.run(command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        times.append(time.perf_counter() - start)
        if result.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed: {result.stderr.decode()[-500:]}")
    return statistics.median(times), times


def main() -> int:
    WORK.mkdir(exist_ok=True)
    anchor = venv("zappa063", ["zappa==0.63.0"])
    ours = venv("ours", [str(REPO / "src" / d) for d in DISTS])
    cache = tempfile.mkdtemp(prefix="zappa-bench-cache-", dir=WORK)
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("ZAPPA_")}
    base_env.update(ZAPPA_CACHE_DIR=cache, COLUMNS="80")
    cwd = tempfile.mkdtemp(prefix="zappa-bench-cwd-", dir=WORK)

    rows: dict[str, dict] = {}
    cases = [
        ("zappa 0.63.0", [str(anchor / "bin" / "zappa"), "--help"], {}),
        ("this tool", [str(ours / "bin" / "zappa"), "--help"], {}),
        ("this tool, no help cache", [str(ours / "bin" / "zappa"), "--help"], {"ZAPPA_NO_CACHE": "1"}),
        ("this tool, --version", [str(ours / "bin" / "zappa"), "--version"], {}),
    ]
    dev = REPO / ".venv" / "bin" / "zappa"
    if dev.exists():
        cases.append(("this tool, editable dev venv", [str(dev), "--help"], {}))
    python = [str(ours / "bin" / "python"), "-c", "pass"]
    cases.append(("python -c pass (floor)", python, {}))
    for label, command, extra in cases:
        median, times = median_wall(command, {**base_env, **extra}, cwd)
        rows[label] = {"median_s": round(median, 4), "runs_s": [round(t, 4) for t in times]}

    ratio = rows["this tool"]["median_s"] / rows["zappa 0.63.0"]["median_s"]
    print(f"{'case':<32} {'median':>9}")
    for label, row in rows.items():
        print(f"{label:<32} {row['median_s'] * 1000:>7.1f} ms")
    print(f"\nratio this tool / zappa 0.63.0: {ratio:.2f}x (goal: at most 0.6x)")
    results = {
        "benchmark": "zappa --help wall time, median of 7 after one warm-up run",
        "machine": {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count()},
        "cases": rows,
        "ratio_vs_zappa_0_63": round(ratio, 3),
        "goal_ratio": 0.6,
    }
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "cli.json").write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
