"""What the local executor runs and what it answers, independent of moto: a function version's
:class:`FunctionSpec` and one invocation's :class:`InvocationResult`."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

LOG_TAIL_BYTES = 4096


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

