"""The local Lambda executor: runs function versions in a pool of warm workers, one process per function
version (:mod:`zappa_core.local.workers`), within Lambda's concurrency and payload limits, and frames each
invocation's log as Lambda does (``START``, ``END``, ``REPORT``).

It knows nothing of moto: :mod:`zappa_core.local.moto_seam` makes moto's Lambda backend run its functions
here.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from zappa_core.local import limits, sandbox
from zappa_core.local.invocation import FunctionSpec, InvocationResult
from zappa_core.local.workers import Worker, WorkerGone

log = logging.getLogger("zappa.local.executor")

IDLE_WORKER_TTL_S = 900.0
REAP_INTERVAL_S = 30.0


class Executor:
    """Runs function versions in warm workers; knows nothing of moto (see :func:`install` for that)."""

    def __init__(self, *, aws_endpoint: str, cache_dir: Path | None = None, python: str | None = None,
                 gateway_endpoint: str | None = None) -> None:
        self.aws_endpoint = aws_endpoint
        #: the local gateway (``ZAPPA_LOCAL_GATEWAY`` in the functions' environment), when one runs beside them
        self.gateway_endpoint = gateway_endpoint
        self.cache_dir = Path(cache_dir or Path(tempfile.gettempdir()) / f"zappa-local-{os.getuid()}")
        self.python = python or sys.executable
        self._idle: dict[str, list[Worker]] = {}
        self._busy: set[Worker] = set()
        self._current_key: dict[tuple[str, str], str] = {}  # (function arn, version) -> worker key
        self._lock = threading.Lock()
        self._extract_lock = threading.Lock()
        self._runtime_lib: Path | None = None
        self._warned: set[str] = set()
        self.concurrency = limits.Concurrency()
        self.idle_ttl = IDLE_WORKER_TTL_S
        #: ``exists(spec)``: whether the function version still exists (workers of deleted ones are reaped).
        self.exists: Any = None
        self._reaper: threading.Thread | None = None
        self._stopping = threading.Event()

    # -- public -------------------------------------------------------------------------------------------

    def invoke(self, spec: FunctionSpec, event: Any, *, client_context: Any = None,
               invoked_arn: str | None = None, wait_for_capacity: float = 0.0,
               payload_limit: int = limits.SYNC_PAYLOAD_BYTES) -> InvocationResult:
        """Run one invocation of ``spec`` with ``event``; never raises for a function failure.

        ``invoked_arn`` is the ARN the caller named (an alias ARN, say): the handler's
        ``context.invoked_function_arn``; the version's own ARN by default. Raises
        :class:`~zappa_core.local.limits.Throttled` past the concurrency limits (after waiting up to
        ``wait_for_capacity`` seconds) and :class:`~zappa_core.local.limits.PayloadTooLarge` for an event
        over ``payload_limit`` bytes, as Lambda refuses them.
        """
        limits.check_payload(event, payload_limit)
        self.concurrency.acquire(spec.function_key, spec.reserved_concurrency, wait=wait_for_capacity)
        try:
            result = self._invoke(spec, event, client_context, invoked_arn)
        finally:
            self.concurrency.release(spec.function_key)
        if result.function_error is None and len(result.payload) > limits.SYNC_PAYLOAD_BYTES:
            result.payload = json.dumps(limits.RESPONSE_TOO_LARGE)
            result.function_error = "Unhandled"
        return result

    def _invoke(self, spec: FunctionSpec, event: Any, client_context: Any, invoked_arn: str | None) -> InvocationResult:
        self._start_reaper()
        request_id = str(uuid.uuid4())
        worker, cold = self._acquire(spec)
        started = time.time()  # Lambda's clock starts after the init phase
        lines: list[tuple[int, str]] = []
        if cold:
            lines += _lines(worker.read_output(), started)
        if worker.init_error:
            self._discard(worker)
            return self._finish(spec, worker, request_id, started, lines, json.dumps(worker.init_error),
                                "Unhandled", cold, 0)
        deadline_ms = started * 1000 + spec.timeout * 1000
        request = {
            "event": event,
            "deadline_ms": deadline_ms,
            "trace_id": f"Root=1-{int(started):08x}-{uuid.uuid4().hex[:24]};Sampled=0",
            "context": {
                "function_name": spec.name, "function_version": spec.version, "invoked_function_arn": invoked_arn or spec.arn,
                "memory_limit_in_mb": spec.memory_size, "aws_request_id": request_id,
                "log_group_name": spec.log_group, "log_stream_name": worker.log_stream,
                "client_context": client_context,
            },
        }
        try:
            reply = worker.invoke(request, spec.timeout)
        except EOFError:
            reply = {"error": {"errorMessage": f"RequestId: {request_id} Error: Runtime exited with error: "
                               f"exit status {worker.process.wait()}", "errorType": "Runtime.ExitError",
                               "stackTrace": []}, "dead": True}
        lines += _lines(worker.read_output(), time.time())
        if reply is None:
            self._discard(worker)
            message = f"Task timed out after {spec.timeout:.2f} seconds"
            stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime())
            lines.append((_ms(time.time()), f"{stamp}Z {request_id} {message}"))
            payload = json.dumps({"errorType": "Sandbox.Timedout",
                                  "errorMessage": f"RequestId: {request_id} Error: {message}"})
            return self._finish(spec, worker, request_id, started, lines, payload, "Unhandled", cold, 0)
        if reply.get("dead"):
            self._discard(worker)
        else:
            self._release(worker)
        if "error" in reply:
            return self._finish(spec, worker, request_id, started, lines, json.dumps(reply["error"]), "Unhandled",
                                cold, reply.get("max_rss_kb", 0))
        return self._finish(spec, worker, request_id, started, lines, reply["payload"], None, cold,
                            reply.get("max_rss_kb", 0))

    def workers(self) -> list[dict[str, Any]]:
        """What is warm right now (for ``zappa local status``)."""
        with self._lock:
            everyone = [w for ws in self._idle.values() for w in ws] + list(self._busy)
        return [{"function": w.spec.name, "version": w.spec.version, "pid": w.process.pid,
                 "invocations": w.invocations, "busy": w in self._busy} for w in everyone]

    def shutdown(self) -> None:
        self._stopping.set()
        self._reaper = None
        with self._lock:
            everyone = [w for ws in self._idle.values() for w in ws] + list(self._busy)
            self._idle.clear()
            self._busy.clear()
        for worker in everyone:
            worker.kill()

    # -- workers ------------------------------------------------------------------------------------------

    def _acquire(self, spec: FunctionSpec) -> tuple[Worker, bool]:
        key = spec.worker_key()
        stale: list[Worker] = []
        with self._lock:
            previous = self._current_key.get((spec.arn, spec.version))
            if previous and previous != key:
                stale = self._idle.pop(previous, [])  # new code or configuration: fresh environments
            self._current_key[(spec.arn, spec.version)] = key
            stale += self._reap_idle()
            pool = self._idle.get(key, [])
            worker = None
            while pool:
                candidate = pool.pop()
                if candidate.alive():
                    worker = candidate
                    break
                stale.append(candidate)
            if worker is not None:
                self._busy.add(worker)
        for old in stale:
            old.kill()
        if worker is not None:
            return worker, False
        worker = self._spawn(spec)
        with self._lock:
            self._busy.add(worker)
        return worker, True

    def _start_reaper(self) -> None:
        if self._reaper is None:
            with self._lock:
                if self._reaper is None:
                    self._stopping.clear()
                    self._reaper = threading.Thread(target=self._reap_forever, name="zappa-local-reaper", daemon=True)
                    self._reaper.start()

    def _reap_forever(self) -> None:
        """Stop idle workers on a timer, not only when something is invoked: those idle for ``idle_ttl``
        seconds, and at once those whose function version was deleted (an undeploy)."""
        while not self._stopping.wait(min(REAP_INTERVAL_S, max(self.idle_ttl / 2, 0.05))):
            self.reap()

    def reap(self) -> int:
        """Stop the idle workers that are due now; returns how many."""
        with self._lock:
            doomed = self._reap_idle()
        gone = self._deleted_idle() if self.exists is not None else []
        for worker in doomed + gone:
            worker.kill()
        return len(doomed) + len(gone)

    def _deleted_idle(self) -> list[Worker]:
        with self._lock:
            idle = [(key, w) for key, pool in self._idle.items() for w in pool]
        gone = []
        for key, worker in idle:
            try:
                exists = self.exists(worker.spec)
            except Exception:  # noqa: BLE001 - a lookup failure keeps the worker; the idle timeout still applies
                exists = True
            if not exists:
                with self._lock:
                    pool = self._idle.get(key, [])
                    if worker in pool:
                        pool.remove(worker)
                        if not pool:
                            del self._idle[key]
                        gone.append(worker)
        return gone

    def _reap_idle(self) -> list[Worker]:
        now = time.monotonic()
        reaped = []
        for key, pool in list(self._idle.items()):
            keep = [w for w in pool if now - w.last_used < self.idle_ttl]
            reaped += [w for w in pool if w not in keep]
            if keep:
                self._idle[key] = keep
            else:
                del self._idle[key]
        return reaped

    def _release(self, worker: Worker) -> None:
        key = worker.spec.worker_key()
        with self._lock:
            self._busy.discard(worker)
            if self._current_key.get((worker.spec.arn, worker.spec.version)) == key:
                self._idle.setdefault(key, []).append(worker)
                return
        worker.kill()

    def _discard(self, worker: Worker) -> None:
        with self._lock:
            self._busy.discard(worker)
        worker.kill()

    def _spawn(self, spec: FunctionSpec) -> Worker:
        if not spec.code:
            raise ValueError(f"function {spec.name} has no code package (container images are not supported locally)")
        host = f"python{sys.version_info.major}.{sys.version_info.minor}"
        if spec.runtime and spec.runtime != host and spec.runtime not in self._warned:
            self._warned.add(spec.runtime)
            log.warning("functions declared for %s run on the host's %s locally", spec.runtime, host)
        task_root = sandbox.extract(spec.code, self.cache_dir / "code", self._extract_lock)
        paths: list[str] = []
        for _, layer_code in reversed(spec.layers):  # a later layer wins, as in /opt
            opt = sandbox.extract(layer_code, self.cache_dir / "layers", self._extract_lock)
            paths += [str(opt / "python" / "lib" / host / "site-packages"), str(opt / "python")]
        paths.append(str(self._runtime_library()))
        log_dir = self.cache_dir / "worker-logs"
        log_dir.mkdir(parents=True, exist_ok=True)
        worker = Worker(spec, task_root, paths, sandbox.environment(spec, task_root, self._runtime_library(), self.aws_endpoint,
                                                                    self.gateway_endpoint), log_dir, self.python)
        try:
            worker.start()
        except (WorkerGone, EOFError):
            worker.init_error = {"errorMessage": "Runtime exited during init", "errorType": "Runtime.ExitError",
                                 "stackTrace": []}
        return worker

    def _runtime_library(self) -> Path:
        if self._runtime_lib is None:
            self._runtime_lib = sandbox.runtime_library(self.cache_dir)
        return self._runtime_lib

    def _finish(self, spec: FunctionSpec, worker: Worker, request_id: str, started: float,
                lines: list[tuple[int, str]], payload: str, function_error: str | None, cold: bool,
                max_rss_kb: int) -> InvocationResult:
        ended = time.time()
        duration = (ended - started) * 1000
        start_ms = _ms(started)
        report = (f"REPORT RequestId: {request_id}\tDuration: {duration:.2f} ms\tBilled Duration: "
                  f"{int(duration) + 1} ms\tMemory Size: {spec.memory_size} MB\tMax Memory Used: "
                  f"{max(1, max_rss_kb // 1024)} MB")
        if cold and worker.init_ms is not None:
            report += f"\tInit Duration: {worker.init_ms:.2f} ms"
        framed = [(start_ms, f"START RequestId: {request_id} Version: {spec.version}")]
        framed += lines
        framed += [(_ms(ended), f"END RequestId: {request_id}"), (_ms(ended), report)]
        return InvocationResult(payload=payload, function_error=function_error, request_id=request_id,
                                log_stream=worker.log_stream, log_lines=framed, duration_ms=duration)


def _ms(seconds: float) -> int:
    return int(seconds * 1000)


def _lines(text: str, when: float) -> list[tuple[int, str]]:
    return [(_ms(when), line) for line in text.splitlines()]

