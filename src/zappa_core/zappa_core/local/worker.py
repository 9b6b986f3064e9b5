"""The warm Lambda worker: one process per function version, run with the host interpreter.

Standard library only. The executor starts it as ``python -S -E -u -c <this source> IN_FD OUT_FD``: with
``-S`` nothing of the host's site-packages is importable, so the function sees what it would see on Lambda
(its package, its layers and the runtime's boto3). Its stdout and stderr are the function's log; the
executor reads them from a file after each invocation.

Protocol on the two pipes: frames of a 4-byte big-endian length and a JSON document. The first request is
``init`` (import the handler), then any number of ``invoke`` requests, each answered by exactly one frame.
"""

import json
import os
import sys
import time
import traceback


def read_frame(fd):
    header = _read_exact(fd, 4)
    if header is None:
        return None
    body = _read_exact(fd, int.from_bytes(header, "big"))
    if body is None:
        return None
    return json.loads(body)


def _read_exact(fd, size):
    chunks = []
    while size:
        chunk = os.read(fd, size)
        if not chunk:
            return None
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def write_frame(fd, message):
    body = json.dumps(message).encode("utf-8")
    data = len(body).to_bytes(4, "big") + body
    while data:
        written = os.write(fd, data)
        data = data[written:]


class LambdaContext:
    """The ``context`` argument: the attributes and method of the Lambda Python runtime's context."""

    def __init__(self, info, deadline_ms):
        self.function_name = info["function_name"]
        self.function_version = info["function_version"]
        self.invoked_function_arn = info["invoked_function_arn"]
        self.memory_limit_in_mb = str(info["memory_limit_in_mb"])
        self.aws_request_id = info["aws_request_id"]
        self.log_group_name = info["log_group_name"]
        self.log_stream_name = info["log_stream_name"]
        self.identity = None
        self.client_context = info.get("client_context")
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        return max(0, int(self._deadline_ms - time.time() * 1000))

    def __repr__(self):
        return f"<LambdaContext {self.function_name}:{self.function_version} {self.aws_request_id}>"


def user_frames(tb):
    """The traceback without this worker's own frames (it runs as ``-c`` source, named ``<string>``)."""
    return [frame for frame in traceback.extract_tb(tb) if frame.filename != "<string>"]


def error_document(exc, error_type=None):
    frames = user_frames(exc.__traceback__)
    return {
        "errorMessage": str(exc),
        "errorType": error_type or type(exc).__name__,
        "stackTrace": traceback.format_list(frames),
    }


def load_handler(spec):
    module_name, _, function_name = spec.replace("/", ".").rpartition(".")
    if not module_name:
        raise ValueError(f"Bad handler '{spec}': expected module.function")
    try:
        module = __import__(module_name, fromlist=["_"])
    except Exception as exc:  # noqa: BLE001 - any import failure of the user's module is Lambda's Runtime.ImportModuleError
        return None, {
            "errorMessage": f"Unable to import module '{module_name}': {exc}",
            "errorType": "Runtime.ImportModuleError",
            "stackTrace": traceback.format_list(user_frames(exc.__traceback__)),
        }
    handler = getattr(module, function_name, None)
    if handler is None:
        return None, {
            "errorMessage": f"Handler '{function_name}' missing on module '{module_name}'",
            "errorType": "Runtime.HandlerNotFound",
            "stackTrace": [],
        }
    return handler, None


def max_rss_kb():
    try:
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    except Exception:  # noqa: BLE001 - memory use is a report detail, 0 where it cannot be read  # pragma: no cover - not on Linux
        return 0


def main(in_fd, out_fd):
    init = read_frame(in_fd)
    if init is None:
        return
    task_root = init["task_root"]
    keep = [p for p in sys.path if p]  # the standard library (site is off)
    sys.path[:] = [task_root, *init["paths"], *keep]
    os.chdir(task_root)
    started = time.perf_counter()
    handler, error = load_handler(init["handler"])
    init_ms = (time.perf_counter() - started) * 1000
    if error:
        sys.stderr.write(f"[ERROR] {error['errorType']}: {error['errorMessage']}\n")
        write_frame(out_fd, {"error": error, "init_ms": init_ms})
        return
    write_frame(out_fd, {"ok": True, "init_ms": init_ms})

    while True:
        request = read_frame(in_fd)
        if request is None:
            return
        os.environ["_X_AMZN_TRACE_ID"] = request.get("trace_id", "")
        context = LambdaContext(request["context"], request["deadline_ms"])
        try:
            result = handler(request["event"], context)
        except Exception as exc:  # noqa: BLE001 - the handler's failure becomes the Lambda error document
            error = error_document(exc)
            sys.stderr.write(f"[ERROR] {error['errorType']}: {error['errorMessage']}\n")
            sys.stderr.write("Traceback (most recent call last):\n" + "".join(error["stackTrace"]))
            response = {"error": error}
        else:
            try:
                response = {"payload": json.dumps(result)}
            except (TypeError, ValueError) as exc:
                response = {"error": {"errorMessage": f"Unable to marshal response: {exc}",
                                      "errorType": "Runtime.MarshalError", "stackTrace": []}}
        sys.stdout.flush()
        sys.stderr.flush()
        response["max_rss_kb"] = max_rss_kb()
        write_frame(out_fd, response)


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
