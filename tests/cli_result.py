"""The real CLI run in this process, for the provisioning, multi-region and local AWS tests."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Sequence
from typing import Any

import pytest


class Result:
    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err

    def json(self) -> Any:
        return json.loads(self.out)

    def __repr__(self) -> str:
        return f"<exit {self.code}\nstdout:\n{self.out}\nstderr:\n{self.err}>"


def run_cli(capsys: pytest.CaptureFixture, args: Sequence[str], stdin: str | None = None) -> Result:
    """``zappa *args`` through the CLI's entry point, with ``stdin`` as its input; its exit code and output."""
    from zappa_core.cli import run

    capsys.readouterr()
    saved = sys.stdin
    sys.stdin = io.StringIO(stdin or "")
    try:
        code = run(list(args))
    finally:
        sys.stdin = saved
    out, err = capsys.readouterr()
    return Result(code, out, err)
