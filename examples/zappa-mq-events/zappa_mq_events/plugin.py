"""Deploy side: an ``mq`` event-source type (settings model, shape matcher, binder).

    {"function": "app.on_order",
     "event_source": {"arn": "arn:aws:mq:us-east-1:123456789012:broker:orders:b-1234",
                      "queues": ["orders"], "secret_arn": "arn:aws:secretsmanager:...:secret:mq-login",
                      "batch_size": 10}}
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from zappa_events.api import (
    DiffStep,
    EventSourceType,
    function_arn,
    function_mappings,
    hookimpl,
    is_enabled,
    is_not_found,
)

MQ_NETWORK_ACTIONS = ["ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "ec2:DescribeNetworkInterfaces",
                      "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs"]


class MqSource(BaseModel):
    model_config = ConfigDict(extra="forbid")

    arn: str = Field(description="Broker ARN, `arn:aws:mq:<region>:<account>:broker:<name>:<id>`.")
    queues: list[str] = Field(min_length=1, max_length=1, description="The queue to consume (AWS takes one).")
    secret_arn: str = Field(description="Secrets Manager secret with the broker's username and password.")
    batch_size: int = Field(100, ge=1, le=10000)
    enabled: bool = True
    virtual_host: str | None = Field(None, description="RabbitMQ virtual host.")


class MqEvent(BaseModel):
    model_config = ConfigDict(extra="forbid")

    function: str
    event_source: MqSource


def is_mq(entry: dict) -> bool:
    """event_source.arn is an arn:aws:mq: broker ARN"""
    source = entry.get("event_source")
    return isinstance(source, dict) and str(source.get("arn", "")).startswith("arn:aws:mq:")


class MqStep(DiffStep):
    """The function's event-source mappings whose source is an MQ broker."""

    id = "mq:mappings"
    kind = "mapping"

    def __init__(self, entries: list[MqEvent], settings: Any) -> None:
        self.entries = entries
        self.settings = settings

    def describe(self, spec: Any) -> str:
        return f"queue {spec['queue']}, batch {spec['batch_size']}"

    def comparable(self, spec: Any) -> Any:
        return {k: v for k, v in spec.items() if k != "uuid"}

    def iam_statements(self, ctx: Any) -> list[dict]:
        if not self.entries:
            return []
        return [
            {"Effect": "Allow", "Action": ["mq:DescribeBroker"], "Resource": sorted({e.event_source.arn for e in self.entries})},
            {"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"],
             "Resource": sorted({e.event_source.secret_arn for e in self.entries})},
            # Lambda's poller reaches the broker through network interfaces in the broker's VPC; these EC2
            # actions take no resource-level conditions, hence "*"
            {"Effect": "Allow", "Action": MQ_NETWORK_ACTIONS, "Resource": "*"},
        ]

    def desired(self, ctx: Any) -> dict[str, Any]:
        return {f"{e.event_source.arn}/{e.event_source.queues[0]}": {
            "arn": e.event_source.arn, "queue": e.event_source.queues[0], "secret_arn": e.event_source.secret_arn,
            "batch_size": e.event_source.batch_size, "enabled": e.event_source.enabled,
            "virtual_host": e.event_source.virtual_host} for e in self.entries}

    def existing(self, ctx: Any) -> dict[str, Any]:
        target = function_arn(ctx)
        if target is None:
            return {}
        found = {}
        for m in function_mappings(ctx, target, "mq"):
            access = {a["Type"]: a["URI"] for a in m.get("SourceAccessConfigurations", [])}
            queue = (m.get("Queues") or [""])[0]
            found[f"{m['EventSourceArn']}/{queue}"] = {
                "arn": m["EventSourceArn"], "queue": queue, "secret_arn": access.get("BASIC_AUTH"),
                "batch_size": m.get("BatchSize"), "enabled": is_enabled(m),
                "virtual_host": access.get("VIRTUAL_HOST"), "uuid": m["UUID"]}
        return found

    @staticmethod
    def _access(spec: Any) -> list[dict]:
        """The broker's secret (and RabbitMQ virtual host) as Lambda takes them."""
        access = [{"Type": "BASIC_AUTH", "URI": spec["secret_arn"]}]
        if spec["virtual_host"]:
            access.append({"Type": "VIRTUAL_HOST", "URI": spec["virtual_host"]})
        return access

    def create(self, ctx: Any, key: str, spec: Any) -> None:
        ctx.aws.client("lambda").create_event_source_mapping(EventSourceArn=spec["arn"], FunctionName=function_arn(ctx, required=True), Queues=[spec["queue"]],
             BatchSize=spec["batch_size"], Enabled=spec["enabled"], SourceAccessConfigurations=self._access(spec))

    def update(self, ctx: Any, key: str, old: Any, new: Any) -> None:
        ctx.aws.client("lambda").update_event_source_mapping(UUID=old["uuid"], BatchSize=new["batch_size"], Enabled=new["enabled"],
                                                             SourceAccessConfigurations=self._access(new))

    def delete(self, ctx: Any, key: str, spec: Any) -> None:
        try:
            ctx.aws.client("lambda").delete_event_source_mapping(UUID=spec["uuid"])
        except Exception as exc:
            if not is_not_found(exc):
                raise


@hookimpl
def zappa_event_sources():
    return [EventSourceType(type="mq", model=MqEvent, binder=MqStep, matches=is_mq)]
