"""Deploy, no-op update and undeploy of the same Flask app against the same moto server: this tool vs
zappa 0.63.0, in one run.

The moto server runs in this process on a free 127.0.0.1 port; both tools reach it through
``aws_endpoint_urls`` with ``touch: false``. This tool's packages are byte-compiled first, as an
installation does; zappa 0.63.0 runs from its own virtualenv under ``bench/.work/zappa063`` (with flask and
moto[server], created when missing). Goals: deploy at most 0.25x of zappa's time; a no-op update under
1.5 s that uploads zero bytes.

Writes ``bench/results/deploy.json`` and prints a table.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from report import write_results

HERE = Path(__file__).resolve().parent
WORK = HERE / ".work"
ZAPPA_VENV = WORK / "zappa063"
SERVICES = ("lambda", "s3", "iam", "sts", "logs", "cloudwatch", "apigateway", "apigatewayv2", "cloudformation",
            "events", "sns", "sqs", "dynamodb", "kinesis", "elbv2", "ec2", "acm", "route53", "cognito-idp")
APP = '''from flask import Flask

app = Flask(__name__)


@app.get("/")
def index():
    return {"hello": "world"}
'''
NOOP_RUNS = 3


def ensure_zappa_venv() -> Path:
    python = ZAPPA_VENV / "bin" / "python"
    zappa = ZAPPA_VENV / "bin" / "zappa"
    if not zappa.exists():
        print("creating the zappa 0.63.0 virtualenv (once) ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(ZAPPA_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "zappa==0.63.0", "flask", "moto[server]==5.2.5"],
                       check=True)
    return zappa


TOOL_PACKAGES = ("zappa_core", "zappa_runtime", "zappa_aws_apigw", "zappa_aws_alb", "zappa_events", "zappa_certs",
                 "zappa")


def compile_tool() -> None:
    """Byte-compile this tool's packages, as pip does when it installs them (zappa 0.63.0's virtualenv has
    its ``.pyc`` files): an editable checkout run with ``PYTHONDONTWRITEBYTECODE`` would otherwise compile
    every module from source on every run, which no installed copy does."""
    import compileall
    import importlib.util

    for name in TOOL_PACKAGES:
        spec = importlib.util.find_spec(name)
        for location in (spec.submodule_search_locations or []) if spec else []:
            compileall.compile_dir(location, quiet=1)


def make_project(root: Path, stage: dict) -> Path:
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    (root / "app.py").write_text(APP)
    (root / "requirements.txt").write_text("flask\n")
    (root / "zappa_settings.json").write_text(json.dumps({"dev": stage}, indent=2))
    return root


def timed(cmd: list[str], cwd: Path, env: dict[str, str]) -> dict:
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=900, check=False)
    seconds = time.perf_counter() - started
    result = {"seconds": round(seconds, 3), "exit": proc.returncode}
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        result["error"] = " | ".join(tail)[-400:]
    result["stdout"] = proc.stdout
    return result


def main() -> int:
    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # the server's access log

    import boto3

    zappa063 = ensure_zappa_venv()
    compile_tool()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    endpoints = dict.fromkeys(SERVICES, endpoint)
    base_env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ZAPPA_", "VIRTUAL_ENV"))}
    base_env.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1")
    runtime = f"python{sys.version_info.major}.{sys.version_info.minor}"
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="testing",
                      aws_secret_access_key="testing")
    results: dict = {"moto_endpoint": "127.0.0.1 (ephemeral port)", "python": platform.python_version(),
                     "load_average_start": [round(x, 2) for x in os.getloadavg()]}
    try:
        # -- this tool -----------------------------------------------------------------------------------
        ours_dir = make_project(WORK / "projects" / "ours", {
            "app_function": "app.app", "project_name": "benchours", "s3_bucket": "bench-ours", "aws_region": "us-east-1",
            "runtime": runtime, "touch": False, "aws_endpoint_urls": endpoints})
        ours_env = dict(base_env, ZAPPA_CACHE_DIR=str(WORK / "cache"))
        ours_cmd = [sys.executable, "-m", "zappa_core"]
        ours: dict = {"deploy": timed(ours_cmd + ["deploy", "dev", "--json"], ours_dir, ours_env)}
        # timed as a user runs it; then one --json run reports what was uploaded, and the bucket and the
        # versions are compared before and after (the server's view)
        before = sorted((o["Key"], o["LastModified"]) for o in s3.list_objects_v2(Bucket="bench-ours").get("Contents", []))
        noops = [timed(ours_cmd + ["update", "dev"], ours_dir, ours_env) for _ in range(NOOP_RUNS)]
        report = timed(ours_cmd + ["update", "dev", "--json"], ours_dir, ours_env)
        out = json.loads(report["stdout"]) if report["exit"] == 0 else {}
        after = sorted((o["Key"], o["LastModified"]) for o in s3.list_objects_v2(Bucket="bench-ours").get("Contents", []))
        ours["noop_update"] = {"seconds": round(statistics.median(r["seconds"] for r in noops), 3),
                               "runs": [r["seconds"] for r in noops], "exit": max(r["exit"] for r in noops + [report]),
                               "bytes_uploaded": out.get("bytes_uploaded", -1), "new_version": out.get("version") != "1",
                               "bucket_unchanged": before == after, "json_run_seconds": report["seconds"]}
        ours["undeploy"] = timed(ours_cmd + ["undeploy", "dev", "--yes", "--remove-logs"], ours_dir, ours_env)

        # -- zappa 0.63.0 --------------------------------------------------------------------------------
        s3.create_bucket(Bucket="bench-zappa")
        zappa_dir = make_project(WORK / "projects" / "zappa063", {
            "app_function": "app.app", "project_name": "benchzappa", "s3_bucket": "bench-zappa",
            "aws_region": "us-east-1", "runtime": runtime, "touch": False, "aws_endpoint_urls": endpoints})
        zappa_env = dict(base_env, VIRTUAL_ENV=str(ZAPPA_VENV), PATH=f"{ZAPPA_VENV / 'bin'}:{base_env.get('PATH', '')}")
        theirs: dict = {"deploy": timed([str(zappa063), "deploy", "dev"], zappa_dir, zappa_env)}
        theirs["noop_update"] = timed([str(zappa063), "update", "dev"], zappa_dir, zappa_env)
        theirs["undeploy"] = timed([str(zappa063), "undeploy", "dev", "--yes", "--remove-logs"], zappa_dir, zappa_env)
    finally:
        server.stop()
    for side in (ours, theirs):
        for run in side.values():
            run.pop("stdout", None)
    results["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    results["ours"] = ours
    results["zappa_0_63_0"] = theirs
    ratio = ours["deploy"]["seconds"] / theirs["deploy"]["seconds"] if theirs["deploy"]["seconds"] else None
    results["deploy_ratio"] = round(ratio, 3) if ratio else None
    results["goals"] = {
        "deploy_at_most_0.25x": bool(ratio is not None and ratio <= 0.25 and ours["deploy"]["exit"] == 0),
        "noop_update_under_1.5s": ours["noop_update"]["seconds"] < 1.5 and ours["noop_update"]["exit"] == 0,
        "noop_update_zero_bytes": (ours["noop_update"]["bytes_uploaded"] == 0 and not ours["noop_update"]["new_version"]
                                   and ours["noop_update"]["bucket_unchanged"]),
    }
    print(f"{'step':<14}{'this tool':>12}{'zappa 0.63':>12}   notes")
    for step in ("deploy", "noop_update", "undeploy"):
        a, b = ours[step], theirs[step]
        note = []
        if step == "noop_update":
            note.append(f"ours uploaded {a['bytes_uploaded']} bytes")
        if b.get("exit"):
            note.append(f"zappa exit {b['exit']}: {b.get('error', '')[:80]}")
        if a.get("exit"):
            note.append(f"ours exit {a['exit']}: {a.get('error', '')[:80]}")
        print(f"{step:<14}{a['seconds']:>11.2f}s{b['seconds']:>11.2f}s   {'; '.join(note)}")
    print(f"deploy ratio {results['deploy_ratio']}; goals: {results['goals']}")
    write_results("deploy", results)
    return 0 if all(results["goals"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
