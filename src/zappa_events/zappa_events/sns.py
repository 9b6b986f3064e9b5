"""SNS topic subscriptions of the stage function, with ``filters`` as the subscription filter policy.

Subscriptions of the stage are found by their endpoint (the function), across all topics, so a topic
dropped from the settings is unsubscribed. The async-task topic belongs to ``events:async`` and is skipped.
"""

from __future__ import annotations

import json
from typing import Any

from zappa_core.awserrors import is_not_found
from zappa_core.plan import DeployContext

from zappa_events import naming, permissions
from zappa_events.awsutil import function_arn, resource_name, same_function
from zappa_events.diffstep import DiffStep
from zappa_events.settings import SnsEvent

PRINCIPAL = "sns.amazonaws.com"


def function_subscriptions(ctx: DeployContext, arn: str) -> list[dict[str, Any]]:
    """Every Lambda subscription whose endpoint is the function ``arn``."""
    sns = ctx.aws.client("sns")
    found, token = [], None
    while True:
        page = sns.list_subscriptions(**({"NextToken": token} if token else {}))
        found += [s for s in page.get("Subscriptions", [])
                  if s.get("Protocol") == "lambda" and same_function(s.get("Endpoint"), arn)]
        token = page.get("NextToken")
        if not token:
            return found


def subscribe(ctx: DeployContext, topic_arn: str, filters: dict[str, Any] | None) -> str:
    target = function_arn(ctx, required=True)
    permissions.grant(ctx, target, PRINCIPAL, topic_arn)
    sns = ctx.aws.client("sns")
    attributes = {"FilterPolicy": json.dumps(filters, sort_keys=True)} if filters else {}
    kwargs: dict[str, Any] = {"TopicArn": topic_arn, "Protocol": "lambda", "Endpoint": target, "ReturnSubscriptionArn": True}
    if attributes:
        kwargs["Attributes"] = attributes
    return sns.subscribe(**kwargs)["SubscriptionArn"]


def unsubscribe(ctx: DeployContext, topic_arn: str) -> None:
    arn = function_arn(ctx)
    sns = ctx.aws.client("sns")
    if arn is not None:
        for sub in function_subscriptions(ctx, arn):
            if sub.get("TopicArn") == topic_arn:
                try:
                    sns.unsubscribe(SubscriptionArn=sub["SubscriptionArn"])
                except Exception as exc:
                    if not is_not_found(exc):
                        raise
    permissions.revoke(ctx, PRINCIPAL, topic_arn)


class SnsStep(DiffStep):
    id = "events:sns"
    follows_code = False
    kind = "subscription"

    def __init__(self, entries: list[SnsEvent], settings: Any) -> None:
        self.entries = entries
        self.settings = settings

    def _functions(self) -> dict[str, list[str]]:
        functions: dict[str, list[str]] = {}
        for entry in self.entries:
            functions.setdefault(entry.event_source.arn, []).append(entry.function)
        return functions

    def describe(self, spec: Any) -> str:
        filters = " with a filter policy" if spec.get("filters") else ""
        return f"{resource_name(spec['topic'])} -> {', '.join(self._functions().get(spec['topic'], ['?']))}{filters}"

    def desired(self, ctx: DeployContext) -> dict[str, Any]:
        return {e.event_source.arn: {"topic": e.event_source.arn, "filters": e.event_source.filters or None}
                for e in self.entries}

    def existing(self, ctx: DeployContext) -> dict[str, Any]:
        arn = function_arn(ctx)
        if arn is None:
            return {}
        sns = ctx.aws.client("sns")
        async_topic = naming.async_topic_name(self.settings.function_name)
        found: dict[str, Any] = {}
        for sub in function_subscriptions(ctx, arn):
            topic = sub["TopicArn"]
            if resource_name(topic) == async_topic:
                continue
            try:
                attributes = sns.get_subscription_attributes(SubscriptionArn=sub["SubscriptionArn"])["Attributes"]
            except Exception as exc:
                if is_not_found(exc):
                    continue
                raise
            policy = attributes.get("FilterPolicy")
            found[topic] = {"topic": topic, "filters": json.loads(policy) if policy else None}
        return found

    def create(self, ctx: DeployContext, key: str, spec: Any) -> None:
        subscribe(ctx, key, spec["filters"])

    def update(self, ctx: DeployContext, key: str, old: Any, new: Any) -> None:
        arn = function_arn(ctx, required=True)
        sns = ctx.aws.client("sns")
        for sub in function_subscriptions(ctx, arn):
            if sub.get("TopicArn") == key:
                policy = json.dumps(new["filters"], sort_keys=True) if new["filters"] else ""
                sns.set_subscription_attributes(SubscriptionArn=sub["SubscriptionArn"], AttributeName="FilterPolicy", AttributeValue=policy)

    def delete(self, ctx: DeployContext, key: str, spec: Any) -> None:
        unsubscribe(ctx, key)
