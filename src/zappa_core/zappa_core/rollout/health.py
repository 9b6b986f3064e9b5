"""What a rollout watches: the new version's invocations and failures, and the named CloudWatch alarms.

Failures are of two kinds. Function errors (an exception out of the handler, a timeout, a crash) are Lambda's
``Errors`` metric. An exception inside a web app is not one: the runtime answers it with a 500, so for stages with
a gradual deployment it also writes one CloudWatch embedded-metric line per 5xx answer, which CloudWatch turns
into the ``Zappa``/``ServerErrors`` metric. Both are read per executed version, through the alias ``current``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from zappa_core.resources.util import ALIAS

SERVER_ERRORS_NAMESPACE = "Zappa"
SERVER_ERRORS_METRIC = "ServerErrors"


@dataclass
class Health:
    version: str
    invocations: int = 0
    function_errors: int = 0
    server_errors: int = 0
    alarms: list[str] = field(default_factory=list)  # those in state ALARM

    @property
    def failures(self) -> int:
        return self.function_errors + self.server_errors

    @property
    def error_rate(self) -> float:
        """Percent of the version's invocations that failed."""
        return 100.0 * self.failures / self.invocations if self.invocations else 0.0

    def problem(self, max_error_rate: float) -> str | None:
        """Why the version must be rolled back, or ``None``."""
        if self.alarms:
            return f"alarm {', '.join(self.alarms)} is in state ALARM"
        if self.failures and self.error_rate > max_error_rate:
            return (f"{self.failures} of its {max(self.invocations, self.failures)} invocations failed "
                    f"({self.error_rate:.0f}%: {self.function_errors} function error(s), {self.server_errors} HTTP 5xx), "
                    f"more than max_error_rate {max_error_rate:g}%")
        return None

    def summary(self) -> str:
        alarms = "" if not self.alarms else f", alarms in ALARM: {', '.join(self.alarms)}"
        return f"{self.invocations} invocation(s), {self.failures} failed ({self.error_rate:.0f}%){alarms}"

    def to_json(self) -> dict[str, Any]:
        return {"version": self.version, "invocations": self.invocations, "function_errors": self.function_errors,
                "server_errors": self.server_errors, "error_rate": round(self.error_rate, 2), "alarms": self.alarms}


def _sum(cw: Any, namespace: str, metric: str, dimensions: dict[str, str], since: dt.datetime, until: dt.datetime) -> int:
    points = cw.get_metric_statistics(
        Namespace=namespace, MetricName=metric, Dimensions=[{"Name": k, "Value": v} for k, v in dimensions.items()],
        StartTime=since, EndTime=until, Period=60, Statistics=["Sum"]).get("Datapoints", [])
    return int(sum(p.get("Sum", 0) for p in points))


def read_health(aws: Any, function_name: str, version: str, since: float, alarms: list[str]) -> Health:
    """The health of ``version`` since the epoch second ``since`` (metrics have one-minute resolution: the
    window starts at that minute; a version is new, so nothing older than its rollout counts)."""
    cw = aws.client("cloudwatch")
    start = dt.datetime.fromtimestamp(since, dt.timezone.utc).replace(second=0, microsecond=0)
    end = dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=1)
    lam_dims = {"FunctionName": function_name, "Resource": f"{function_name}:{ALIAS}", "ExecutedVersion": version}
    health = Health(version=version)
    health.invocations = _sum(cw, "AWS/Lambda", "Invocations", lam_dims, start, end)
    health.function_errors = _sum(cw, "AWS/Lambda", "Errors", lam_dims, start, end)
    health.server_errors = _sum(cw, SERVER_ERRORS_NAMESPACE, SERVER_ERRORS_METRIC,
                                {"FunctionName": function_name, "ExecutedVersion": version}, start, end)
    if alarms:
        found = cw.describe_alarms(AlarmNames=list(alarms)).get("MetricAlarms", [])
        health.alarms = sorted(a["AlarmName"] for a in found if a.get("StateValue") == "ALARM")
    return health


def missing_alarms(aws: Any, alarms: list[str]) -> list[str]:
    """The named alarms that do not exist (a rollout watching them would watch nothing)."""
    if not alarms:
        return []
    cw = aws.client("cloudwatch")
    found = cw.describe_alarms(AlarmNames=list(alarms))
    names = {a["AlarmName"] for a in found.get("MetricAlarms", []) + found.get("CompositeAlarms", [])}
    return [a for a in alarms if a not in names]
