"""The edit-deploy loop: ``zappa update`` after a one-line change and with nothing changed, on the local AWS,
and ``zappa serve``'s reload after a one-line change.

The example app (examples/hello) is deployed with ``zappa deploy dev --local``; then, in turns, a no-op
``update`` and an ``update`` after a one-line change of ``app.py`` (each a fresh ``zappa`` process, timed from
launch to exit, with its CPU time). ``zappa serve dev`` then runs the same app; one line of ``app.py`` is
changed and the time until the server answers with the change is measured. The machine is shared: besides wall
time, each figure's CPU time (user + system of the command and its children) is recorded, which load does not
inflate. Writes ``bench/results/loop.json``.
"""

from __future__ import annotations

import http.client
import os
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from report import load_average, machine, write_results

HERE = Path(__file__).resolve().parent
EXAMPLE = HERE.parent / "examples" / "hello"
ZAPPA = [sys.executable, "-m", "zappa_core"]
RUNS = int(os.environ.get("BENCH_LOOP_RUNS", "5"))
RELOADS = int(os.environ.get("BENCH_LOOP_RELOADS", "8"))
GOALS = {"update_one_line_change_s": 1.5, "update_noop_s": 0.5, "serve_reload_s": 0.5}


def timed(project: Path, *args: str) -> tuple[float, float, str]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([*ZAPPA, *args], cwd=project, capture_output=True, text=True, timeout=600, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"zappa {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), done.stdout


def change_line(path: Path, value: str) -> None:
    text = path.read_text()
    path.write_text(re.sub(r"BENCH = .*", f"BENCH = {value!r}", text) if "BENCH = " in text
                    else text + f"\nBENCH = {value!r}\n")


def bench_update(project: Path) -> dict:
    noop, change = {"wall": [], "cpu": []}, {"wall": [], "cpu": []}
    for i in range(RUNS):
        wall, cpu, out = timed(project, "update", "dev", "--local")
        assert "Nothing to update" in out, out
        noop["wall"].append(wall)
        noop["cpu"].append(cpu)
        change_line(project / "app.py", f"run {i}")
        wall, cpu, out = timed(project, "update", "dev", "--local")
        assert "Your updated deployment is live" in out, out
        change["wall"].append(wall)
        change["cpu"].append(cpu)
    return {"noop": noop, "one_line_change": change}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def answer(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode()


def bench_serve(project: Path) -> dict:
    (project / "app.py").write_text((project / "app.py").read_text() + "\n\n@app.get('/bench')\ndef bench():\n"
                                    "    return {'value': BENCH}\n")
    change_line(project / "app.py", "start")
    port = free_port()
    server = subprocess.Popen([*ZAPPA, "serve", "dev", "--port", str(port)], cwd=project, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, start_new_session=True)
    url = f"http://127.0.0.1:{port}/bench"
    reloads = []
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                answer(url)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        for i in range(RELOADS):
            time.sleep(0.5)
            started = time.perf_counter()
            change_line(project / "app.py", f"reload {i}")
            while True:
                try:
                    if f"reload {i}" in answer(url):
                        break
                except (OSError, http.client.HTTPException):  # the old process cut off while it hands over
                    pass
                time.sleep(0.002)
            reloads.append(time.perf_counter() - started)
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    watcher = re.search(r"\((inotify|polling)\)", output)
    return {"reload_s": reloads, "watcher": watcher.group(1) if watcher else None}


def main() -> int:
    scratch = Path(tempfile.mkdtemp(prefix="zappa-bench-loop-"))
    project = scratch / "hello"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns(".zappa", "__pycache__"))
    load_before = load_average()
    try:
        timed(project, "local", "start")
        timed(project, "deploy", "dev", "--local")
        updates = bench_update(project)
        timed(project, "local", "stop")
        serve = bench_serve(project)
    finally:
        subprocess.run([*ZAPPA, "local", "stop"], cwd=project, capture_output=True, timeout=60, check=False)
        shutil.rmtree(scratch, ignore_errors=True)
    figures = {
        "update_noop_s": updates["noop"], "update_one_line_change_s": updates["one_line_change"],
        "serve_reload_s": {"wall": serve["reload_s"], "cpu": []},
    }
    results = {
        "machine": machine(load_before),
        "app": "examples/hello (Flask), deployed with zappa deploy dev --local", "runs": RUNS, "reloads": RELOADS,
        "serve_watcher": serve["watcher"],
        "figures": {name: {"median_wall_s": statistics.median(v["wall"]),
                           "median_cpu_s": statistics.median(v["cpu"]) if v["cpu"] else None,
                           "wall_s": [round(x, 3) for x in v["wall"]], "cpu_s": [round(x, 3) for x in v["cpu"]],
                           "goal_s": GOALS[name]} for name, v in figures.items()},
    }
    print(f"{'measure':<34}{'wall (median)':>15}{'CPU (median)':>15}{'goal':>8}")
    for name, row in results["figures"].items():
        cpu = f"{row['median_cpu_s']:.3f} s" if row["median_cpu_s"] is not None else "-"
        print(f"{name:<34}{row['median_wall_s']:>13.3f} s{cpu:>15}{row['goal_s']:>7} s")
    print(f"serve watches with {serve['watcher']}; load average {results['machine']['load_average_1min']}")
    write_results("loop", results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
