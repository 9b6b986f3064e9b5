"""Local WebSocket benchmark: the round trip of a message through the local AWS.

A project whose ``websocket_handler_module`` echoes every message back through the management API is deployed
with ``zappa deploy dev --local``; a real WebSocket client (``websockets``) connects to the URL ``zappa status``
prints and sends 1,000 text messages one after the other. One round trip is: the client's frame -> the local
gateway -> a ``$default`` invocation of the function (warm worker, runtime, the handler) -> ``send_message`` ->
the management API on the gateway -> a frame on the client's socket. Writes bench/results/websocket.json.
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_local import ZAPPA, percentile, zappa
from report import machine, print_figures, write_results

MESSAGES = 1000
WARMUP = 20

ECHO = '''from zappa.websocket import on_connect, on_message, send_message


@on_connect
def connect(event, context):
    return {"statusCode": 200}


@on_message
def message(event, context):
    send_message(event["requestContext"]["connectionId"], event["body"])
    return {"statusCode": 200}
'''


def round_trips(url: str) -> list[float]:
    from websockets.sync.client import connect

    times = []
    with connect(url, open_timeout=120) as ws:
        for i in range(WARMUP + MESSAGES):
            text = f"message {i}"
            started = time.perf_counter()
            ws.send(text)
            answer = ws.recv(timeout=60)
            elapsed = (time.perf_counter() - started) * 1000
            if answer != text:
                raise SystemExit(f"sent {text!r}, got {answer!r}")
            if i >= WARMUP:
                times.append(elapsed)
    return times


def main() -> int:
    project = Path(tempfile.mkdtemp(prefix="zappa-bench-ws-"))
    (project / "app.py").write_text("def app(environ, start_response):\n    start_response('200 OK', [])\n    return [b'']\n")
    (project / "echo.py").write_text(ECHO)
    (project / "zappa_settings.json").write_text(json.dumps({"dev": {
        "project_name": "wsbench", "app_function": "app.app", "s3_bucket": "wsbench-code", "aws_region": "us-east-1",
        "apigateway_enabled": False, "keep_warm": False, "touch": False, "websocket_handler_module": "echo"}}))
    try:
        zappa(project, "local", "start")
        zappa(project, "deploy", "dev", "--local")
        url = json.loads(zappa(project, "status", "dev", "--local", "--json"))["urls"]["websocket"]
        times = round_trips(url)
    finally:
        subprocess.run([*ZAPPA, "local", "stop"], cwd=project, capture_output=True, timeout=60, check=False)
        shutil.rmtree(project, ignore_errors=True)
    results = {
        "machine": machine(),
        "websocket_round_trip_ms": {
            "messages": len(times), "p50": statistics.median(times), "p99": percentile(times, 0.99),
            "mean": statistics.fmean(times), "max": max(times),
            "what": "client frame -> gateway -> $default invocation (warm) -> send_message -> management API -> client frame"},
    }
    print_figures([("WebSocket round trip p50", results["websocket_round_trip_ms"]["p50"], "ms"),
                   ("WebSocket round trip p99", results["websocket_round_trip_ms"]["p99"], "ms")])
    write_results("websocket", results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
