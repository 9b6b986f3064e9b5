"""What the load balancer's steps share: the names they derive from the function name, the lookups by
name, the ``ZappaProject`` ownership check and the base class that plans removal while ``alb_enabled`` is off."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from zappa_core.awserrors import error_code, is_not_found
from zappa_core.errors import AwsError
from zappa_core.plan import Action, Change, DeployContext, ResourceStep

NAME_LIMIT = 32


def resource_name(settings: Any) -> str:
    """The name of the stage's load balancer and target group: the function name, made to fit ELB's rules
    (32 characters of letters, digits and hyphens; no leading or trailing hyphen)."""
    name = re.sub(r"[^a-zA-Z0-9-]+", "-", settings.function_name).strip("-") or "zappa"
    if name.startswith("internal-"):
        name = "z-" + name
    if len(name) <= NAME_LIMIT:
        return name
    digest = hashlib.sha1(name.encode()).hexdigest()[:8]
    return f"{name[:NAME_LIMIT - 9].rstrip('-')}-{digest}"


def find_load_balancer(elb: Any, name: str) -> dict | None:
    try:
        found = elb.describe_load_balancers(Names=[name])["LoadBalancers"]
    except Exception as exc:
        if is_not_found(exc):
            return None
        raise
    return found[0] if found else None


def find_target_group(elb: Any, name: str) -> dict | None:
    try:
        found = elb.describe_target_groups(Names=[name])["TargetGroups"]
    except Exception as exc:
        if is_not_found(exc):
            return None
        raise
    return found[0] if found else None


def tags_of(elb: Any, arn: str) -> dict[str, str]:
    descriptions = elb.describe_tags(ResourceArns=[arn])["TagDescriptions"]
    return {t["Key"]: t["Value"] for d in descriptions for t in d.get("Tags", [])}


def owned(elb: Any, arn: str, settings: Any) -> bool:
    return tags_of(elb, arn).get("ZappaProject") == settings.zappa_project_tag


def refuse(kind: str, name: str, settings: Any) -> AwsError:
    return AwsError(f"a {kind} named '{name}' exists but is not tagged ZappaProject={settings.zappa_project_tag}; "
                    "zappa will not take it over",
                    hint=f"delete or rename that {kind}, or change 'project_name' so the names differ")


def listeners_of(elb: Any, lb_arn: str) -> list[dict]:
    return elb.describe_listeners(LoadBalancerArn=lb_arn).get("Listeners", [])


def tag_list(ctx: DeployContext) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in ctx.tags().items()]


class AlbStep(ResourceStep):
    kind = ""

    def __init__(self, settings: Any) -> None:
        self.enabled = bool(settings.get("alb_enabled", False))
        self.name = resource_name(settings)

    def elb(self, ctx: DeployContext) -> Any:
        return ctx.aws.client("elbv2")

    def plan(self, ctx: DeployContext) -> Change:
        if not self.enabled:
            try:
                change = self.plan_destroy(ctx)
            except AwsError:
                raise
            except Exception as exc:  # no elbv2 permission and nothing to remove: do not fail the deploy
                if error_code(exc) in ("AccessDenied", "AccessDeniedException", "UnauthorizedOperation"):
                    return Change(self.id, Action.UNCHANGED, f"{self.kind} {self.name}", ["alb_enabled is off"], empty=True)
                raise
            if change.action is Action.DELETE:
                change.details.insert(0, "alb_enabled is off: removing what an earlier deploy created")
            return change
        return self.plan_enabled(ctx)

    def apply(self, ctx: DeployContext, change: Change) -> None:
        if change.action is Action.DELETE:
            self.destroy(ctx, change)
        else:
            self.apply_enabled(ctx, change)

    def plan_enabled(self, ctx: DeployContext) -> Change:
        raise NotImplementedError

    def apply_enabled(self, ctx: DeployContext, change: Change) -> None:
        raise NotImplementedError
