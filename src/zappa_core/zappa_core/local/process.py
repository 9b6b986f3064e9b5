"""The local AWS as a background process: argument parsing, the state file, signals.

The process writes the project's state file (``.zappa/local.json``) once both ports accept connections, so
the ``zappa local start`` that launched it knows it is ready; moto is still loading then, and calls made
meanwhile wait for it (see :mod:`zappa_core.local.server`). If loading fails, the process removes the file
and exits with 1; it removes the file too when it stops.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import threading
import time
from pathlib import Path

from zappa_core import local_state
from zappa_core.local.server import LocalAws


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m zappa_core.local")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the local AWS in the foreground")
    serve.add_argument("--project", default=".", help="project folder (the state file goes in its .zappa/)")
    serve.add_argument("--port", type=int, default=0, help="port of the AWS API (0: any free port)")
    serve.add_argument("--gateway-port", type=int, default=0, help="port of the HTTP gateway (0: any free port)")
    serve.add_argument("--region", default="us-east-1")
    serve.add_argument("--token", default="", help="identifies this process in the state file")
    serve.add_argument("--log-file", default="")
    serve.add_argument("--concurrency", type=int, default=None, help="the account's Lambda concurrency")
    args = parser.parse_args(argv)
    code = serve_forever(Path(args.project).resolve(), port=args.port, gateway_port=args.gateway_port,
                         region=args.region, token=args.token, log_file=args.log_file,
                         concurrency=args.concurrency)
    logging.shutdown()
    os._exit(code)  # everything is closed; do not wait for daemon threads still importing moto backends


def serve_forever(project: Path, *, port: int, gateway_port: int, region: str, token: str, log_file: str,
                  concurrency: int | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    started = time.perf_counter()
    stopping = threading.Event()

    def on_signal(signum: int, frame: object) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    aws = LocalAws(port=port, gateway_port=gateway_port, region=region,
                   cache_dir=project / local_state.STATE_DIR / "cache", prewarm=True, concurrency=concurrency)
    aws.control = lambda path: {"token": token, "project_dir": str(project)}
    aws.start(wait=False)
    state = {
        "pid": os.getpid(),
        "token": token,
        "aws_endpoint": aws.aws_endpoint,
        "gateway_endpoint": aws.gateway_endpoint,
        "region": region,
        "log_file": log_file,
        "project_dir": str(project),
        "started_at": time.time(),
    }
    local_state.write_state(project, state)
    logging.getLogger("zappa.local").info(
        "local AWS ready in %.2fs: aws %s, gateway %s", time.perf_counter() - started, aws.aws_endpoint,
        aws.gateway_endpoint)

    def watch_load() -> None:
        aws.wait_ready_quietly()
        if aws.load_error is not None:
            failed.set()
            stopping.set()

    failed = threading.Event()
    threading.Thread(target=watch_load, name="zappa-local-watch", daemon=True).start()
    try:
        stopping.wait()
    finally:
        logging.getLogger("zappa.local").info("stopping")
        aws.stop()
        logging.getLogger("zappa.local").info("stopped")
        current = local_state.read_state(project)
        if current and current.get("pid") == os.getpid():
            local_state.state_path(project).unlink(missing_ok=True)
    return 1 if failed.is_set() else 0
