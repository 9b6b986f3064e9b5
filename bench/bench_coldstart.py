"""Cold start of a real app from its built package: this runtime against apig-wsgi, mangum and zappa 0.63.

A cold start here is what Lambda does for a new container: a fresh interpreter imports the handler module
(the init phase: runtime start, app import) and answers a first API Gateway REST request. Three apps, written
as a user would: a one-route Flask app, a Django project with the settings ``startproject`` gives (admin, auth,
sessions, messages, staticfiles, their middleware) and one JSON view, and a one-route FastAPI app.

The packages are real:
- this tool: ``zappa package dev`` of each app; also the same with ``compile_bytecode: true`` (``.pyc``
  compiled at package time, unchecked-hash);
- apig-wsgi (Flask, Django) and mangum (FastAPI): the same files as this tool's zip (the app and its
  dependencies), without this runtime and with the peer and a one-line ``handler.py`` instead, so that the
  only difference is the adapter;
- zappa 0.63: ``zappa package dev`` of zappa 0.63 itself, run from its virtualenv (which holds the three
  frameworks), as its users build it.

Each package is unzipped into a folder that the timed processes see read-only (as Lambda's ``/var/task``:
nothing can be cached next to the code, so a ``.py`` not shipped as bytecode is compiled at every cold start).
The folder is bind-mounted read-only in a private mount namespace (``unshare -m``); where that cannot be done,
the processes run with ``-B`` instead, and the results say so. boto3, which the Lambda runtime provides and
zappa 0.63 imports, comes from a separate folder of byte-compiled copies (as ``/var/runtime``).

Every timed process is a fresh ``python -I -S``; the runs of all adapters of all apps take turns, in an order
that changes every round, so the machine's slow spells land on all of them alike. Reported per adapter: the
median of the init phase (handler import), of the first request, and of the sum (the cold start), and the
ratio of each one's cold start to its peers' from the same rounds.

Usage: ``python bench/bench_coldstart.py [--rounds R]``. Writes ``bench/results/coldstart.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_runtime import ensure_peers  # noqa: E402  (the peers' venv, shared with the runtime benchmark)
from report import load_average, write_results  # noqa: E402

WORK = HERE / ".work" / "coldstart"
RUNTIME = "python3.11"

FLASK_APP = '''from flask import Flask

app = Flask(__name__)


@app.get("/")
def index():
    return {"hello": "world"}
'''

FASTAPI_APP = '''from fastapi import FastAPI

app = FastAPI()


@app.get("/")
def index():
    return {"hello": "world"}
'''

DJANGO_SETTINGS = '''from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = "bench-only"
DEBUG = False
ALLOWED_HOSTS = ["*"]
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "hello",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
ROOT_URLCONF = "site_conf.urls"
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "DIRS": [],
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
    ]},
}]
WSGI_APPLICATION = "site_conf.wsgi.application"
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "/tmp/bench.sqlite3"}}
USE_TZ = True
STATIC_URL = "static/"
'''

DJANGO_FILES = {
    "site_conf/__init__.py": "",
    "site_conf/settings.py": DJANGO_SETTINGS,
    "site_conf/urls.py": 'from django.contrib import admin\nfrom django.urls import path\n\nfrom hello.views import index\n\n'
                         'urlpatterns = [path("admin/", admin.site.urls), path("", index)]\n',
    "site_conf/wsgi.py": 'import os\n\nfrom django.core.wsgi import get_wsgi_application\n\n'
                         'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site_conf.settings")\n'
                         'application = get_wsgi_application()\n',
    "hello/__init__.py": "",
    "hello/views.py": 'from django.http import JsonResponse\n\n\ndef index(request):\n'
                      '    return JsonResponse({"hello": "world"})\n',
}

APPS = {
    "flask": {"files": {"app.py": FLASK_APP}, "requirements": "flask\n", "stage": {"app_function": "app.app"},
              "peer": "apig-wsgi",
              "peer_handler": "from apig_wsgi import make_lambda_handler\n\nfrom app import app\n\n"
                              "lambda_handler = make_lambda_handler(app)\n"},
    "django": {"files": DJANGO_FILES, "requirements": "django\n", "stage": {"django_settings": "site_conf.settings"},
               "peer": "apig-wsgi",
               "peer_handler": "from apig_wsgi import make_lambda_handler\n\nfrom site_conf.wsgi import application\n\n"
                               "lambda_handler = make_lambda_handler(application)\n"},
    "fastapi": {"files": {"main.py": FASTAPI_APP}, "requirements": "fastapi\n", "stage": {"app_function": "main.app"},
                "peer": "mangum",
                "peer_handler": 'from mangum import Mangum\n\nfrom main import app\n\nlambda_handler = Mangum(app, lifespan="off")\n'},
}
OURS, OURS_PYC, ZAPPA063 = "zappa_runtime", "zappa_runtime, compile_bytecode", "zappa 0.63"
VARIANTS = ((OURS, False), (OURS_PYC, True))  # this tool's packages: (label, compiled at package time)
# what each peer needs in the package beside what the app needs (top-level names in the peers' venv)
PEER_MODULES = {"apig-wsgi": ["apig_wsgi"], "mangum": ["mangum"]}
# what the Lambda runtime provides (/var/runtime): boto3 and what it imports
LAMBDA_PROVIDED = ["boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six.py"]

EVENT = {
    "resource": "/", "path": "/", "httpMethod": "GET",
    "headers": {"Accept": "application/json", "Host": "abc123.execute-api.us-east-1.amazonaws.com",
                "User-Agent": "bench/1.0", "X-Forwarded-For": "203.0.113.9", "X-Forwarded-Port": "443",
                "X-Forwarded-Proto": "https"},
    "multiValueHeaders": {"Accept": ["application/json"], "Host": ["abc123.execute-api.us-east-1.amazonaws.com"],
                          "User-Agent": ["bench/1.0"], "X-Forwarded-For": ["203.0.113.9"],
                          "X-Forwarded-Port": ["443"], "X-Forwarded-Proto": ["https"]},
    "queryStringParameters": None, "multiValueQueryStringParameters": None, "pathParameters": None,
    "stageVariables": None, "body": None, "isBase64Encoded": False,
    "requestContext": {"resourcePath": "/", "httpMethod": "GET", "path": "/dev/", "stage": "dev",
                       "requestId": "r", "protocol": "HTTP/1.1", "domainName": "abc123.execute-api.us-east-1.amazonaws.com",
                       "identity": {"sourceIp": "203.0.113.9", "userAgent": "bench/1.0"}},
}

# One cold start, in a fresh interpreter started with -I -S: the task folder first on sys.path, the
# Lambda-provided libraries last, the Lambda environment set, then import the handler and call it once.
PROBE = r'''
import time
t0 = time.perf_counter()
import json, os, sys
task, provided, event = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
sys.path.insert(0, task)
sys.path.append(provided)
os.chdir(task)

class Context:
    function_name = "cs-dev"; function_version = "$LATEST"; aws_request_id = "r"; memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:cs-dev"
    log_group_name = "/aws/lambda/cs-dev"; log_stream_name = "s"
    def get_remaining_time_in_millis(self): return 30000

t1 = time.perf_counter()
import handler
t2 = time.perf_counter()
response = handler.lambda_handler(event, Context())
t3 = time.perf_counter()
assert response["statusCode"] == 200 and json.loads(response["body"]) == {"hello": "world"}, response
print(json.dumps({"init_ms": (t2 - t1) * 1000, "first_request_ms": (t3 - t2) * 1000, "boot_ms": (t1 - t0) * 1000}))
'''

LAMBDA_ENV = {"AWS_LAMBDA_FUNCTION_NAME": "cs-dev", "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
              "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512", "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1",
              "AWS_EXECUTION_ENV": "AWS_Lambda_python3.11", "LAMBDA_TASK_ROOT": "/var/task",
              "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "LANG": "C.UTF-8",
              "PATH": "/usr/local/bin:/usr/bin:/bin", "TZ": ":UTC"}


def site_packages(python: Path) -> Path:
    out = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                         capture_output=True, text=True, check=True)
    return Path(out.stdout.strip())


def base_python(python: Path) -> Path:
    out = subprocess.run([str(python), "-c", "import sys; print(sys._base_executable)"], capture_output=True,
                         text=True, check=True)
    return Path(out.stdout.strip())


def make_project(name: str, spec: dict, extra: dict | None = None) -> Path:
    root = WORK / "projects" / name
    shutil.rmtree(root, ignore_errors=True)
    for rel, text in spec["files"].items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    (root / "requirements.txt").write_text(spec["requirements"])
    stage = {**spec["stage"], "s3_bucket": "bench-coldstart", "aws_region": "us-east-1", "project_name": "cs",
             "runtime": RUNTIME, **(extra or {})}
    (root / "zappa_settings.json").write_text(json.dumps({"dev": stage}, indent=2))
    return root


def run(cmd: list[str], cwd: Path, env: dict | None = None) -> None:
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")


def unzip(archive: Path, folder: Path) -> dict:
    shutil.rmtree(folder, ignore_errors=True)
    with zipfile.ZipFile(archive) as z:
        z.extractall(folder)
        infos = z.infolist()
    return {"zip_bytes": archive.stat().st_size, "files": len(infos), "unpacked_bytes": sum(i.file_size for i in infos)}


def clean_env() -> dict:
    return {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONDONTWRITEBYTECODE")}


def build_ours(name: str, spec: dict, compiled: bool) -> Path:
    label = f"{name}-ours{'-pyc' if compiled else ''}"
    project = make_project(label, spec, {"compile_bytecode": True} if compiled else None)
    out = WORK / "zips" / f"{label}.zip"
    out.parent.mkdir(parents=True, exist_ok=True)
    run([sys.executable, "-m", "zappa_core", "package", "dev", "-o", str(out)], project, clean_env())
    return out


def build_peer(name: str, spec: dict, ours_task: Path, peers_site: Path) -> Path:
    """This tool's package contents without this runtime (its files, its bytecode, its dependency pluggy), with
    the peer and its handler.py instead."""
    task = WORK / "tasks" / f"{name}-{spec['peer']}"
    shutil.rmtree(task, ignore_errors=True)
    ours_only = {"handler.py", "zappa_manifest.json", "package_info.json", "__pycache__"}
    shutil.copytree(ours_task, task, ignore=lambda folder, names: [
        n for n in names if Path(folder) == ours_task and (n in ours_only or n.startswith(("zappa", "pluggy")))])
    for module in PEER_MODULES[spec["peer"]]:
        shutil.copytree(peers_site / module, task / module, ignore=shutil.ignore_patterns("__pycache__"))
    (task / "handler.py").write_text(spec["peer_handler"])
    return task


def build_zappa063(name: str, spec: dict, peers_python: Path) -> Path:
    project = make_project(f"{name}-zappa063", spec)
    out = WORK / "zips" / f"{name}-zappa063.zip"
    venv = peers_python.parent.parent
    # zappa 0.63 packages its whole virtualenv (minutes on a busy machine): its zip is kept while neither the
    # app nor that virtualenv changed
    stamp = out.with_suffix(".stamp")
    wanted = json.dumps([spec["files"], spec["stage"], (venv / "bench-requirements.txt").read_text()])
    if out.is_file() and stamp.is_file() and stamp.read_text() == wanted:
        return out
    env = clean_env()
    env.update(VIRTUAL_ENV=str(venv), PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}",
               AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1")
    out.unlink(missing_ok=True)
    run([str(venv / "bin" / "zappa"), "package", "dev", "-o", str(out)], project, env)
    stamp.write_text(wanted)
    return out


def lambda_provided(peers_site: Path, python: Path) -> Path:
    folder = WORK / "var-runtime"
    if not folder.is_dir():
        folder.mkdir(parents=True)
        for name in LAMBDA_PROVIDED:
            source = peers_site / name
            (shutil.copytree if source.is_dir() else shutil.copy2)(source, folder / name)
        run([str(python), "-m", "compileall", "-q", str(folder)], folder)
    return folder


def read_only_supported(folder: Path) -> bool:
    probe = subprocess.run(["unshare", "-m", "sh", "-c", f"mount --bind -o ro '{folder}' '{folder}' && "
                            f"! touch '{folder}/.probe' 2>/dev/null"], capture_output=True, check=False)
    return probe.returncode == 0


DRIVER = r'''
import json, random, subprocess, sys
python, provided, event, env, dont_write, rounds, cases = json.loads(sys.argv[1])
flags = ["-I", "-S"] + (["-B"] if dont_write else [])
runs = {name: [] for name in cases}
for _ in range(rounds):
    order = list(cases)
    random.shuffle(order)
    for name in order:
        done = subprocess.run([python, *flags, "-c", PROBE, cases[name], provided, event], env=env,
                              capture_output=True, text=True, check=False)
        if done.returncode != 0:
            sys.exit(f"{name}: cold start failed:\n{done.stderr[-3000:]}")
        runs[name].append(json.loads(done.stdout.strip().splitlines()[-1]))
print(json.dumps(runs))
'''


def time_cold_starts(python: Path, provided: Path, cases: dict[str, Path], rounds: int) -> tuple[dict, str]:
    tasks = WORK / "tasks"
    read_only = read_only_supported(tasks)
    args = json.dumps([str(python), str(provided), json.dumps(EVENT), LAMBDA_ENV, not read_only, rounds,
                       {name: str(task) for name, task in cases.items()}])
    code = f"PROBE = {PROBE!r}\n" + DRIVER
    command = [str(python), "-I", "-c", code, args]
    if read_only:
        mounts = f"mount --bind -o ro '{tasks}' '{tasks}' && mount --bind -o ro '{provided}' '{provided}'"
        command = ["unshare", "-m", "sh", "-c", f'{mounts} && exec "$@"', "sh", *command]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(done.stderr[-3000:])
    how = "read-only bind mount" if read_only else "writable folder, run with -B (no bytecode written)"
    return json.loads(done.stdout.strip().splitlines()[-1]), how


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=int(os.environ.get("BENCH_COLDSTART_ROUNDS", "15")))
    args = parser.parse_args(argv)
    peers_python = ensure_peers()
    peers_site = site_packages(peers_python)
    python = base_python(peers_python)
    provided = lambda_provided(peers_site, python)

    cases: dict[str, Path] = {}
    sizes: dict[str, dict] = {}
    for name, spec in APPS.items():
        print(f"  packaging {name}: this tool (twice), {spec['peer']}, zappa 0.63 ...", flush=True)
        for adapter, compiled in VARIANTS:
            archive = build_ours(name, spec, compiled)
            task = WORK / "tasks" / archive.stem
            sizes[f"{name}: {adapter}"] = unzip(archive, task)
            cases[f"{name}: {adapter}"] = task
        peer_task = build_peer(name, spec, WORK / "tasks" / f"{name}-ours", peers_site)
        cases[f"{name}: {spec['peer']}"] = peer_task
        sizes[f"{name}: {spec['peer']}"] = {"files": sum(1 for p in peer_task.rglob("*") if p.is_file())}
        archive = build_zappa063(name, spec, peers_python)
        task = WORK / "tasks" / archive.stem
        sizes[f"{name}: {ZAPPA063}"] = unzip(archive, task)
        cases[f"{name}: {ZAPPA063}"] = task

    print(f"  timing {len(cases)} cold starts x {args.rounds} rounds, in turns ...", flush=True)
    load_before = load_average()
    runs, how = time_cold_starts(python, provided, cases, args.rounds)
    table = {}
    for case, samples in runs.items():
        total = [s["init_ms"] + s["first_request_ms"] for s in samples]
        table[case] = {"cold_start_ms": statistics.median(total),
                       "init_ms": statistics.median(s["init_ms"] for s in samples),
                       "first_request_ms": statistics.median(s["first_request_ms"] for s in samples),
                       "runs_ms": [round(t, 1) for t in total], **sizes.get(case, {})}

    def ratio(case: str, peer: str) -> float:
        """Median over rounds of this case's cold start over the peer's in the same round."""
        ours = [s["init_ms"] + s["first_request_ms"] for s in runs[case]]
        theirs = [s["init_ms"] + s["first_request_ms"] for s in runs[peer]]
        return statistics.median(a / b for a, b in zip(ours, theirs, strict=True))

    ratios = {}
    for name, spec in APPS.items():
        for adapter, _ in VARIANTS:
            for peer in (spec["peer"], ZAPPA063):
                ratios[f"{name}: {adapter} / {peer}"] = ratio(f"{name}: {adapter}", f"{name}: {peer}")

    print(f"\nPython {platform.python_version()} on {platform.machine()}, {args.rounds} rounds, {how}; "
          "median ms from importing the handler to the first response\n")
    print("| app: adapter | cold start | init (import) | first request | zip bytes |")
    print("|---|---:|---:|---:|---:|")
    for case, row in table.items():
        zip_bytes = f"{row['zip_bytes']:,}" if "zip_bytes" in row else "-"
        print(f"| {case} | {row['cold_start_ms']:.1f} | {row['init_ms']:.1f} | {row['first_request_ms']:.1f} | {zip_bytes} |")
    print("\n| ratio of cold starts (median of same-round ratios) | x |\n|---|---:|")
    for label, value in ratios.items():
        print(f"| {label} | {value:.2f} |")
    write_results("coldstart", {
        "python": platform.python_version(), "machine": platform.machine(), "cpus": os.cpu_count(),
        "load_average_1min": [load_before, load_average()], "rounds": args.rounds,
        "task_folder": how, "event": "API Gateway REST GET /", "cases": table, "ratios": ratios,
    })
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
