"""One warm worker: a process running one function version's handler (:mod:`zappa_core.local.worker` is
the code it runs), spoken to through a pair of pipes with length-prefixed JSON messages."""

from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import time
import uuid
from pathlib import Path
from typing import Any

from zappa_core.local.invocation import FunctionSpec

INIT_TIMEOUT_S = 30.0


class WorkerGone(Exception):
    """The worker died or its pipe broke before it read the request (safe to retry on a fresh worker)."""


class Worker:
    """One warm process running one function version's handler."""

    def __init__(self, spec: FunctionSpec, task_root: Path, paths: list[str], env: dict[str, str],
                 log_dir: Path, python: str) -> None:
        self.spec = spec
        self.id = uuid.uuid4().hex
        now = time.gmtime()
        self.log_stream = f"{now.tm_year}/{now.tm_mon:02d}/{now.tm_mday:02d}/[{spec.version}]{self.id}"
        self.log_path = log_dir / f"{self.id}.log"
        self.invocations = 0
        self.last_used = time.monotonic()
        self.init_ms: float | None = None
        self.init_error: dict[str, Any] | None = None
        to_worker_r, self._to_worker = os.pipe()
        self._from_worker, from_worker_w = os.pipe()
        # Each sandbox has a /tmp of its own, as on Lambda (slim_handler unpacks the project there).
        self.tmp_dir = log_dir.parent / "tmp" / self.id
        self.tmp_dir.mkdir(parents=True)
        env = dict(env, AWS_LAMBDA_LOG_STREAM_NAME=self.log_stream, TMPDIR=str(self.tmp_dir))
        with open(self.log_path, "ab") as log_file:
            self.process = subprocess.Popen(
                [python, "-S", "-E", "-u", "-c", _worker_source(), str(to_worker_r), str(from_worker_w)],
                stdin=subprocess.DEVNULL, stdout=log_file, stderr=subprocess.STDOUT, cwd=str(task_root),
                env=env, pass_fds=(to_worker_r, from_worker_w), close_fds=True,
            )
        os.close(to_worker_r)
        os.close(from_worker_w)
        self._init_message = {"task_root": str(task_root), "paths": paths, "handler": spec.handler}

    def start(self) -> None:
        """Send ``init`` and wait for the handler to be imported (Lambda's init phase)."""
        self._send(self._init_message)
        reply = self._receive(max(INIT_TIMEOUT_S, self.spec.timeout))
        if reply is None:
            self.init_error = {"errorMessage": "Runtime exited during init", "errorType": "Runtime.ExitError",
                               "stackTrace": []}
        else:
            self.init_ms = reply.get("init_ms")
            self.init_error = reply.get("error")

    def invoke(self, request: dict[str, Any], timeout: float) -> dict[str, Any] | None:
        """One invocation; ``None`` when the deadline passed (the caller kills the worker)."""
        self._send(request)
        self.invocations += 1
        reply = self._receive(timeout)
        self.last_used = time.monotonic()
        return reply

    def read_output(self) -> str:
        """The log written since the last call (the worker appends; we truncate after reading)."""
        try:
            with open(self.log_path, "r+b") as f:
                data = f.read()
                f.truncate(0)
        except FileNotFoundError:
            return ""
        return data.decode("utf-8", errors="replace")

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:  # pragma: no cover - a kill that did not take
            pass
        for fd in (self._to_worker, self._from_worker):
            try:
                os.close(fd)
            except OSError:
                pass
        self._to_worker = self._from_worker = -1
        try:
            self.log_path.unlink()
        except FileNotFoundError:
            pass
        shutil.rmtree(self.tmp_dir, ignore_errors=True)

    def _send(self, message: dict[str, Any]) -> None:
        body = json.dumps(message).encode()
        data = len(body).to_bytes(4, "big") + body
        try:
            while data:
                data = data[os.write(self._to_worker, data):]
        except OSError as exc:
            raise WorkerGone(str(exc)) from exc

    def _receive(self, timeout: float) -> dict[str, Any] | None:
        deadline = time.monotonic() + timeout
        header = self._read_exact(4, deadline)
        if header is None:
            return None
        body = self._read_exact(int.from_bytes(header, "big"), deadline)
        return None if body is None else json.loads(body)

    def _read_exact(self, size: int, deadline: float) -> bytes | None:
        chunks = []
        while size:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            ready, _, _ = select.select([self._from_worker], [], [], remaining)
            if not ready:
                return None
            chunk = os.read(self._from_worker, min(size, 1 << 20))
            if not chunk:
                raise EOFError("worker exited")
            chunks.append(chunk)
            size -= len(chunk)
        return b"".join(chunks)


_WORKER_SOURCE: str | None = None


def _worker_source() -> str:
    global _WORKER_SOURCE
    if _WORKER_SOURCE is None:
        _WORKER_SOURCE = (Path(__file__).parent / "worker.py").read_text()
    return _WORKER_SOURCE
