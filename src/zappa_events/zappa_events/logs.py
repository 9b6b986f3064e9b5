"""CloudWatch Logs subscription filters that send a log group's lines to the stage function.

An entry ``{"function": ..., "event_source": {"arn": "arn:aws:logs:<region>:<account>:log-group:<name>",
"filter_pattern": ""}}`` becomes one subscription filter named ``<function>:<module.handler>``. Log groups
wired earlier are found from the function's policy, so a dropped entry loses its filter.
"""

from __future__ import annotations

from typing import Any

from zappa_core.awserrors import is_not_found
from zappa_core.plan import DeployContext

from zappa_events import permissions
from zappa_events.awsutil import function_arn, same_function
from zappa_events.diffstep import DiffStep
from zappa_events.naming import log_group_name
from zappa_events.settings import LogsEvent

PRINCIPAL = "logs.amazonaws.com"


def log_group_arn(arn: str) -> str:
    """The ARN form CloudWatch Logs uses as the source of invocations (ending in ``:*``)."""
    return arn if arn.endswith(":*") else f"{arn}:*"


class LogsStep(DiffStep):
    id = "events:logs"
    follows_code = False
    kind = "subscription filter"

    def __init__(self, entries: list[LogsEvent], settings: Any) -> None:
        self.entries = entries
        self.settings = settings

    def describe(self, spec: Any) -> str:
        return f"{spec['pattern']!r} -> {spec['function']}"

    def comparable(self, spec: Any) -> Any:
        return {k: v for k, v in spec.items() if k != "arn"}

    def filter_name(self, function: str) -> str:
        return f"{self.settings.function_name}:{function}"[:512]

    def desired(self, ctx: DeployContext) -> dict[str, Any]:
        return {
            f"{log_group_name(e.event_source.arn)}/{self.filter_name(e.function)}": {
                "group": log_group_name(e.event_source.arn), "name": self.filter_name(e.function),
                "pattern": e.event_source.filter_pattern, "function": e.function,
                "arn": log_group_arn(e.event_source.arn),
            }
            for e in self.entries
        }

    def existing(self, ctx: DeployContext) -> dict[str, Any]:
        target = function_arn(ctx)
        if target is None:
            return {}
        sources = {log_group_name(a): log_group_arn(a) for a in permissions.granted(ctx, PRINCIPAL).values() if a}
        sources.update({log_group_name(e.event_source.arn): log_group_arn(e.event_source.arn) for e in self.entries})
        logs = ctx.aws.client("logs")
        found: dict[str, Any] = {}
        for group, arn in sorted(sources.items()):
            try:
                filters = logs.describe_subscription_filters(logGroupName=group).get("subscriptionFilters", [])
            except Exception as exc:
                if is_not_found(exc):
                    continue
                raise
            for f in filters:
                if same_function(f.get("destinationArn"), target):
                    name = f["filterName"]
                    found[f"{group}/{name}"] = {"group": group, "name": name, "pattern": f.get("filterPattern", ""),
                                                "function": name.rsplit(":", 1)[-1], "arn": arn}
        return found

    def create(self, ctx: DeployContext, key: str, spec: Any) -> None:
        target = function_arn(ctx, required=True)
        permissions.grant(ctx, target, PRINCIPAL, spec["arn"])
        ctx.aws.client("logs").put_subscription_filter(logGroupName=spec["group"], filterName=spec["name"], filterPattern=spec["pattern"], destinationArn=target)

    def update(self, ctx: DeployContext, key: str, old: Any, new: Any) -> None:
        self.create(ctx, key, new)

    def delete(self, ctx: DeployContext, key: str, spec: Any) -> None:
        try:
            ctx.aws.client("logs").delete_subscription_filter(logGroupName=spec["group"], filterName=spec["name"])
        except Exception as exc:
            if not is_not_found(exc):
                raise
        if not any(e for k, e in self.desired(ctx).items() if e["group"] == spec["group"]):
            permissions.revoke(ctx, PRINCIPAL, spec["arn"])
