"""A count of the HTTP 5xx answers of each function version, for stages that deploy gradually.

An exception inside a web app does not fail the invocation (the runtime answers 500), so Lambda's ``Errors``
metric never sees it. For a stage whose ``deployment`` strategy is ``canary`` or ``linear``, each 5xx answer
writes one line of CloudWatch's embedded metric format to stdout; CloudWatch turns it into the metric
``Zappa``/``ServerErrors`` by ``FunctionName`` and ``ExecutedVersion``, which ``zappa update`` watches during
a rollout. Other stages write nothing (a custom metric costs money).
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any

NAMESPACE = "Zappa"
METRIC = "ServerErrors"


def wanted(settings: dict[str, Any]) -> bool:
    return ((settings.get("deployment") or {}).get("strategy") or "all-at-once") != "all-at-once"


def emit(context: Any) -> None:
    """Count one 5xx answer of the version that runs (the Lambda context names it)."""
    name = getattr(context, "function_name", None) or os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "")
    version = getattr(context, "function_version", None) or os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
    record = {
        "_aws": {"Timestamp": int(time.time() * 1000), "CloudWatchMetrics": [{
            "Namespace": NAMESPACE, "Dimensions": [["FunctionName", "ExecutedVersion"]],
            "Metrics": [{"Name": METRIC, "Unit": "Count"}]}]},
        "FunctionName": name, "ExecutedVersion": str(version), METRIC: 1,
    }
    sys.stdout.write(json.dumps(record, separators=(",", ":")) + "\n")
    sys.stdout.flush()
