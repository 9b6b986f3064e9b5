"""The local Lambda executor, and the one module that hooks moto's Lambda backend.

moto keeps functions, versions, layers and event-source wiring, but runs no code without Docker: every
invocation path (``lambda.invoke``, S3/SNS/SQS/DynamoDB/Kinesis triggers, Logs subscriptions) ends in
``LambdaFunction._invoke_lambda(self, event) -> (payload, errored, log_tail)``. :func:`install` replaces
that method so the real handler from the real uploaded zip runs in a warm worker process per function
version (:mod:`zappa_core.local.worker`).

Two smaller seams fix what moto gets wrong on the way in:

- SNS: moto hands a publish to a Lambda subscription over as ``LambdaBackend.send_sns_message(function_name,
  message, subject, qualifier)`` and builds the event with the placeholder ``arn:aws:sns:EXAMPLE`` as topic
  and subscription. ``Subscription.publish`` is wrapped to note which subscription is delivering (its ARN,
  the topic, the message id and attributes), and ``send_sns_message`` is replaced to build the event Lambda
  really receives from them.
- ``Invoke``: moto reads the ``qualifier`` query parameter while the API sends ``Qualifier``, so every
  invoke ran ``$LATEST``; the response handler is wrapped to hand the qualifier over under both names.

Nothing else in the project touches moto's internals; the supported moto range (the ``local`` extra of
zappa-ng-core, checked by ``zappa local start``) and the seams are checked by
``tests/core/local/test_local_moto_hook.py``. ``MOTO_VERSION`` is the release the seams were last read in.
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
import json
import logging
import os
import select
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from zappa_core.local import limits

log = logging.getLogger("zappa.local.executor")

MOTO_VERSION = "5.2.5"
HOOK_CLASS = "moto.awslambda.models.LambdaFunction"
HOOK_METHOD = "_invoke_lambda"
SNS_SUBSCRIPTION_CLASS = "moto.sns.models.Subscription"
SNS_DELIVERY_METHOD = "send_sns_message"
INVOKE_RESPONSE_CLASS = "moto.awslambda.responses.LambdaResponse"
DEFAULT_ACCOUNT = "123456789012"

#: Packages the Lambda Python runtime provides next to the function's own code.
RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six")
LOG_TAIL_BYTES = 4096
INIT_TIMEOUT_S = 30.0
IDLE_WORKER_TTL_S = 900.0
REAP_INTERVAL_S = 30.0
#: How long an event source (a stream, a queue poller) waits for a free unit of concurrency before giving up.
SOURCE_WAIT_S = 60.0


@dataclass(frozen=True)
class FunctionSpec:
    """What the executor needs to know about one function version (independent of moto)."""

    name: str
    version: str
    arn: str
    handler: str
    runtime: str
    timeout: float
    memory_size: int
    region: str
    code: bytes
    code_sha256: str
    environment: dict[str, str] = field(default_factory=dict)
    layers: tuple[tuple[str, bytes], ...] = ()
    reserved_concurrency: int | None = None

    @property
    def function_key(self) -> str:
        """The function as concurrency counts it: every version and alias together."""
        return self.arn.split(":function:", 1)[0] + ":function:" + self.name

    @property
    def log_group(self) -> str:
        return f"/aws/lambda/{self.name}"

    def worker_key(self) -> str:
        """Workers are shared only by invocations of the very same code and configuration."""
        digest = hashlib.sha256()
        for part in (self.arn, self.version, self.handler, self.runtime, str(self.timeout), str(self.memory_size),
                     self.code_sha256, json.dumps(self.environment, sort_keys=True)):
            digest.update(part.encode() + b"\0")
        for arn, code in self.layers:
            digest.update(arn.encode() + hashlib.sha256(code).digest())
        return digest.hexdigest()


@dataclass
class InvocationResult:
    payload: str
    function_error: str | None
    request_id: str
    log_stream: str
    log_lines: list[tuple[int, str]]
    duration_ms: float

    @property
    def errored(self) -> bool:
        return self.function_error is not None

    def log_tail(self) -> str:
        text = "\n".join(line for _, line in self.log_lines) + "\n"
        return text.encode()[-LOG_TAIL_BYTES:].decode(errors="replace")


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


class Executor:
    """Runs function versions in warm workers; knows nothing of moto (see :func:`install` for that)."""

    def __init__(self, *, aws_endpoint: str, cache_dir: Path | None = None, python: str | None = None) -> None:
        self.aws_endpoint = aws_endpoint
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
        task_root = self._extract(spec.code, "code")
        paths: list[str] = []
        for _, layer_code in reversed(spec.layers):  # a later layer wins, as in /opt
            opt = self._extract(layer_code, "layers")
            paths += [str(opt / "python" / "lib" / host / "site-packages"), str(opt / "python")]
        paths.append(str(self._runtime_library()))
        log_dir = self.cache_dir / "worker-logs"
        log_dir.mkdir(parents=True, exist_ok=True)
        worker = Worker(spec, task_root, paths, self._environment(spec, task_root), log_dir, self.python)
        try:
            worker.start()
        except (WorkerGone, EOFError):
            worker.init_error = {"errorMessage": "Runtime exited during init", "errorType": "Runtime.ExitError",
                                 "stackTrace": []}
        return worker

    def _environment(self, spec: FunctionSpec, task_root: Path) -> dict[str, str]:
        env = {
            "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
            "LANG": "en_US.UTF-8",
            "TZ": ":UTC",
            "LAMBDA_TASK_ROOT": str(task_root),
            "LAMBDA_RUNTIME_DIR": str(self._runtime_library()),
            "_HANDLER": spec.handler,
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{spec.runtime}",
            "AWS_LAMBDA_FUNCTION_NAME": spec.name,
            "AWS_LAMBDA_FUNCTION_VERSION": spec.version,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_size),
            "AWS_LAMBDA_FUNCTION_TIMEOUT": str(int(spec.timeout)),
            "AWS_LAMBDA_LOG_GROUP_NAME": spec.log_group,
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "AWS_REGION": spec.region,
            "AWS_DEFAULT_REGION": spec.region,
            # Dummy credentials and the local endpoint: a handler's boto3 calls stay on this machine.
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_EC2_METADATA_DISABLED": "true",
            "ZAPPA_LOCAL": "1",
        }
        env.update({k: str(v) for k, v in spec.environment.items()})
        env["AWS_ENDPOINT_URL"] = self.aws_endpoint
        return env

    def _extract(self, code: bytes, kind: str) -> Path:
        """Unpack a zip once into a folder named by its digest (shared by every worker of that code)."""
        target = self.cache_dir / kind / hashlib.sha256(code).hexdigest()
        if target.is_dir():
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        with self._extract_lock:
            if target.is_dir():
                return target
            staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=".extract-"))
            with zipfile.ZipFile(io.BytesIO(code)) as archive:
                for info in archive.infolist():
                    path = archive.extract(info, staging)
                    mode = (info.external_attr >> 16) & 0o777
                    if mode and not info.is_dir():
                        os.chmod(path, mode | 0o400)
            try:
                os.rename(staging, target)
            except OSError:  # another process of ours won the race
                shutil.rmtree(staging, ignore_errors=True)
        return target

    def _runtime_library(self) -> Path:
        """A folder with links to the host's boto3 & co, standing in for the Lambda runtime's own copies."""
        if self._runtime_lib is None:
            sources = []
            for name in RUNTIME_PROVIDED:
                found = importlib.util.find_spec(name)
                if found is None or not found.origin:
                    continue
                origin = Path(found.origin)
                sources.append(origin.parent if origin.name == "__init__.py" else origin)
            digest = hashlib.sha256("\n".join(map(str, sources)).encode()).hexdigest()[:16]
            folder = self.cache_dir / "runtime" / digest
            if not folder.is_dir():
                folder.parent.mkdir(parents=True, exist_ok=True)
                staging = Path(tempfile.mkdtemp(dir=folder.parent, prefix=".runtime-"))
                for source in sources:
                    os.symlink(source, staging / source.name)
                try:
                    os.rename(staging, folder)
                except OSError:
                    shutil.rmtree(staging, ignore_errors=True)
            self._runtime_lib = folder
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


# -- the moto seam ----------------------------------------------------------------------------------------

_executor: Executor | None = None
_original: Any = None
_install_lock = threading.Lock()


def install(*, aws_endpoint: str | None = None, cache_dir: Path | None = None, concurrency: int | None = None) -> Executor:
    """Make moto's Lambda backend run real code through an :class:`Executor` (idempotent).

    ``aws_endpoint`` is the local AWS the functions' own boto3 calls go to (``AWS_ENDPOINT_URL``); it is
    updated when given again. Returns the executor so callers can :meth:`Executor.shutdown` its workers.
    """
    global _executor, _original
    from moto.awslambda import models

    with _install_lock:
        endpoint = aws_endpoint or os.environ.get("ZAPPA_LOCAL_ENDPOINT") or "http://127.0.0.1:5000"
        if _executor is None:
            _executor = Executor(aws_endpoint=endpoint, cache_dir=cache_dir)
        else:
            _executor.aws_endpoint = endpoint
            if cache_dir is not None:
                _executor.cache_dir = Path(cache_dir)
        current = getattr(models.LambdaFunction, HOOK_METHOD)
        if current is not _invoke_lambda:
            _original = current
            setattr(models.LambdaFunction, HOOK_METHOD, _invoke_lambda)
        _install_side_seams()
        from zappa_core.local import delivery

        delivery.install()
        _executor.exists = _version_exists
        if concurrency:
            _executor.concurrency.limit = concurrency
    return _executor


def uninstall() -> None:
    """Give moto its own method back and stop every worker."""
    global _executor, _original
    from moto.awslambda import models

    with _install_lock:
        if _original is not None:
            setattr(models.LambdaFunction, HOOK_METHOD, _original)
            _original = None
        _uninstall_side_seams()
        from zappa_core.local import delivery

        delivery.uninstall()
        if _executor is not None:
            _executor.shutdown()
            _executor = None


def _version_exists(spec: FunctionSpec) -> bool:
    """Whether moto still holds this function version (workers of a deleted function are reaped)."""
    from moto.awslambda.models import get_backend

    account = spec.arn.split(":")[4]
    try:
        get_backend(account, spec.region).get_function(spec.name, None if spec.version == "$LATEST" else spec.version)
    except Exception:  # noqa: BLE001 - moto's not-found errors have several types
        return False
    return True


def installed() -> Executor | None:
    return _executor


def _invoke_lambda(self: Any, event: Any = None) -> tuple[str, bool, str]:
    """Replacement of ``LambdaFunction._invoke_lambda``: same arguments, same ``(payload, errored, tail)``.

    Invoked through the Lambda API, a throttled invocation is refused at once (the API answers 429); moto's
    event sources (streams, S3, logs) wait for a free unit of concurrency instead, as Lambda retries them.
    """
    wait = 0.0 if getattr(_delivery, "api_call", False) else SOURCE_WAIT_S
    result = run_moto_function(self, event, wait_for_capacity=wait)
    return result.payload, result.errored, result.log_tail()


def run_moto_function(fn: Any, event: Any, *, wait_for_capacity: float = 0.0) -> InvocationResult:
    """Invoke a moto ``LambdaFunction`` through the executor, write its log to CloudWatch Logs and its
    metrics to CloudWatch. Raises :class:`~zappa_core.local.limits.InvokeRefused` when Lambda would refuse."""
    from zappa_core.local import lambda_model, metrics

    invoked_arn = getattr(_delivery, "invoked_arn", None)
    _delivery.invoked_arn = None  # it names this invocation only (not the ones the handler sets off)
    if _executor is None:
        raise RuntimeError("the local executor is not installed")
    fn = lambda_model.weighted_version(fn, invoked_arn)
    _delivery.executed_version = str(fn.version)
    if event is None or event == "{}":  # moto hands an empty payload over as the string "{}"
        event = {}
    spec = spec_from_moto(fn)
    try:
        result = _executor.invoke(spec, event, invoked_arn=invoked_arn, wait_for_capacity=wait_for_capacity)
    except limits.Throttled:
        metrics.record(fn, invoked_arn, throttled=True)
        raise
    except ValueError as exc:
        return InvocationResult(payload=json.dumps({"errorMessage": str(exc), "errorType": "InvalidRuntimeException"}),
                                function_error="Unhandled", request_id=str(uuid.uuid4()), log_stream="",
                                log_lines=[], duration_ms=0.0)
    _save_logs(fn, result)
    metrics.record(fn, invoked_arn, result=result)
    return result


def spec_from_moto(fn: Any) -> FunctionSpec:
    from moto.awslambda.models import get_backend

    layers = []
    for layer in fn.layers or []:
        arn = layer["Arn"]
        region = arn.split(":")[3] if arn.count(":") >= 3 else fn.region
        found = get_backend(fn.account_id, region).layers_versions_by_arn(arn)
        if found is not None and found.code_bytes:
            layers.append((arn, found.code_bytes))
    reserved = getattr(fn, "reserved_concurrency", None)
    if str(fn.version) != "$LATEST":  # reserved concurrency is the function's, set on $LATEST
        try:
            reserved = get_backend(fn.account_id, fn.region).get_function(fn.function_name).reserved_concurrency
        except Exception:  # noqa: BLE001 - deleted meanwhile: the version's own copy stands
            pass
    return FunctionSpec(
        reserved_concurrency=int(reserved) if reserved not in (None, "") else None,
        name=fn.function_name, version=str(fn.version), arn=fn.function_arn, handler=fn.handler or "",
        runtime=fn.run_time or "", timeout=float(fn.timeout or 3), memory_size=int(fn.memory_size or 128),
        region=fn.region, code=getattr(fn, "code_bytes", b"") or b"", code_sha256=getattr(fn, "code_sha_256", ""),
        environment=dict(fn.environment_vars or {}), layers=tuple(layers),
    )


def _save_logs(fn: Any, result: InvocationResult) -> None:
    if not result.log_stream or not result.log_lines:
        return
    logs = fn.logs_backend
    events = [{"timestamp": stamp, "message": message} for stamp, message in result.log_lines]
    try:
        logs.put_log_events(fn.logs_group_name, result.log_stream, events)
    except Exception:  # noqa: BLE001 - a missing log group or stream is created, then the put is retried
        logs.ensure_log_group(fn.logs_group_name)
        try:
            logs.create_log_stream(fn.logs_group_name, result.log_stream)
        except Exception:  # noqa: BLE001 - the stream may already exist; the retried put reports a real failure
            pass
        logs.put_log_events(fn.logs_group_name, result.log_stream, events)


def invoke_deployed(function: str, event: Any, *, qualifier: str | None = None, region: str = "us-east-1",
                    account: str = DEFAULT_ACCOUNT) -> InvocationResult:
    """Invoke a function deployed on the local AWS in this process, without going through HTTP.

    ``function`` is a name or an ARN (an ARN's region and account win). Raises :class:`LookupError` when
    the function does not exist.
    """
    from moto.awslambda.models import lambda_backends

    if function.startswith("arn:"):
        parts = function.split(":")
        region, account = parts[3], parts[4]
        if len(parts) > 7 and qualifier is None:
            qualifier = parts[7]
            function = ":".join(parts[:7])
    try:
        fn = lambda_backends[account][region].get_function(function, qualifier)
    except Exception as exc:
        raise LookupError(f"function not found on the local AWS: {function}") from exc
    _delivery.invoked_arn = _invoked_arn(fn, qualifier)
    return run_moto_function(fn, event)


def _invoked_arn(fn: Any, qualifier: str | None) -> str:
    """The ARN a caller invoked: unqualified, or qualified by the version or alias it named."""
    base = f"arn:aws:lambda:{fn.region}:{fn.account_id}:function:{fn.function_name}"
    return f"{base}:{qualifier}" if qualifier else base




# -- the SNS and Invoke seams -------------------------------------------------------------------------------

_side_originals: dict[str, Any] = {}
_delivery = threading.local()


def _install_side_seams() -> None:
    from moto.awslambda import models, responses
    from moto.sns import models as sns_models

    from zappa_core.local import lambda_model

    lambda_model.install()
    if _side_originals:
        return
    _side_originals["publish"] = sns_models.Subscription.publish
    _side_originals[SNS_DELIVERY_METHOD] = getattr(models.LambdaBackend, SNS_DELIVERY_METHOD)
    _side_originals["invoke"] = responses.LambdaResponse.invoke
    sns_models.Subscription.publish = _subscription_publish
    setattr(models.LambdaBackend, SNS_DELIVERY_METHOD, _send_sns_message)
    responses.LambdaResponse.invoke = _invoke_response


def _uninstall_side_seams() -> None:
    from moto.awslambda import models, responses
    from moto.sns import models as sns_models

    from zappa_core.local import lambda_model

    lambda_model.uninstall()
    if not _side_originals:
        return
    sns_models.Subscription.publish = _side_originals.pop("publish")
    setattr(models.LambdaBackend, SNS_DELIVERY_METHOD, _side_originals.pop(SNS_DELIVERY_METHOD))
    responses.LambdaResponse.invoke = _side_originals.pop("invoke")


def _subscription_publish(self: Any, message: str, message_id: str, subject: str | None = None,
                          message_attributes: dict[str, Any] | None = None, *args: Any, **kwargs: Any) -> None:
    """Wraps ``Subscription.publish``: remembers which subscription delivers while moto delivers it."""
    _delivery.current = {"subscription_arn": self.arn, "topic_arn": self.topic_arn, "message_id": message_id,
                         "message_attributes": message_attributes or {}}
    try:
        return _side_originals["publish"](self, message, message_id, subject, message_attributes, *args, **kwargs)
    finally:
        _delivery.current = None


def _send_sns_message(self: Any, function_name: str, message: str, subject: str | None = None,
                      qualifier: str | None = None) -> None:
    """Replaces ``LambdaBackend.send_sns_message``: the event of the subscription that is delivering."""
    from zappa_core.local import delivery

    func = self._lambdas.get_function_by_name_or_arn_with_qualifier(function_name, qualifier)
    current = getattr(_delivery, "current", None) or {}
    invoked = f"{func.function_arn.split(':function:')[0]}:function:{func.function_name}:{qualifier}" if qualifier else None
    # SNS invokes Lambda asynchronously: the publish returns before the function runs
    delivery.submit(func, sns_event(message, subject=subject, region=func.region, **current), invoked)


def sns_event(message: str, *, subject: str | None, region: str, subscription_arn: str = "", topic_arn: str = "",
              message_id: str = "", message_attributes: dict[str, Any] | None = None) -> dict[str, Any]:
    """The event Lambda receives for one SNS delivery (moto's attributes are ``{"Type", "Value"}`` already)."""
    now = datetime.now(timezone.utc)
    host = f"https://sns.{region}.amazonaws.com"
    return {"Records": [{
        "EventSource": "aws:sns",
        "EventVersion": "1.0",
        "EventSubscriptionArn": subscription_arn,
        "Sns": {
            "Type": "Notification",
            "MessageId": message_id or str(uuid.uuid4()),
            "TopicArn": topic_arn,
            "Subject": subject,
            "Message": message,
            "Timestamp": now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z",
            "SignatureVersion": "1",
            "Signature": "",
            "SigningCertUrl": f"{host}/SimpleNotificationService-local.pem",
            "UnsubscribeUrl": f"{host}/?Action=Unsubscribe&SubscriptionArn={subscription_arn}",
            "MessageAttributes": {name: {"Type": value.get("Type"), "Value": value.get("Value")}
                                  for name, value in (message_attributes or {}).items()},
        },
    }]}


def _invoke_response(self: Any) -> Any:
    """Wraps ``LambdaResponse.invoke``: the API's ``Qualifier`` reaches moto, which only reads ``qualifier``."""
    qualifier = self.querystring.get("Qualifier")
    if qualifier and "qualifier" not in self.querystring:
        self.querystring["qualifier"] = qualifier
    from urllib.parse import unquote

    named = unquote(self.path.rsplit("/", 2)[-2])
    if named.startswith("arn:") and named.count(":") >= 7:
        _delivery.invoked_arn = named
    elif qualifier:
        _delivery.invoked_arn = f"arn:aws:lambda:{self.region}:{self.current_account}:function:{named}:{qualifier[0]}"
    _delivery.api_call = True
    _delivery.executed_version = None
    try:
        if self.headers.get("X-Amz-Invocation-Type") == "Event":
            from zappa_core.local import delivery

            invoked, _delivery.invoked_arn = getattr(_delivery, "invoked_arn", None), None
            return delivery.event_invoke(self.backend, named, self._get_param("qualifier"), self.body, invoked)
        status, headers, body = _side_originals["invoke"](self)
        if _delivery.executed_version and status in (200, "200"):
            headers["X-Amz-Executed-Version"] = _delivery.executed_version
        return status, headers, body
    except limits.InvokeRefused as refused:
        body = json.dumps(refused.document())
        headers = {"status": str(refused.status), "x-amzn-ErrorType": refused.error_type, "content-type": "application/json"}
        return refused.status, headers, body
    finally:
        _delivery.invoked_arn = None
        _delivery.api_call = False


def active_regions(account: str = DEFAULT_ACCOUNT) -> list[str]:
    """The regions where the local AWS holds Lambda state (where schedules can have targets)."""
    from moto.awslambda.models import lambda_backends

    return sorted(lambda_backends[account].keys())
