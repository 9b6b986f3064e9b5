"""Helpers for the packaging tests: unzip a package and serve an event through it in ``python -I -S``."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

EVENTS = Path(__file__).resolve().parents[4] / "shared" / "events"
# The interpreter under the virtualenv: with -I -S it sees neither the virtualenv's packages nor
# PYTHONPATH, so the unzipped package must carry everything the app imports.
BASE_PYTHON = getattr(sys, "_base_executable", sys.executable)

SERVE = r"""
import json, os, sys
root = os.getcwd()
sys.path.insert(0, root)
event = json.load(sys.stdin)
import handler

class Context:
    function_name = "demo-dev"
    aws_request_id = "req-1"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:demo-dev"
    def get_remaining_time_in_millis(self):
        return 30000

result = handler.lambda_handler(event, Context())
outside = sorted({os.path.dirname(getattr(m, "__file__", None) or root) for m in list(sys.modules.values())
                  if getattr(m, "__file__", None) and "site-packages" in m.__file__})
print(json.dumps({"result": result, "site_packages_modules": outside}))
"""



def unzip(zip_path: Path, dest: Path) -> Path:
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(dest)
    return dest


def api_gateway_event(path: str = "/") -> dict:
    event = json.loads((EVENTS / "apiGatewayProxyEvent.json").read_text())
    event.update(path=path, resource="/{proxy+}", httpMethod="GET")
    return event


def serve(folder: Path, event: dict) -> dict:
    """Invoke ``handler.lambda_handler`` of an unzipped package in ``python -I -S`` and return its result."""
    return serve_with_path(folder, event, [])


def serve_with_path(folder: Path, event: dict, extra_path: list[Path]) -> dict:
    """:func:`serve`, with ``extra_path`` after the package on ``sys.path`` (a layer's ``/opt/python``)."""
    prelude = f"import sys; sys.path.extend({[str(p) for p in extra_path]!r})\n"
    proc = subprocess.run([BASE_PYTHON, "-I", "-S", "-c", prelude + SERVE], cwd=folder, input=json.dumps(event),
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    assert data["site_packages_modules"] == [], "the package imported code from outside itself"
    return data["result"]
