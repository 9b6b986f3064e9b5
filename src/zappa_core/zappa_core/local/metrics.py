"""The CloudWatch metrics Lambda records for every invocation, written to the local AWS's CloudWatch.

``Invocations``, ``Errors`` (function errors and timeouts), ``Duration`` (milliseconds) and ``Throttles``
in the ``AWS/Lambda`` namespace, with the ``FunctionName`` dimension, and for a qualified invocation also
``Resource`` (``name:qualifier``) and, through an alias, ``ExecutedVersion``; so ``zappa status --local``
and any ``get_metric_statistics`` call count them as on AWS. A throttled invocation counts as a throttle,
not an invocation, as on Lambda.
"""

from __future__ import annotations

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
