"""What every benchmark does with its figures: ``write_results`` saves them as ``bench/results/<name>.json``
(two-space indented, one trailing newline, so reruns diff cleanly) and says where; ``machine`` describes the
machine they were measured on, load average included (a shared machine slows every figure alike);
``print_figures`` prints the two-column table of the local benchmarks.

Not named ``bench_*.py``: ``bench/run.py`` runs those as benchmarks."""

from __future__ import annotations

import json
import os
import platform
from collections.abc import Iterable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"


def results_path(name: str) -> Path:
    """Where benchmark ``name`` keeps its results."""
    return RESULTS / f"{name}.json"


def write_results(name: str, results: dict[str, Any]) -> Path:
    """Write ``results`` to ``bench/results/<name>.json`` and print the path written."""
    out = results_path(name)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {out.relative_to(HERE.parent)}")
    return out


def load_average() -> float | None:
    """The one-minute load average (None where the system has none)."""
    return round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None


def machine(load_before: float | None = None) -> dict[str, Any]:
    """Python, platform, CPUs and the one-minute load average: now, or ``[before, now]`` when the benchmark
    read it before it started."""
    now = load_average()
    return {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count(),
            "load_average_1min": now if load_before is None else [load_before, now]}


def print_figures(rows: Iterable[tuple[str, float, str]]) -> None:
    """A ``measure | value`` table: each row is (label, value, unit), values with two decimals."""
    print(f"{'measure':<36}{'value':>14}")
    for label, value, unit in rows:
        print(f"{label:<36}{value:>{14 - len(unit) - 1}.2f} {unit}")
