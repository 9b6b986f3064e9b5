"""``zappa --help`` wall time: this tool against zappa 0.63.0, in one run on this machine.

Both tools are installed the way users install them (regular, non-editable installs) into their own venvs
under ``bench/.work/`` (created on first use): ``zappa063`` holds ``zappa==0.63.0``, ``ours`` holds the six
distributions of this workspace. Each command runs once to warm up (bytecode, zappa's help cache), then 7
times, interleaved with the other cases; the median is reported. Also shown: this tool with its help cache
off (``ZAPPA_NO_CACHE=1``: typer, pluggy and every plugin loaded), ``--version``, the editable dev venv
when present, and a bare interpreter start (the floor). Writes ``bench/results/cli.json``.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from report import load_average, machine, write_results

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
WORK = HERE / ".work"
RUNS = 7
DISTS = ["zappa_runtime", "zappa_core", "zappa_aws_apigw", "zappa_aws_alb", "zappa_events", "zappa_certs"]


def venv(name: str, requirements: list[str], *, refresh: bool = False) -> Path:
    """A venv under bench/.work with ``requirements`` installed (once; ``refresh`` reinstalls them without
    their dependencies, for the workspace's own sources)."""
    path = WORK / name
    marker = path / ".installed"
    wanted = "\n".join(requirements)
    if marker.is_file() and marker.read_text() == wanted:
        if refresh:
            subprocess.run([str(path / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                            "--no-deps", "--force-reinstall", *requirements], check=True)
        return path
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(path)], check=True)
    subprocess.run([str(path / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                    *requirements], check=True)
    marker.write_text(wanted)
    return path


def run_once(command: list[str], env: dict[str, str], cwd: str) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed: {result.stderr.decode()[-500:]}")
    return elapsed, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> int:
    WORK.mkdir(exist_ok=True)
    anchor = venv("zappa063", ["zappa==0.63.0"])
    ours = venv("ours", [str(REPO / "src" / d) for d in DISTS], refresh=True)
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
    for _label, command, extra in cases:  # warm-up: bytecode, zappa's help cache
        run_once(command, {**base_env, **extra}, cwd)
    times: dict[str, list[tuple[float, float]]] = {label: [] for label, _, _ in cases}
    for _ in range(RUNS):  # interleaved, so that a busy moment slows every case alike
        for label, command, extra in cases:
            times[label].append(run_once(command, {**base_env, **extra}, cwd))
    for label, values in times.items():
        walls, cpus = [w for w, _ in values], [c for _, c in values]
        rows[label] = {"median_s": round(statistics.median(walls), 4), "median_cpu_s": round(statistics.median(cpus), 4),
                       "runs_s": [round(t, 4) for t in walls]}
    load = load_average()

    ratio = rows["this tool"]["median_s"] / rows["zappa 0.63.0"]["median_s"]
    cpu_ratio = rows["this tool"]["median_cpu_s"] / max(rows["zappa 0.63.0"]["median_cpu_s"], 1e-6)
    print(f"{'case':<32} {'wall':>10} {'cpu':>10}")
    for label, row in rows.items():
        print(f"{label:<32} {row['median_s'] * 1000:>7.1f} ms {row['median_cpu_s'] * 1000:>7.1f} ms")
    print(f"\nratio this tool / zappa 0.63.0: wall {ratio:.2f}x, cpu {cpu_ratio:.2f}x (goal: at most 0.6x); "
          f"load average {load}")
    results = {
        "benchmark": "zappa --help wall time, median of 7 after one warm-up run",
        "machine": machine(),
        "cases": rows,
        "ratio_vs_zappa_0_63": round(ratio, 3),
        "cpu_ratio_vs_zappa_0_63": round(cpu_ratio, 3),
        "goal_ratio": 0.6,
    }
    write_results("cli", results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
