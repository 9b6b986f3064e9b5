"""Where the local AWS of a project is running: a small state file in the project folder.

``zappa local start`` writes it; ``--local`` (or ``ZAPPA_LOCAL=1``) reads it so every client points at the
local AWS. The local AWS capability fills in the rest (see :mod:`zappa_core.local`).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from zappa_core.errors import UsageError

STATE_DIR = ".zappa"
STATE_FILE = "local.json"


def state_path(project_dir: Path) -> Path:
    return Path(project_dir) / STATE_DIR / STATE_FILE


def read_state(project_dir: Path) -> dict[str, Any] | None:
    path = state_path(project_dir)
    try:
        return json.loads(path.read_text())
    except (FileNotFoundError, ValueError):
        return None


def local_endpoint(project_dir: Path) -> str:
    """The local AWS endpoint URL, from ``ZAPPA_LOCAL_ENDPOINT`` or the project's state file."""
    env = os.environ.get("ZAPPA_LOCAL_ENDPOINT")
    if env:
        return env
    state = read_state(project_dir)
    if not state or not state.get("aws_endpoint"):
        raise UsageError("the local AWS is not running for this project", hint="start it with: zappa local start")
    return state["aws_endpoint"]


def local_requested() -> bool:
    return os.environ.get("ZAPPA_LOCAL", "").lower() in ("1", "true", "yes")
