"""Local AWS benchmark: `local start` readiness, warm gateway latency for a trivial Flask route, cold start.

Start-up is measured three ways: the readiness `zappa local start` reports (ports bound, state written: moto
is still loading then), the wall time of the whole `zappa local start` command, and the time from launching
that command until the local AWS API has answered a first call (a call made earlier waits for it).

The example app (examples/hello) is deployed to the local AWS with `zappa deploy dev --local`; requests go
over HTTP (one keep-alive connection) through the gateway, the API Gateway route, the executor's warm worker,
the runtime and Flask. A cold start is the first request after a configuration change, which (as on Lambda)
gets a fresh worker. Writes bench/results/local.json.
"""

from __future__ import annotations

import http.client
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

from report import machine, print_figures, write_results

HERE = Path(__file__).resolve().parent
EXAMPLE = HERE.parent / "examples" / "hello"
ZAPPA = [sys.executable, "-m", "zappa_core"]
STARTS = 3
WARM_REQUESTS = 500
COLD_STARTS = 5


def zappa(project: Path, *args: str) -> str:
    result = subprocess.run([*ZAPPA, *args], cwd=project, capture_output=True, text=True, timeout=600, check=False)
    if result.returncode != 0:
        raise SystemExit(f"zappa {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def readiness(project: Path) -> dict[str, list[float]]:
    import boto3

    times: dict[str, list[float]] = {"ready": [], "command": [], "first_answer": []}
    for _ in range(STARTS):
        launched = time.perf_counter()
        started = json.loads(zappa(project, "local", "start", "--json"))
        times["command"].append(time.perf_counter() - launched)
        times["ready"].append(started["ready_seconds"])
        sts = boto3.client("sts", endpoint_url=started["aws_endpoint"], region_name="us-east-1",
                           aws_access_key_id="testing", aws_secret_access_key="testing")
        sts.get_caller_identity()
        times["first_answer"].append(time.perf_counter() - launched)
        zappa(project, "local", "stop")
    return times


def timed_get(connection: http.client.HTTPConnection, path: str) -> float:
    started = time.perf_counter()
    connection.request("GET", path)
    response = connection.getresponse()
    body = response.read()
    elapsed = (time.perf_counter() - started) * 1000
    if response.status != 200 or b"Hello" not in body:
        raise SystemExit(f"GET {path}: {response.status} {body[:200]!r}")
    return elapsed


def gateway_floor() -> list[float]:
    """Gateway + executor alone: a route that invokes a one-line handler returning a fixed response."""
    import io
    import zipfile

    from zappa_core.local.http import LocalResponse
    from zappa_core.local.server import LocalAws
    from zappa_core.records import LocalRoute

    routes: list = []
    with tempfile.TemporaryDirectory() as cache, LocalAws(scheduler=False, route_provider=lambda: routes,
                                                          cache_dir=Path(cache)) as aws:
        clients = aws.state.aws
        role = clients.client("iam").create_role(RoleName="bench", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("app.py", "def handler(event, context):\n    return 'Hello'\n")
        clients.client("lambda").create_function(FunctionName="floor", Runtime="python3.11", Role=role,
                                                 Handler="app.handler", Code={"ZipFile": buffer.getvalue()})

        def handle(request):
            payload, _ = aws.state.invoke("floor", {"path": request.path})
            return LocalResponse(200, [("Content-Type", "text/plain")], payload.encode())

        routes.append(LocalRoute(kind="url", key="floor", handle=handle))
        aws.gateway.invalidate()
        connection = http.client.HTTPConnection("127.0.0.1", aws.gateway.port, timeout=60)
        for _ in range(20):
            timed_get(connection, "/floor/")
        times = [timed_get(connection, "/floor/") for _ in range(WARM_REQUESTS)]
        connection.close()
        return times


def main() -> int:
    floor = gateway_floor()
    scratch = Path(tempfile.mkdtemp(prefix="zappa-bench-local-"))
    project = scratch / "hello"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns(".zappa", "__pycache__"))
    try:
        ready = readiness(project)
        zappa(project, "local", "start")
        zappa(project, "deploy", "dev", "--local")
        status = json.loads(zappa(project, "status", "dev", "--local", "--json"))
        url = urlsplit(status["urls"]["api"])
        connection = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
        for _ in range(20):
            timed_get(connection, url.path)
        warm = [timed_get(connection, url.path) for _ in range(WARM_REQUESTS)]

        state = json.loads((project / ".zappa" / "local.json").read_text())
        import boto3

        lam = boto3.client("lambda", endpoint_url=state["aws_endpoint"], region_name="us-east-1",
                           aws_access_key_id="testing", aws_secret_access_key="testing")
        name = status["function_name"]
        base_env = lam.get_function_configuration(FunctionName=name).get("Environment", {}).get("Variables", {})
        cold = []
        for i in range(COLD_STARTS):
            lam.update_function_configuration(FunctionName=name, Environment={"Variables": {**base_env, "BENCH_RUN": str(i)}})
            cold.append(timed_get(connection, url.path))
        connection.close()
    finally:
        subprocess.run([*ZAPPA, "local", "stop"], cwd=project, capture_output=True, timeout=60, check=False)
        shutil.rmtree(scratch, ignore_errors=True)

    results = {
        "machine": machine(),
        "local_start_ready_s": {"runs": ready["ready"], "median": statistics.median(ready["ready"]), "goal": "< 2",
                                "what": "reported by zappa local start: ports accept calls, state file written"},
        "local_start_command_s": {"runs": ready["command"], "median": statistics.median(ready["command"]),
                                  "what": "wall time of the whole zappa local start command"},
        "local_start_first_answer_s": {"runs": ready["first_answer"],
                                       "median": statistics.median(ready["first_answer"]),
                                       "what": "from launching zappa local start to the API's first answer"},
        "gateway_warm_ms": {"requests": len(warm), "p50": statistics.median(warm), "p99": percentile(warm, 0.99),
                            "mean": statistics.fmean(warm), "goal_p50": "< 5",
                            "route": "GET / of examples/hello (Flask) through the REST API route"},
        "gateway_floor_ms": {"requests": len(floor), "p50": statistics.median(floor), "p99": percentile(floor, 0.99),
                             "route": "a route invoking a one-line handler (gateway + executor, no runtime or Flask)"},
        "cold_start_ms": {"runs": cold, "median": statistics.median(cold),
                          "what": "first request after a configuration change: fresh worker, runtime cold start, Flask import"},
    }
    print_figures([
        (f"local start ready (median of {STARTS})", results["local_start_ready_s"]["median"], "s"),
        ("local start command, wall", results["local_start_command_s"]["median"], "s"),
        ("local start to first API answer", results["local_start_first_answer_s"]["median"], "s"),
        ("gateway warm p50", results["gateway_warm_ms"]["p50"], "ms"),
        ("gateway warm p99", results["gateway_warm_ms"]["p99"], "ms"),
        ("gateway + executor floor p50", results["gateway_floor_ms"]["p50"], "ms"),
        (f"cold start (median of {COLD_STARTS})", results["cold_start_ms"]["median"], "ms"),
    ])
    write_results("local", results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
