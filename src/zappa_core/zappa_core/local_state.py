"""Where the local AWS of a project is running: a small state file in the project folder.

``zappa local start`` launches the local AWS process, which writes ``.zappa/local.json`` once it is
ready: ``{"pid", "token", "aws_endpoint", "gateway_endpoint", "region", "log_file", "project_dir",
"started_at"}``. ``--local`` (or ``ZAPPA_LOCAL=1``) reads it so every client points at the local AWS.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from zappa_core.errors import UsageError

STATE_DIR = ".zappa"
STATE_FILE = "local.json"
LOG_FILE = "local.log"
PROCESS_MARKER = "zappa_core.local"


def state_path(project_dir: Path) -> Path:
    return Path(project_dir) / STATE_DIR / STATE_FILE


def log_path(project_dir: Path) -> Path:
    return Path(project_dir) / STATE_DIR / LOG_FILE


def read_state(project_dir: Path) -> dict[str, Any] | None:
    path = state_path(project_dir)
    try:
        return json.loads(path.read_text())
    except (FileNotFoundError, ValueError):
        return None


def write_state(project_dir: Path, state: dict[str, Any]) -> None:
    """Write the state file atomically (a reader never sees half of it)."""
    path = state_path(project_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    temporary.write_text(json.dumps(state, indent=2) + "\n")
    os.replace(temporary, path)


def local_endpoint(project_dir: Path) -> str:
    """The local AWS endpoint URL, from ``ZAPPA_LOCAL_ENDPOINT`` or the project's state file."""
    env = os.environ.get("ZAPPA_LOCAL_ENDPOINT")
    if env:
        return env
    state = read_state(project_dir)
    if not state or not state.get("aws_endpoint"):
        raise UsageError("the local AWS is not running for this project", hint="start it with: zappa local start")
    return state["aws_endpoint"]


def gateway_endpoint(project_dir: Path) -> str | None:
    """The local HTTP gateway URL, from ``ZAPPA_LOCAL_GATEWAY`` or the state file (``None`` if not running)."""
    env = os.environ.get("ZAPPA_LOCAL_GATEWAY")
    if env:
        return env
    state = read_state(project_dir)
    return (state or {}).get("gateway_endpoint")


def process_alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, finished but not yet reaped, counts as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True


def is_local_aws_process(state: dict[str, Any]) -> bool:
    """Whether the state file's PID is really this project's local AWS (and not a recycled PID)."""
    pid = state.get("pid")
    if not isinstance(pid, int) or pid <= 0 or not process_alive(pid):
        return False
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            argv = f.read().split(b"\0")
    except OSError:
        argv = None
    if argv is not None:
        token = str(state.get("token", "")).encode()
        return any(PROCESS_MARKER.encode() in arg for arg in argv) and (not token or token in argv)
    return _control_token(state) == state.get("token")  # no /proc: ask the process itself


def _control_token(state: dict[str, Any]) -> str | None:
    import urllib.request

    try:
        with urllib.request.urlopen(f"{state['gateway_endpoint']}/__zappa__/status", timeout=2) as response:
            data = json.loads(response.read())
    except Exception:  # noqa: BLE001 - no answer from the local server reads as not running
        return None
    return data.get("token") if data.get("pid") == state.get("pid") else None
