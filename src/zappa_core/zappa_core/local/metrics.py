"""The CloudWatch metrics Lambda records for every invocation, written to the local AWS's CloudWatch.

``Invocations``, ``Errors`` (function errors and timeouts), ``Duration`` (milliseconds) and ``Throttles``
in the ``AWS/Lambda`` namespace, with the ``FunctionName`` dimension, and for a qualified invocation also
``Resource`` (``name:qualifier``) and, through an alias, ``ExecutedVersion``; so ``zappa status --local``
and any ``get_metric_statistics`` call count them as on AWS. A throttled invocation counts as a throttle,
not an invocation, as on Lambda. Lines of CloudWatch's embedded metric format that the function writes to its
log become metrics too (:func:`record_embedded`), as CloudWatch extracts them from Lambda's logs.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timezone
from typing import Any

log = logging.getLogger("zappa.local.metrics")
NAMESPACE = "AWS/Lambda"


def dimensions(fn: Any, invoked_arn: str | None) -> list[dict[str, str]]:
    dims = [{"Name": "FunctionName", "Value": fn.function_name}]
    qualifier = None
    if invoked_arn and invoked_arn.count(":") >= 7:
        qualifier = invoked_arn.split(":")[7]
    elif str(fn.version) != "$LATEST":
        qualifier = str(fn.version)
    if qualifier:
        dims.append({"Name": "Resource", "Value": f"{fn.function_name}:{qualifier}"})
        if qualifier != str(fn.version):
            dims.append({"Name": "ExecutedVersion", "Value": str(fn.version)})
    return dims


def record(fn: Any, invoked_arn: str | None, *, result: Any = None, throttled: bool = False) -> None:
    """Record one invocation (``result``: an :class:`~zappa_core.local.invocation.InvocationResult`) or one
    throttle of the moto function ``fn``. A failure to record is logged, never raised."""
    from moto.cloudwatch.models import cloudwatch_backends

    dims = dimensions(fn, invoked_arn)
    # Lambda's metrics have one-minute resolution: a point is stamped with its minute, so a query that ends
    # "now" counts an invocation of this very second (CloudWatch compares timestamps to whole seconds)
    minute = datetime.now(timezone.utc).replace(tzinfo=None, second=0, microsecond=0)  # moto keeps naive UTC
    common = {"Timestamp": minute, "Dimensions": dims}
    if throttled:
        data = [{"MetricName": "Throttles", "Value": 1.0, "Unit": "Count", **common}]
    else:
        data = [
            {"MetricName": "Invocations", "Value": 1.0, "Unit": "Count", **common},
            {"MetricName": "Errors", "Value": 1.0 if result.function_error else 0.0, "Unit": "Count", **common},
            {"MetricName": "Duration", "Value": round(result.duration_ms, 2), "Unit": "Milliseconds", **common},
        ]
    try:
        cloudwatch_backends[fn.account_id][fn.region].put_metric_data(NAMESPACE, data)
    except Exception:  # metrics are a report: the invocation itself succeeded or failed already
        log.exception("recording the metrics of %s failed", fn.function_name)


def embedded_metrics(message: str) -> list[tuple[str, list[dict[str, Any]]]]:
    """``(namespace, metric data)`` of one log line in the embedded metric format; nothing for other lines."""
    if not message.startswith('{"_aws"'):
        return []
    try:
        record = json.loads(message)
        meta = record["_aws"]
        stamp = datetime.fromtimestamp(int(meta["Timestamp"]) / 1000, timezone.utc).replace(tzinfo=None, second=0, microsecond=0)
        out = []
        for directive in meta["CloudWatchMetrics"]:
            for names in directive["Dimensions"] or [[]]:
                dims = [{"Name": n, "Value": str(record[n])} for n in names]
                data = [{"MetricName": m["Name"], "Value": float(record[m["Name"]]), "Unit": m.get("Unit", "None"),
                         "Timestamp": stamp, "Dimensions": dims} for m in directive["Metrics"]]
                out.append((directive["Namespace"], data))
        return out
    except (ValueError, KeyError, TypeError):  # not valid EMF: CloudWatch leaves such a line a log line too
        return []


def record_embedded(fn: Any, log_lines: list[tuple[int, str]]) -> None:
    """Put the embedded-format metrics of an invocation's log lines into the local CloudWatch."""
    found = [item for _stamp, message in log_lines for item in embedded_metrics(message)]
    if not found:
        return
    from moto.cloudwatch.models import cloudwatch_backends

    try:
        for namespace, data in found:
            cloudwatch_backends[fn.account_id][fn.region].put_metric_data(namespace, data)
    except Exception:  # metrics are a report, as above
        log.exception("recording the embedded metrics of %s failed", fn.function_name)
