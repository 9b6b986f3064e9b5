"""A long-lived stand-in for the Lambda Python runtime: imports the package's ``handler`` module the way Lambda
does (package folder first on ``sys.path``) and answers events given as JSON lines on stdin with JSON lines on
stdout. Run with ``python -I lambda_worker.py PACKAGE_DIR``.

Each answer is ``{"result": ...}`` or ``{"error": "ExceptionName", "message": "..."}``. The app's own prints go
to stderr, so they cannot corrupt the protocol.
"""

import json
import os
import sys


class Context:
    function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "function")
    function_version = "$LATEST"
    memory_limit_in_mb = 512
    aws_request_id = "request-1"
    invoked_function_arn = f"arn:aws:lambda:us-east-1:123456789012:function:{function_name}"

    def get_remaining_time_in_millis(self):
        return 30000


def main(root):
    protocol = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    sys.path.insert(0, root)
    os.chdir(root)
    import handler  # the zip-root module, as Lambda imports it

    import zappa_runtime

    protocol.write(json.dumps({"ready": True, "runtime": zappa_runtime.__file__}) + "\n")
    protocol.flush()
    context = Context()
    for line in sys.stdin:
        event = json.loads(line)
        try:
            answer = {"result": handler.lambda_handler(event, context)}
        except Exception as exc:  # noqa: BLE001 - reported to the test
            answer = {"error": type(exc).__name__, "message": str(exc)}
        protocol.write(json.dumps(answer) + "\n")
        protocol.flush()


if __name__ == "__main__":
    main(sys.argv[1])
