"""``alb:target-group``: the Lambda target group (multi-value headers on) with the function registered as its
target, after the permission that lets the load balancer invoke it."""

from __future__ import annotations

from zappa_core.arns import stage_function_arn
from zappa_core.awserrors import error_code, is_not_found
from zappa_core.errors import AwsError
from zappa_core.plan import Action, Change, DeployContext

from zappa_aws_alb import permissions
from zappa_aws_alb.permissions import ELB_PRINCIPAL
from zappa_aws_alb.resources import AlbStep, find_target_group, owned, refuse, tag_list

MULTI_VALUE = "lambda.multi_value_headers.enabled"


class TargetGroupStep(AlbStep):
    id = "alb:target-group"
    follows_code = False
    kind = "target group"
    depends_on = ("core:function",)

    def plan_enabled(self, ctx: DeployContext) -> Change:
        elb = self.elb(ctx)
        target = stage_function_arn(ctx, qualified=True)
        tg = find_target_group(elb, self.name)
        resource = f"target group {self.name}"
        if tg is None:
            return Change(self.id, Action.CREATE, resource,
                          [f"target: {target}", f"{MULTI_VALUE}: true", f"invoke permission for {ELB_PRINCIPAL}"],
                          data={"target": target}, outputs={"name": self.name, "target": target})
        tg_arn = tg["TargetGroupArn"]
        if not owned(elb, tg_arn, ctx.settings):
            raise refuse("target group", self.name, ctx.settings)
        if tg.get("TargetType") != "lambda":
            raise AwsError(f"target group {self.name} has target type {tg.get('TargetType')}, not lambda",
                           hint="delete it; the next deploy creates a Lambda target group")
        attrs = {a["Key"]: a["Value"] for a in elb.describe_target_group_attributes(TargetGroupArn=tg_arn)["Attributes"]}
        registered = [d["Target"]["Id"] for d in elb.describe_target_health(TargetGroupArn=tg_arn).get("TargetHealthDescriptions", [])]
        details = []
        if attrs.get(MULTI_VALUE) != "true":
            details.append(f"{MULTI_VALUE}: {attrs.get(MULTI_VALUE)} -> true")
        if registered != [target]:
            details.append(f"targets: {', '.join(registered) or '(none)'} -> {target}")
        permitted = permissions.has_permission(ctx.aws.client("lambda"), target, tg_arn)
        if not permitted:
            details.append(f"invoke permission for {ELB_PRINCIPAL}")
        data = {"arn": tg_arn, "target": target, "registered": registered, "permitted": permitted,
                "multi_value": attrs.get(MULTI_VALUE) == "true"}
        return Change(self.id, Action.UPDATE if details else Action.UNCHANGED, resource, details, data=data,
                      outputs={"name": self.name, "arn": tg_arn, "target": target})

    def apply_enabled(self, ctx: DeployContext, change: Change) -> None:
        elb = self.elb(ctx)
        data = change.data
        target = data["target"]
        tg_arn = data.get("arn")
        if tg_arn is None:
            tg_arn = elb.create_target_group(Name=self.name, TargetType="lambda", Tags=tag_list(ctx))["TargetGroups"][0]["TargetGroupArn"]
        if not data.get("multi_value"):
            elb.modify_target_group_attributes(TargetGroupArn=tg_arn, Attributes=[{"Key": MULTI_VALUE, "Value": "true"}])
        if not data.get("permitted"):  # the load balancer checks it when the target is registered: grant it first
            permissions.grant(ctx.aws.client("lambda"), target, self.name, tg_arn)
        stale = [t for t in data.get("registered", []) if t != target]
        if stale:
            elb.deregister_targets(TargetGroupArn=tg_arn, Targets=[{"Id": t} for t in stale])
        if target not in data.get("registered", []):
            elb.register_targets(TargetGroupArn=tg_arn, Targets=[{"Id": target}])
        ctx.outputs.setdefault(self.id, {}).update({"name": self.name, "arn": tg_arn, "target": target})

    def plan_destroy(self, ctx: DeployContext) -> Change:
        elb = self.elb(ctx)
        tg = find_target_group(elb, self.name)
        resource = f"target group {self.name}"
        if tg is None:
            return Change(self.id, Action.UNCHANGED, resource, ["does not exist"], empty=True)
        tg_arn = tg["TargetGroupArn"]
        if not owned(elb, tg_arn, ctx.settings):
            return Change(self.id, Action.UNCHANGED, resource, ["not tagged for this stage: left alone"])
        registered = [d["Target"]["Id"] for d in elb.describe_target_health(TargetGroupArn=tg_arn).get("TargetHealthDescriptions", [])]
        return Change(self.id, Action.DELETE, resource, [f"targets: {', '.join(registered) or '(none)'}"],
                      data={"arn": tg_arn, "registered": registered})

    def destroy(self, ctx: DeployContext, change: Change) -> None:
        elb = self.elb(ctx)
        tg_arn = change.data["arn"]
        lam = ctx.aws.client("lambda")
        for target in change.data.get("registered", []):
            permissions.revoke(lam, target, self.name)
        if change.data.get("registered"):
            try:
                elb.deregister_targets(TargetGroupArn=tg_arn, Targets=[{"Id": t} for t in change.data["registered"]])
            except Exception as exc:
                if not (is_not_found(exc) or error_code(exc) == "InvalidTarget"):
                    raise
        try:
            elb.delete_target_group(TargetGroupArn=tg_arn)
        except Exception as exc:
            if not is_not_found(exc):
                raise
        ctx.outputs.pop(self.id, None)
