"""What ``zappa invoke`` and ``manage`` print: the function's log, its result, and for a failure one error.

Lambda reports an error twice: the runtime writes ``[ERROR] Type: message`` and the traceback into the log,
and the response carries ``errorMessage``, ``errorType`` and ``stackTrace``. A person needs it once: the log
is printed without that block, the traceback is printed only when a frame of it is the app's own code (a
function that cannot be found fails inside the runtime: its traceback says nothing the message does not), and
the message is the command's one error line.
"""

from __future__ import annotations

import sys
from typing import Any

from zappa_core import color as colors

# Frames of these files are the runtime's, not the app's.
RUNTIME_FRAMES = ("/zappa_runtime/", "/pluggy/", "/zappa_events/", "/zappa_aws_apigw/", "/var/runtime/",
                  "/awslambdaric/")


def log_lines(log: str, color: bool, error: dict | None = None) -> list[str]:
    """The function's log without Lambda's START/END lines and without the error report of ``error``."""
    lines = log.rstrip("\n").splitlines()
    if error:
        head = f"[ERROR] {error.get('errorType')}: {error.get('errorMessage')}"
        starts = [i for i, line in enumerate(lines) if line.startswith(head.splitlines()[0])]
        if starts:
            end = next((i for i in range(starts[-1], len(lines)) if lines[i].startswith("REPORT RequestId")),
                       len(lines))
            lines = lines[:starts[-1]] + lines[end:]
    on = colors.enabled(sys.stdout, None if color else False)
    out = []
    for line in lines:
        if line.startswith(("START RequestId", "END RequestId")):
            continue
        if line.startswith("REPORT RequestId"):
            line = colors.style(line, "2", on)
        elif "Traceback" in line or "Error" in line:
            line = colors.style(line, "31", on)
        out.append(line)
    return out


def app_traceback(error: dict) -> list[str]:
    """The traceback of ``error`` when it passes through the app's code, else nothing."""
    frames = [str(frame) for frame in error.get("stackTrace") or []]
    first_app = next((i for i, frame in enumerate(frames) if not any(part in frame for part in RUNTIME_FRAMES)), None)
    if first_app is None:
        return []
    # from the app's first frame on: the runtime's frames above it are the same for every invocation
    return ["Traceback (most recent call last):", *(f.rstrip("\n") for f in frames[first_app:])]


def error_message(error: Any, fallback: str) -> str:
    """The one line that says what failed: ``Type: message`` for the app's exceptions, the message alone
    for the runtime's own (which say what they mean)."""
    if not is_error_payload(error):
        return f"the function failed ({fallback})"
    message = str(error["errorMessage"])
    if app_traceback(error) and error.get("errorType"):
        return f"{error['errorType']}: {message}"
    return message


def is_error_payload(result: Any) -> bool:
    return isinstance(result, dict) and "errorMessage" in result
