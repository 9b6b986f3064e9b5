"""Resources of async tasks: the SNS topic of ``task_sns`` and the DynamoDB table of captured responses.

With ``async_resources`` (the default) the stage owns the topic ``<function>-zappa-async`` (subscribed to
the function) when ``async_source`` is ``sns``, and the ``async_response_table`` (key ``id``, expiry in
``ttl``) when one is named. A table that exists without the stage's ``ZappaProject`` tag is the user's: it
is used, never changed or deleted; ``zappa unschedule`` keeps the stage's own table too (only ``undeploy``
removes it). The step also gives the execution role what tasks need.
"""

from __future__ import annotations

from typing import Any

from zappa_core.awserrors import is_not_found
from zappa_core.plan import Change, DeployContext

from zappa_core import arns
from zappa_events import naming, sns
from zappa_events.awsutil import account, function_arn, resource_name
from zappa_events.diffstep import DiffStep

TTL_ATTRIBUTE = "ttl"


class AsyncStep(DiffStep):
    id = "events:async"
    follows_code = False
    kind = "async resource"

    def __init__(self, settings: Any) -> None:
        self.settings = settings

    @property
    def topic_name(self) -> str:
        return naming.async_topic_name(self.settings.function_name)

    def _topic_arn(self, ctx: DeployContext) -> str:
        return arns.build_arn("sns", ctx.aws.region, account(ctx), self.topic_name)

    def iam_statements(self, ctx: DeployContext) -> list[dict]:
        statements = [{"Effect": "Allow", "Action": ["lambda:InvokeFunction"],
                       "Resource": [arns.function_arn(ctx.aws.region, account(ctx), self.settings.function_name)]}]
        if self.settings.async_source == "sns":
            statements.append({"Effect": "Allow", "Action": ["sns:Publish"], "Resource": [self._topic_arn(ctx)]})
        if self.settings.async_response_table:
            table = arns.build_arn("dynamodb", ctx.aws.region, account(ctx), f"table/{self.settings.async_response_table}")
            statements.append({"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
                               "Resource": [table]})
        return statements

    def describe(self, spec: Any) -> str:
        if spec.get("kind") == "table":
            owner = ", not managed by the stage" if spec.get("external") else ""
            return f"read {spec['read']} / write {spec['write']}{owner}"
        return "subscribed to the function"

    def comparable(self, spec: Any) -> Any:
        return {field: value for field, value in spec.items() if field != "external"}

    def desired(self, ctx: DeployContext) -> dict[str, Any]:
        wanted: dict[str, Any] = {}
        if not self.settings.async_resources:
            return wanted
        if self.settings.async_source == "sns":
            wanted[f"topic/{self.topic_name}"] = {"kind": "topic", "name": self.topic_name}
        table = self.settings.async_response_table
        if table:
            wanted[f"table/{table}"] = {"kind": "table", "name": table,
                                        "read": self.settings.async_response_table_read_capacity,
                                        "write": self.settings.async_response_table_write_capacity}
        return wanted

    def existing(self, ctx: DeployContext) -> dict[str, Any]:
        found: dict[str, Any] = {}
        arn = function_arn(ctx)
        if arn is not None:
            for sub in sns.function_subscriptions(ctx, arn):
                if resource_name(sub["TopicArn"]) == self.topic_name:
                    found[f"topic/{self.topic_name}"] = {"kind": "topic", "name": self.topic_name}
        table = self.settings.async_response_table
        if table:
            spec = self._table(ctx, table)
            if spec is not None:
                found[f"table/{table}"] = spec
        return found

    def _table(self, ctx: DeployContext, name: str) -> dict[str, Any] | None:
        dynamodb = ctx.aws.client("dynamodb")
        try:
            table = dynamodb.describe_table(TableName=name)["Table"]
        except Exception as exc:
            if is_not_found(exc):
                return None
            raise
        tags = dynamodb.list_tags_of_resource(ResourceArn=table["TableArn"]).get("Tags", [])
        ours = any(t["Key"] == "ZappaProject" and t["Value"] == self.settings.zappa_project_tag for t in tags)
        throughput = table.get("ProvisionedThroughput") or {}
        spec = {"kind": "table", "name": name, "read": throughput.get("ReadCapacityUnits"),
                "write": throughput.get("WriteCapacityUnits")}
        if not ours:  # the user's table: used as it is, so it never differs from the settings
            spec.update(read=self.settings.async_response_table_read_capacity,
                        write=self.settings.async_response_table_write_capacity, external=True)
        return spec

    def plan_destroy(self, ctx: DeployContext) -> Change:
        """``undeploy`` removes the stage's topic and table; ``unschedule`` only unwires the events, so it
        removes the topic (its subscription is an event source, as in Zappa) and keeps the table: the task
        results stored there are data, not wiring."""
        keep_table = ctx.command == "unschedule"
        return self._change({k: v for k, v in self.existing(ctx).items()
                             if not v.get("external") and not (keep_table and v["kind"] == "table")}, {})

    def create(self, ctx: DeployContext, key: str, spec: Any) -> None:
        if spec["kind"] == "topic":
            topic_arn = ctx.aws.client("sns").create_topic(Name=spec["name"],
                             Tags=[{"Key": "ZappaProject", "Value": self.settings.zappa_project_tag}])["TopicArn"]
            sns.subscribe(ctx, topic_arn, None)
            return
        dynamodb = ctx.aws.client("dynamodb")
        dynamodb.create_table(TableName=spec["name"],
             AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
             KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
             ProvisionedThroughput={"ReadCapacityUnits": spec["read"], "WriteCapacityUnits": spec["write"]},
             Tags=[{"Key": "ZappaProject", "Value": self.settings.zappa_project_tag}])
        dynamodb.get_waiter("table_exists").wait(TableName=spec["name"], WaiterConfig={"Delay": 1, "MaxAttempts": 60})
        dynamodb.update_time_to_live(TableName=spec["name"],
             TimeToLiveSpecification={"Enabled": True, "AttributeName": TTL_ATTRIBUTE})

    def update(self, ctx: DeployContext, key: str, old: Any, new: Any) -> None:
        if new["kind"] == "table" and not old.get("external"):
            ctx.aws.client("dynamodb").update_table(TableName=new["name"],
                 ProvisionedThroughput={"ReadCapacityUnits": new["read"], "WriteCapacityUnits": new["write"]})

    def delete(self, ctx: DeployContext, key: str, spec: Any) -> None:
        if spec["kind"] == "topic":
            topic_arn = self._topic_arn(ctx)
            sns.unsubscribe(ctx, topic_arn)
            try:
                ctx.aws.client("sns").delete_topic(TopicArn=topic_arn)
            except Exception as exc:
                if not is_not_found(exc):
                    raise
            return
        if spec.get("external"):
            return
        try:
            ctx.aws.client("dynamodb").delete_table(TableName=spec["name"])
        except Exception as exc:
            if not is_not_found(exc):
                raise
