"""Lambda event-source mappings: SQS queues, DynamoDB streams and Kinesis streams.

One step per service, each owning the function's mappings whose source ARN is of that service, every page of
them. Several entries may name the same source (one mapping, several handlers at run time); their mapping
options must agree (checked when the settings are validated). A second mapping of the same source and
function (AWS refuses to create one, but a create whose answer was lost and that was retried elsewhere may
have left one) is listed as a duplicate and removed.
"""

from __future__ import annotations

from typing import Any

from zappa_core.arns import arn_service
from zappa_core.awserrors import is_not_found
from zappa_core.plan import DeployContext

from zappa_events.awsutil import function_arn
from zappa_events.diffstep import DiffStep

READ_ACTIONS = {
    "sqs": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
    "dynamodb": ["dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:DescribeStream", "dynamodb:ListStreams"],
    "kinesis": ["kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:DescribeStream",
                "kinesis:DescribeStreamSummary", "kinesis:ListShards", "kinesis:ListStreams", "kinesis:SubscribeToShard"],
}


def function_mappings(ctx: DeployContext, function: str, service: str) -> list[dict[str, Any]]:
    """Every event-source mapping of ``function`` whose source ARN is of ``service``, all pages read.

    Empty when the function does not exist. Third-party event-source plugins use this too.
    """
    client = ctx.aws.client("lambda")
    found, marker = [], None
    while True:
        kwargs = {"FunctionName": function, **({"Marker": marker} if marker else {})}
        try:
            page = client.list_event_source_mappings(**kwargs)
        except Exception as exc:
            if is_not_found(exc):
                return []
            raise
        found += [m for m in page.get("EventSourceMappings", []) if arn_service(m.get("EventSourceArn", "")) == service]
        marker = page.get("NextMarker")
        if not marker:
            return found


def duplicate_key(arn: str, uuid: str) -> str:
    """How a further mapping of a source the function is already mapped to shows in plans and status."""
    return f"{arn} (duplicate {uuid})"


def is_enabled(mapping: dict[str, Any]) -> bool:
    """Whether a mapping is, or is becoming, enabled (``Disabling`` already counts as disabled)."""
    return mapping.get("State") not in ("Disabled", "Disabling")


def mapping_spec(source: Any) -> dict[str, Any]:
    """The comparable options of one mapping, from an ``event_source`` model."""
    spec: dict[str, Any] = {
        "batch_size": source.batch_size,
        "enabled": source.enabled,
        "batch_window": source.batch_window or 0,
        "report_batch_item_failures": bool(getattr(source, "report_batch_item_failures", False)),
    }
    if hasattr(source, "starting_position"):
        spec["starting_position"] = source.starting_position
    return spec


class MappingStep(DiffStep):
    """The function's event-source mappings of one ``service`` (``sqs``, ``dynamodb``, ``kinesis``)."""

    kind = "mapping"
    service = ""

    def __init__(self, entries: list[Any], settings: Any) -> None:
        self.entries = entries
        self.settings = settings

    def describe(self, spec: Any) -> str:
        functions = sorted({e.function for e in self.entries if e.event_source.arn == spec.get("arn")})
        state = "" if spec.get("enabled", True) else ", disabled"
        return f"batch {spec.get('batch_size')} -> {', '.join(functions) or '?'}{state}"

    def iam_statements(self, ctx: DeployContext) -> list[dict]:
        arns = sorted({e.event_source.arn for e in self.entries})
        if not arns:
            return []
        return [{"Effect": "Allow", "Action": READ_ACTIONS[self.service], "Resource": arns}]

    def desired(self, ctx: DeployContext) -> dict[str, Any]:
        wanted: dict[str, Any] = {}
        for entry in self.entries:
            wanted.setdefault(entry.event_source.arn, {"arn": entry.event_source.arn, **mapping_spec(entry.event_source)})
        return wanted

    def existing(self, ctx: DeployContext) -> dict[str, Any]:
        function = function_arn(ctx)
        if function is None:
            return {}
        found: dict[str, Any] = {}
        for m in function_mappings(ctx, function, self.service):
            spec = {
                "arn": m["EventSourceArn"],
                "uuid": m["UUID"],
                "batch_size": m.get("BatchSize"),
                "enabled": is_enabled(m),
                "batch_window": m.get("MaximumBatchingWindowInSeconds") or 0,
                "report_batch_item_failures": "ReportBatchItemFailures" in (m.get("FunctionResponseTypes") or []),
            }
            if self.service != "sqs":
                spec["starting_position"] = m.get("StartingPosition")
            key = m["EventSourceArn"]
            if key in found:  # a second mapping of the same source (a create whose answer was lost): removed
                key = duplicate_key(key, m["UUID"])
            found[key] = spec
        return found

    def comparable(self, spec: Any) -> Any:
        return {field: value for field, value in spec.items() if field != "uuid"}  # read from AWS, not a setting

    def _options(self, spec: dict[str, Any]) -> dict[str, Any]:
        return {
            "BatchSize": spec["batch_size"],
            "Enabled": spec["enabled"],
            "MaximumBatchingWindowInSeconds": spec["batch_window"],
            "FunctionResponseTypes": ["ReportBatchItemFailures"] if spec["report_batch_item_failures"] else [],
        }

    def create(self, ctx: DeployContext, key: str, spec: Any) -> None:
        target = function_arn(ctx, required=True)
        kwargs = dict(EventSourceArn=key, FunctionName=target, **self._options(spec))
        if "starting_position" in spec:
            kwargs["StartingPosition"] = spec["starting_position"]
        ctx.aws.client("lambda").create_event_source_mapping(**kwargs)

    def update(self, ctx: DeployContext, key: str, old: Any, new: Any) -> None:
        if old.get("starting_position") != new.get("starting_position"):  # fixed at creation
            self.delete(ctx, key, old)
            self.create(ctx, key, new)
            return
        ctx.aws.client("lambda").update_event_source_mapping(UUID=old["uuid"], FunctionName=function_arn(ctx, required=True), **self._options(new))

    def delete(self, ctx: DeployContext, key: str, spec: Any) -> None:
        try:
            ctx.aws.client("lambda").delete_event_source_mapping(UUID=spec["uuid"])
        except Exception as exc:
            if not is_not_found(exc):
                raise


class SqsStep(MappingStep):
    id = "events:sqs"
    follows_code = False
    service = "sqs"


class DynamoDBStep(MappingStep):
    id = "events:dynamodb"
    follows_code = False
    service = "dynamodb"


class KinesisStep(MappingStep):
    id = "events:kinesis"
    follows_code = False
    service = "kinesis"
