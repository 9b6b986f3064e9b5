"""``zappa package`` against Zappa 0.63's, on the same one-route Flask app (``requirements.txt: flask``).

Zappa 0.63 runs from its own virtualenv (``bench/.work/zappa063``, created on first use with zappa==0.63.0
and flask), as its users run it: inside the virtualenv whose site-packages it ships. This tool runs from
the current interpreter. Each is timed as a command (wall time, median of ``RUNS``), then this tool's
unchanged rebuild is timed (the output file already holds the same bytes). Writes bench/results/package.json.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import time
import zipfile
from pathlib import Path

from report import load_average, write_results

HERE = Path(__file__).resolve().parent
WORK = HERE / ".work"
ZAPPA063 = WORK / "zappa063"
SCRATCH = WORK / "package-bench"
RUNS = int(os.environ.get("BENCH_RUNS", "3"))

APP = '''from flask import Flask

app = Flask(__name__)


@app.route("/")
def index():
    return "Hello from Lambda"
'''
SETTINGS = {"dev": {"app_function": "app.app", "s3_bucket": "some-bucket", "aws_region": "us-east-1",
                    "project_name": "demo", "runtime": f"python{sys.version_info.major}.{sys.version_info.minor}"}}


def ensure_zappa063() -> Path:
    python = ZAPPA063 / "bin" / "python"
    if not (ZAPPA063 / "bin" / "zappa").exists():
        print("creating bench/.work/zappa063 (zappa==0.63.0, flask) ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(ZAPPA063)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "zappa==0.63.0", "flask"], check=True)
    return ZAPPA063 / "bin" / "zappa"


def make_app(folder: Path) -> Path:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    (folder / "app.py").write_text(APP)
    (folder / "requirements.txt").write_text("flask\n")
    (folder / "zappa_settings.json").write_text(json.dumps(SETTINGS, indent=1))
    return folder


def timed(cmd: list[str], cwd: Path, env: dict) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, check=False, cwd=cwd, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return elapsed


def zip_stats(path: Path) -> dict:
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
    return {"bytes": path.stat().st_size, "files": len(infos), "unpacked_bytes": sum(i.file_size for i in infos)}


def base_env() -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1")
    return env


def bench_zappa063(app: Path) -> dict:
    zappa = ensure_zappa063()
    env = base_env()
    env.update(VIRTUAL_ENV=str(ZAPPA063), PATH=f"{ZAPPA063 / 'bin'}{os.pathsep}{env.get('PATH', '')}")
    out = app.parent / "zappa063.zip"
    times = []
    for _ in range(RUNS):
        out.unlink(missing_ok=True)
        times.append(timed([str(zappa), "package", "dev", "-o", str(out)], app, env))
    return {"wall_seconds": statistics.median(times), "runs": times, **zip_stats(out)}


def bench_ours(app: Path) -> dict:
    env = base_env()
    out = app.parent / "ours.zip"
    cmd = [sys.executable, "-m", "zappa_core", "package", "dev", "-o", str(out)]
    times = []
    for _ in range(RUNS):
        out.unlink(missing_ok=True)
        times.append(timed(cmd, app, env))
    sha = json.loads(subprocess.run([*cmd, "--json"], cwd=app, env=env, capture_output=True, text=True,
                                    check=True).stdout)
    unchanged_cli = [timed(cmd, app, env) for _ in range(RUNS)]
    # The builder alone, in one process (what `update` pays, the CLI start-up excluded).
    code = ("import time, json; from pathlib import Path; from zappa_core.plugins import get_plugin_manager; "
            "from zappa_core.settings import load_stage; from zappa_core.packaging import PackageContext; "
            "pm = get_plugin_manager(); s = load_stage('dev', pm=pm); "
            f"ctx = PackageContext(project_dir=Path('.'), output=Path({str(out)!r}), quiet=True, pm=pm); "
            "t = time.perf_counter(); b = pm.hook.zappa_build_package(settings=s, context=ctx); "
            "print(json.dumps({'seconds': time.perf_counter() - t, 'unchanged': b.details['unchanged']}))")
    inproc = json.loads(subprocess.run([sys.executable, "-c", code], cwd=app, env=env, capture_output=True,
                                       text=True, check=True).stdout)
    assert inproc["unchanged"], "the rebuild was expected to be unchanged"
    return {"wall_seconds": statistics.median(times), "runs": times, **zip_stats(out), "sha256": sha["sha256"],
            "unchanged_rebuild_cli_seconds": statistics.median(unchanged_cli),
            "unchanged_rebuild_builder_seconds": inproc["seconds"], "dependency_rule": sha["dependency_rule"]}


def main() -> int:
    app = make_app(SCRATCH / "app")
    load_before = load_average()
    ours = bench_ours(app)
    theirs = bench_zappa063(app)
    result = {
        "load_average_1min": [load_before, load_average()],  # a shared machine

        "app": "one-route Flask app, requirements.txt: flask",
        "python": sys.version.split()[0],
        "runs": RUNS,
        "zappa_0_63": theirs,
        "this": ours,
        "ratios": {
            "wall_time": round(ours["wall_seconds"] / theirs["wall_seconds"], 4),
            "zip_bytes": round(ours["bytes"] / theirs["bytes"], 4),
            "files": round(ours["files"] / theirs["files"], 4),
        },
        "goals": {"wall_time_ratio_max": 0.1, "zip_bytes_ratio_max": 0.1, "unchanged_rebuild_seconds_max": 0.5},
    }
    rows = [
        ("wall time (s, median)", f"{theirs['wall_seconds']:.2f}", f"{ours['wall_seconds']:.2f}", result["ratios"]["wall_time"]),
        ("zip size (bytes)", f"{theirs['bytes']:,}", f"{ours['bytes']:,}", result["ratios"]["zip_bytes"]),
        ("files", f"{theirs['files']:,}", f"{ours['files']:,}", result["ratios"]["files"]),
        ("unchanged rebuild, CLI (s)", "-", f"{ours['unchanged_rebuild_cli_seconds']:.2f}", ""),
        ("unchanged rebuild, builder (s)", "-", f"{ours['unchanged_rebuild_builder_seconds']:.3f}", ""),
    ]
    print(f"{'':32} {'zappa 0.63':>14} {'this':>14} {'ratio':>8}")
    for label, a, b, ratio in rows:
        print(f"{label:32} {a:>14} {b:>14} {ratio!s:>8}")
    write_results("package", result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
