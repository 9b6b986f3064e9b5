"""``core:log-group``: ``/aws/lambda/<function>``, created (tagged) before the function so that it is
owned by the stage; ``undeploy`` removes it only with ``--remove-logs``."""

from __future__ import annotations

from zappa_core.awserrors import error_code, is_not_found
from zappa_core.plan import Action, Change, DeployContext, ResourceStep


def log_group_name(function_name: str) -> str:
    return f"/aws/lambda/{function_name}"


class LogGroupStep(ResourceStep):
    id = "core:log-group"
    follows_code = False
    depends_on = ()

    def _exists(self, ctx: DeployContext, name: str) -> bool:
        logs = ctx.aws.client("logs")
        groups = logs.describe_log_groups(logGroupNamePrefix=name).get("logGroups", [])
        return any(g.get("logGroupName") == name for g in groups)

    def _outputs(self, ctx: DeployContext, name: str) -> dict:
        return {"log_group": name, "log_group_arn": ctx.arn("logs", f"log-group:{name}")}

    def iam_statements(self, ctx: DeployContext) -> list[dict]:
        name = log_group_name(ctx.function_name)
        group = ctx.arn("logs", f"log-group:{name}")
        return [
            {"Effect": "Allow", "Action": ["logs:CreateLogGroup"], "Resource": group},
            {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Resource": f"{group}:*"},
        ]

    def plan(self, ctx: DeployContext) -> Change:
        name = log_group_name(ctx.function_name)
        outputs = self._outputs(ctx, name)
        if self._exists(ctx, name):
            return Change(self.id, Action.UNCHANGED, f"log group {name}", outputs=outputs)
        return Change(self.id, Action.CREATE, f"log group {name}", data={"name": name}, outputs=outputs)

    def apply(self, ctx: DeployContext, change: Change) -> None:
        logs = ctx.aws.client("logs")
        name = change.data["name"]
        try:
            logs.create_log_group(logGroupName=name, tags=ctx.tags())
        except Exception as exc:
            if error_code(exc) != "ResourceAlreadyExistsException":
                raise
        ctx.outputs.setdefault(self.id, {}).update(self._outputs(ctx, name))

    def plan_destroy(self, ctx: DeployContext) -> Change:
        name = log_group_name(ctx.function_name)
        if not self._exists(ctx, name):
            return Change(self.id, Action.UNCHANGED, f"log group {name}", ["does not exist"])
        if not ctx.options.get("remove_logs"):
            return Change(self.id, Action.UNCHANGED, f"log group {name}", ["kept (--remove-logs deletes it)"])
        return Change(self.id, Action.DELETE, f"log group {name}", data={"name": name})

    def destroy(self, ctx: DeployContext, change: Change) -> None:
        try:
            ctx.aws.client("logs").delete_log_group(logGroupName=change.data["name"])
        except Exception as exc:
            if not is_not_found(exc):
                raise
