"""Large projects: what an app-only change uploads with ``dependencies_layer`` and with ``slim_handler``, against
a plain package, for a Flask app with numpy and pandas (``requirements.txt``; the Lambda wheels are fetched by
the packaging, as for a user); and the cold-start cost of the ``slim_handler`` extraction on this machine.

Each variant is deployed to the local AWS (in this process) through the real CLI, answers one request (pandas
imported from where the variant puts it), then the app alone changes and ``update`` runs: the bytes uploaded by
the deploy and by the update come from ``--json``. The extraction is timed on the slim variant's archive with
the runtime's own extractor (from a file, ``REPEAT`` times, median) and, in the function, from the runtime's
cold-start log line (download from the local S3 plus extraction). Writes bench/results/large_projects.json.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from report import load_average, write_results

HERE = Path(__file__).resolve().parent
SCRATCH = HERE / ".work" / "large-projects"
REPEAT = int(os.environ.get("BENCH_RUNS", "5"))
MIB = 1024 * 1024
RUNTIME = f"python{sys.version_info.major}.{sys.version_info.minor}"  # the local executor runs this interpreter

APP = '''import pandas
from flask import Flask

VERSION = "{version}"
app = Flask(__name__)


@app.route("/")
def index():
    return {{"version": VERSION, "pandas": pandas.__version__, "sum": int(pandas.Series([1, 2, 3]).sum())}}
'''
VARIANTS = {"plain": {}, "dependencies_layer": {"dependencies_layer": True},
            "slim_handler": {"slim_handler": True, "ephemeral_storage": {"Size": 1024}}}


def zappa(project: Path, *args: str) -> dict:
    from zappa_core.cli import run

    os.chdir(project)
    out = io.StringIO()
    saved = sys.stdout
    sys.stdout = out
    try:
        code = run([*args, "--local", "--json"])
    finally:
        sys.stdout = saved
    if code != 0:
        raise SystemExit(f"zappa {' '.join(args)} failed ({code}):\n{out.getvalue()[-3000:]}")
    return json.loads(out.getvalue())


def make_project(name: str, settings: dict) -> Path:
    folder = SCRATCH / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    (folder / "requirements.txt").write_text("flask\nnumpy\npandas\n")
    (folder / "app.py").write_text(APP.format(version="1"))
    stage = {"app_function": "app.app", "project_name": f"big-{name.replace('_', '-')}", "s3_bucket": "bench-code",
             "aws_region": "us-east-1", "runtime": RUNTIME, "keep_warm": False, "log_level": "INFO", **settings}
    (folder / "zappa_settings.json").write_text(json.dumps({"dev": stage}, indent=1))
    return folder


def get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=300) as response:
        return json.loads(response.read())


def run_variant(name: str, settings: dict) -> dict:
    project = make_project(name, settings)
    started = time.perf_counter()
    deployed = zappa(project, "deploy", "dev")
    deploy_seconds = time.perf_counter() - started
    status = zappa(project, "status", "dev")
    first = get(status["url"])
    assert first["version"] == "1" and first["sum"] == 6, first
    (project / "app.py").write_text(APP.format(version="2"))
    started = time.perf_counter()
    updated = zappa(project, "update", "dev")
    update_seconds = time.perf_counter() - started
    assert get(status["url"])["version"] == "2"
    build = project / ".zappa" / "build"
    out = {
        "deploy_bytes_uploaded": deployed["bytes_uploaded"], "deploy_seconds": round(deploy_seconds, 2),
        "update_bytes_uploaded": updated["bytes_uploaded"], "update_seconds": round(update_seconds, 2),
        "update_steps": sorted(c["step"] for c in updated["changes"]),
        "function_code_size": status["code_size"], "pandas": first["pandas"],
        "files": {p.name: p.stat().st_size for p in sorted(build.iterdir())} if build.is_dir() else {},
    }
    if name == "slim_handler":
        out["archive"] = status["project_archive"]
        out["cold_start_log"] = cold_start_line(project)
        out["archive_path"] = str(next(build.glob("*_project.tar.gz")))
    zappa(project, "undeploy", "dev", "--yes")
    return out


def cold_start_line(project: Path) -> dict | None:
    """The runtime's ``extracted ... in N ms`` line of the function's log (download + extraction)."""
    from zappa_core.cli import run

    os.chdir(project)
    out = io.StringIO()
    saved = sys.stdout
    sys.stdout = out
    try:
        run(["tail", "dev", "--local", "--disable-keep-open", "--since", "1h"])
    finally:
        sys.stdout = saved
    found = re.findall(r"\(([\d.]+) MiB unpacked\) extracted into \S+ in (\d+) ms", out.getvalue())
    if not found:
        return None
    mib, ms = (float(found[0][0]), int(found[0][1]))
    return {"unpacked_mib": mib, "ms": ms, "ms_per_mib": round(ms / mib, 2)}


def extraction(archive: Path) -> dict:
    """The runtime's extractor on the archive (from a local file): median ms, and ms per MiB unpacked."""
    from zappa_runtime.slim import extract_tar_stream

    data = archive.read_bytes()
    times = []
    unpacked = 0
    for _ in range(REPEAT):
        target = Path(tempfile.mkdtemp(prefix="slim-bench-"))
        started = time.perf_counter()
        extract_tar_stream(io.BytesIO(data), str(target))
        times.append((time.perf_counter() - started) * 1000)
        unpacked = sum(p.stat().st_size for p in target.rglob("*") if p.is_file())
        shutil.rmtree(target)
    ms = statistics.median(times)
    return {"archive_bytes": len(data), "unpacked_bytes": unpacked, "runs_ms": [round(t, 1) for t in times],
            "median_ms": round(ms, 1), "ms_per_mib": round(ms / (unpacked / MIB), 2)}


