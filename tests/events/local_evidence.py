"""What the local end-to-end apps write: each handled event leaves a JSON object in the ``evidence`` bucket."""

from __future__ import annotations

import json
import time


def function_log(aws, function_name: str) -> str:
    """The last lines the function logged (shown when an expected object never appears)."""
    logs = aws.state.aws.client("logs")
    events = logs.filter_log_events(logGroupName=f"/aws/lambda/{function_name}").get("events", [])
    return "\n".join(e["message"].rstrip() for e in events[-40:])


def evidence(aws, function_name: str, key: str, timeout: float = 30) -> dict:
    """Wait for ``evidence/<key>`` and return it; fail with the function's log when it never appears."""
    s3 = aws.state.aws.client("s3")
    deadline = time.monotonic() + timeout
    while True:
        try:
            return json.loads(s3.get_object(Bucket="evidence", Key=key)["Body"].read())
        except s3.exceptions.NoSuchKey:
            if time.monotonic() > deadline:
                log = function_log(aws, function_name)
                raise AssertionError(f"the function never wrote {key}; its log:\n{log}") from None
            time.sleep(0.2)
