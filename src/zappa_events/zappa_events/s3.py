"""S3 bucket notifications to the stage function.

Each entry becomes one ``LambdaFunctionConfiguration`` in the bucket's notification configuration, with
the ``Id`` ``<function>:<module.handler>`` (the runtime reads the handler from it). The bucket's other
notifications are kept. Buckets wired earlier are found from the function's policy, so a bucket dropped
from the settings loses its notification on the next apply.
"""

from __future__ import annotations

from typing import Any

from zappa_core.awserrors import is_not_found
from zappa_core.plan import DeployContext

from zappa_events import naming, permissions
from zappa_events.awsutil import function_arn, resource_name, same_function
from zappa_events.diffstep import DiffStep
from zappa_events.settings import S3Event

PRINCIPAL = "s3.amazonaws.com"
CONFIG_KEYS = ("TopicConfigurations", "QueueConfigurations", "LambdaFunctionConfigurations", "EventBridgeConfiguration")


def _filters(rules: list[dict[str, Any]]) -> list[dict[str, str]]:
    return sorted(({"type": r["Name"].lower(), "value": r["Value"]} for r in rules), key=lambda f: (f["type"], f["value"]))


class S3Step(DiffStep):
    id = "events:s3"
    follows_code = False
    kind = "notification"

    def __init__(self, entries: list[S3Event], settings: Any) -> None:
        self.entries = entries
        self.settings = settings

    def describe(self, spec: Any) -> str:
        return f"{', '.join(spec['events'])} -> {spec['function']}"

    def desired(self, ctx: DeployContext) -> dict[str, Any]:
        wanted: dict[str, Any] = {}
        seen: dict[tuple[str, str], int] = {}
        for entry in self.entries:
            bucket = resource_name(entry.event_source.arn)
            index = seen.get((bucket, entry.function), 0)
            seen[(bucket, entry.function)] = index + 1
            config_id = naming.s3_notification_id(self.settings.function_name, entry.function, index)
            wanted[f"{bucket}/{config_id}"] = {
                "bucket": bucket,
                "id": config_id,
                "function": entry.function,
                "events": sorted(entry.event_source.events),
                "filters": entry.event_source.filter_rules(),
            }
        return wanted

    def _buckets(self, ctx: DeployContext) -> set[str]:
        wired = {resource_name(arn) for arn in permissions.granted(ctx, PRINCIPAL).values() if arn}
        return wired | {resource_name(e.event_source.arn) for e in self.entries}

    def existing(self, ctx: DeployContext) -> dict[str, Any]:
        arn = function_arn(ctx)
        if arn is None:
            return {}
        found: dict[str, Any] = {}
        for bucket in sorted(self._buckets(ctx)):
            for config in self._read(ctx, bucket).get("LambdaFunctionConfigurations", []):
                if not same_function(config.get("LambdaFunctionArn"), arn):
                    continue
                rules = ((config.get("Filter") or {}).get("Key") or {}).get("FilterRules", [])
                config_id = config.get("Id", "")
                found[f"{bucket}/{config_id}"] = {
                    "bucket": bucket,
                    "id": config_id,
                    "function": naming.function_from_notification_id(config_id) or "?",
                    "events": sorted(config.get("Events", [])),
                    "filters": _filters(rules),
                }
        return found

    def _read(self, ctx: DeployContext, bucket: str) -> dict[str, Any]:
        try:
            current = ctx.aws.client("s3").get_bucket_notification_configuration(Bucket=bucket)
        except Exception as exc:
            if is_not_found(exc):
                return {}
            raise
        return {key: current[key] for key in CONFIG_KEYS if key in current}

    def _write(self, ctx: DeployContext, bucket: str, config: dict[str, Any]) -> None:
        ctx.aws.client("s3").put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=config)

    def create(self, ctx: DeployContext, key: str, spec: Any) -> None:
        target = function_arn(ctx, required=True)
        bucket = spec["bucket"]
        permissions.grant(ctx, target, PRINCIPAL, f"arn:{ctx.partition}:s3:::{bucket}")
        config = self._read(ctx, bucket)
        lambdas = [c for c in config.get("LambdaFunctionConfigurations", []) if c.get("Id") != spec["id"]]
        entry: dict[str, Any] = {"Id": spec["id"], "LambdaFunctionArn": target, "Events": spec["events"]}
        if spec["filters"]:
            entry["Filter"] = {"Key": {"FilterRules": [{"Name": f["type"], "Value": f["value"]} for f in spec["filters"]]}}
        config["LambdaFunctionConfigurations"] = lambdas + [entry]
        self._write(ctx, bucket, config)

    def update(self, ctx: DeployContext, key: str, old: Any, new: Any) -> None:
        self.create(ctx, key, new)

    def delete(self, ctx: DeployContext, key: str, spec: Any) -> None:
        bucket = spec["bucket"]
        arn = function_arn(ctx)
        config = self._read(ctx, bucket)
        lambdas = config.get("LambdaFunctionConfigurations", [])
        keep = [c for c in lambdas if c.get("Id") != spec["id"]]
        if len(keep) != len(lambdas):
            config["LambdaFunctionConfigurations"] = keep
            if not keep:
                config.pop("LambdaFunctionConfigurations")
            try:
                self._write(ctx, bucket, config)
            except Exception as exc:
                if not is_not_found(exc) and "NoSuchBucket" not in str(exc):
                    raise
        if not any(same_function(c.get("LambdaFunctionArn"), arn) for c in keep):
            permissions.revoke(ctx, PRINCIPAL, f"arn:{ctx.partition}:s3:::{bucket}")