def main() -> int:
    from zappa_core.testing import local_aws

    load_before = load_average()
    SCRATCH.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("ZAPPA_CACHE_DIR", str(HERE / ".work" / "cache"))
    results: dict = {}
    with local_aws(SCRATCH / "local", for_cli=True) as aws:
        os.environ["ZAPPA_LOCAL_GATEWAY"] = aws.gateway_endpoint
        for name, settings in VARIANTS.items():
            print(f"  {name} ...", flush=True)
            results[name] = run_variant(name, settings)
    slim = results["slim_handler"]
    slim["extraction"] = extraction(Path(slim.pop("archive_path")))
    plain = results["plain"]["update_bytes_uploaded"]
    result = {
        "load_average_1min": [load_before, load_average()],  # a shared machine
        "app": "one-route Flask app that imports pandas; requirements.txt: flask, numpy, pandas",
        "python": sys.version.split()[0], "runtime": RUNTIME, "variants": results,
        "app_only_change_upload_ratio": {name: round(r["update_bytes_uploaded"] / plain, 4)
                                         for name, r in results.items()},
    }
    print(f"{'':22} {'deploy uploads':>16} {'app-only update uploads':>24} {'function zip':>14}")
    for name, r in results.items():
        print(f"{name:22} {r['deploy_bytes_uploaded'] / MIB:>13.2f} MiB {r['update_bytes_uploaded'] / 1024:>20.1f} KiB "
              f"{r['function_code_size'] / 1024:>10.1f} KiB")
    ex = slim["extraction"]
    print(f"slim_handler extraction: {ex['median_ms']:.0f} ms for {ex['unpacked_bytes'] / MIB:.1f} MiB "
          f"= {ex['ms_per_mib']:.1f} ms/MiB (from a file, median of {REPEAT})")
    if slim.get("cold_start_log"):
        log = slim["cold_start_log"]
        print(f"slim_handler cold start in the function (download + extraction): {log['ms']} ms for "
              f"{log['unpacked_mib']:.1f} MiB = {log['ms_per_mib']:.1f} ms/MiB")
    write_results("large_projects", result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
