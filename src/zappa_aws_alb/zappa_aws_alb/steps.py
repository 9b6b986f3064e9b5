"""The load balancer's resource steps: ``alb:load-balancer``, ``alb:target-group``, ``alb:listener``.

Everything is found by name (derived from the function name, as Zappa does) and checked against the
``ZappaProject`` tag before it is changed or removed, so a load balancer of another project with the same
name is never taken over. With ``alb_enabled`` off, the steps plan the removal of what an earlier deploy
left, so turning the feature off converges too.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from zappa_core.errors import AwsError
from zappa_core.plan import Action, Change, DeployContext, ResourceStep
from zappa_core.route53 import delete_alias

NAME_LIMIT = 32
ELB_PRINCIPAL = "elasticloadbalancing.amazonaws.com"
MULTI_VALUE = "lambda.multi_value_headers.enabled"


# -- names and lookups ----------------------------------------------------------------------------------


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


def _code(exc: Exception) -> str:
    return getattr(exc, "response", {}).get("Error", {}).get("Code", "")


def find_load_balancer(elb: Any, name: str) -> dict | None:
    try:
        found = elb.describe_load_balancers(Names=[name])["LoadBalancers"]
    except Exception as exc:
        if _code(exc) in ("LoadBalancerNotFound", "LoadBalancerNotFoundException"):
            return None
        raise
    return found[0] if found else None


def find_target_group(elb: Any, name: str) -> dict | None:
    try:
        found = elb.describe_target_groups(Names=[name])["TargetGroups"]
    except Exception as exc:
        if _code(exc) in ("TargetGroupNotFound", "TargetGroupNotFoundException"):
            return None
        raise
    return found[0] if found else None


def tags_of(elb: Any, arn: str) -> dict[str, str]:
    descriptions = elb.describe_tags(ResourceArns=[arn])["TagDescriptions"]
    return {t["Key"]: t["Value"] for d in descriptions for t in d.get("Tags", [])}


def owned(elb: Any, arn: str, settings: Any) -> bool:
    return tags_of(elb, arn).get("ZappaProject") == settings.zappa_project_tag


def _refuse(kind: str, name: str, settings: Any) -> AwsError:
    return AwsError(f"a {kind} named '{name}' exists but is not tagged ZappaProject={settings.zappa_project_tag}; "
                    "zappa will not take it over",
                    hint=f"delete or rename that {kind}, or change 'project_name' so the names differ")


def listeners_of(elb: Any, lb_arn: str) -> list[dict]:
    return elb.describe_listeners(LoadBalancerArn=lb_arn).get("Listeners", [])


def tag_list(ctx: DeployContext) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in ctx.tags().items()]


def function_target(ctx: DeployContext) -> str:
    """The ARN the target group invokes: the managed alias when the core publishes one, else the function."""
    out = ctx.outputs.get("core:function") or {}
    arn = out.get("qualified_arn") or out.get("function_arn")
    if arn:
        return arn
    try:
        return ctx.aws.client("lambda").get_function(FunctionName=ctx.function_name)["Configuration"]["FunctionArn"]
    except Exception as exc:
        if _code(exc) != "ResourceNotFoundException":
            raise
    return ctx.arn("lambda", f"function:{ctx.function_name}")


def split_function_arn(arn: str) -> tuple[str, str | None]:
    """``arn:...:function:name[:qualifier]`` -> (unqualified ARN, qualifier)."""
    parts = arn.split(":")
    if len(parts) == 8:
        return ":".join(parts[:7]), parts[7]
    return arn, None


def statement_id(tg_name: str) -> str:
    return f"zappa-alb-{tg_name}"


def has_permission(lam: Any, target: str, tg_arn: str) -> bool:
    import json

    function, qualifier = split_function_arn(target)
    kwargs = {"FunctionName": function}
    if qualifier:
        kwargs["Qualifier"] = qualifier
    try:
        policy = json.loads(lam.get_policy(**kwargs)["Policy"])
    except Exception as exc:
        if _code(exc) == "ResourceNotFoundException":
            return False
        raise
    for statement in policy.get("Statement", []):
        principal = statement.get("Principal", {})
        service = principal.get("Service") if isinstance(principal, dict) else principal
        source = statement.get("Condition", {}).get("ArnLike", {}).get("AWS:SourceArn")
        if service == ELB_PRINCIPAL and source == tg_arn:
            return True
    return False


class _AlbStep(ResourceStep):
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
                if _code(exc) in ("AccessDenied", "AccessDeniedException", "UnauthorizedOperation"):
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


# -- the load balancer ----------------------------------------------------------------------------------


class LoadBalancerStep(_AlbStep):
    id = "alb:load-balancer"
    kind = "load balancer"

    def _outputs(self, lb: dict | None) -> dict[str, Any]:
        if lb is None:
            return {"name": self.name}
        return {"name": self.name, "arn": lb["LoadBalancerArn"], "dns_name": lb["DNSName"],
                "hosted_zone_id": lb.get("CanonicalHostedZoneId")}

    def plan_enabled(self, ctx: DeployContext) -> Change:
        cfg = ctx.settings.alb_vpc_config
        subnets, groups = sorted(cfg.SubnetIds), sorted(cfg.SecurityGroupIds)
        elb = self.elb(ctx)
        lb = find_load_balancer(elb, self.name)
        resource = f"load balancer {self.name}"
        if lb is None:
            return Change(self.id, Action.CREATE, resource, [f"subnets: {', '.join(subnets)}",
                          f"security groups: {', '.join(groups) or '(the VPC default)'}", "internet-facing"],
                          data={"subnets": subnets, "groups": groups}, outputs=self._outputs(None))
        if not owned(elb, lb["LoadBalancerArn"], ctx.settings):
            raise _refuse("load balancer", self.name, ctx.settings)
        have_subnets = sorted(az["SubnetId"] for az in lb.get("AvailabilityZones", []) if az.get("SubnetId"))
        have_groups = sorted(lb.get("SecurityGroups", []))
        details, data = [], {"arn": lb["LoadBalancerArn"]}
        if have_subnets != subnets:
            details.append(f"subnets: {', '.join(have_subnets)} -> {', '.join(subnets)}")
            data["subnets"] = subnets
        if groups and have_groups != groups:
            details.append(f"security groups: {', '.join(have_groups)} -> {', '.join(groups)}")
            data["groups"] = groups
        action = Action.UPDATE if details else Action.UNCHANGED
        return Change(self.id, action, resource, details, data=data, outputs=self._outputs(lb))

    def apply_enabled(self, ctx: DeployContext, change: Change) -> None:
        elb = self.elb(ctx)
        data = change.data
        if change.action is Action.CREATE:
            kwargs: dict[str, Any] = {"Name": self.name, "Subnets": data["subnets"], "Scheme": "internet-facing",
                                      "Type": "application", "IpAddressType": "ipv4", "Tags": tag_list(ctx)}
            if data["groups"]:
                kwargs["SecurityGroups"] = data["groups"]
            lb = elb.create_load_balancer(**kwargs)["LoadBalancers"][0]
        else:
            if "subnets" in data:
                elb.set_subnets(LoadBalancerArn=data["arn"], Subnets=data["subnets"])
            if "groups" in data:
                elb.set_security_groups(LoadBalancerArn=data["arn"], SecurityGroups=data["groups"])
            lb = find_load_balancer(elb, self.name)
        ctx.outputs.setdefault(self.id, {}).update(self._outputs(lb))

    def plan_destroy(self, ctx: DeployContext) -> Change:
        elb = self.elb(ctx)
        lb = find_load_balancer(elb, self.name)
        resource = f"load balancer {self.name}"
        if lb is None:
            return Change(self.id, Action.UNCHANGED, resource, ["does not exist"], empty=True)
        if not owned(elb, lb["LoadBalancerArn"], ctx.settings):
            return Change(self.id, Action.UNCHANGED, resource, ["not tagged for this stage: left alone"])
        details = [f"dns: {lb['DNSName']}"]
        domain = ctx.settings.get("domain")
        if domain and ctx.settings.get("route53_enabled", True):
            details.append(f"and the Route53 alias {domain} -> {lb['DNSName']}, if any")
        return Change(self.id, Action.DELETE, resource, details, data={"arn": lb["LoadBalancerArn"], "dns": lb["DNSName"]})

    def destroy(self, ctx: DeployContext, change: Change) -> None:
        domain = ctx.settings.get("domain")
        if domain and ctx.settings.get("route53_enabled", True):
            remove_alias(ctx.aws, domain, change.data["dns"])
        try:
            self.elb(ctx).delete_load_balancer(LoadBalancerArn=change.data["arn"])
        except Exception as exc:
            if _code(exc) not in ("LoadBalancerNotFound", "LoadBalancerNotFoundException"):
                raise
        ctx.outputs.pop(self.id, None)


def remove_alias(aws: Any, domain: str, dns_name: str) -> None:
    """Remove the Route53 alias of ``domain`` when it points at this load balancer (without a hosted zone
    there is nothing zappa created)."""
    delete_alias(aws.client("route53"), domain, target=dns_name)


# -- the target group -----------------------------------------------------------------------------------


class TargetGroupStep(_AlbStep):
    id = "alb:target-group"
    kind = "target group"
    depends_on = ("core:function",)

    def plan_enabled(self, ctx: DeployContext) -> Change:
        elb = self.elb(ctx)
        target = function_target(ctx)
        tg = find_target_group(elb, self.name)
        resource = f"target group {self.name}"
        if tg is None:
            return Change(self.id, Action.CREATE, resource,
                          [f"target: {target}", f"{MULTI_VALUE}: true", f"invoke permission for {ELB_PRINCIPAL}"],
                          data={"target": target}, outputs={"name": self.name, "target": target})
        tg_arn = tg["TargetGroupArn"]
        if not owned(elb, tg_arn, ctx.settings):
            raise _refuse("target group", self.name, ctx.settings)
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
        permitted = has_permission(ctx.aws.client("lambda"), target, tg_arn)
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
        if not data.get("permitted"):
            # the load balancer checks the permission when the target is registered: grant it first
            function, qualifier = split_function_arn(target)
            kwargs = {"FunctionName": function, "StatementId": statement_id(self.name), "Action": "lambda:InvokeFunction",
                      "Principal": ELB_PRINCIPAL, "SourceArn": tg_arn}
            if qualifier:
                kwargs["Qualifier"] = qualifier
            lam = ctx.aws.client("lambda")
            try:
                lam.add_permission(**kwargs)
            except Exception as exc:
                if _code(exc) != "ResourceConflictException":
                    raise
                _remove_permission(lam, target, self.name)  # a stale statement for an older target group
                lam.add_permission(**kwargs)
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
            _remove_permission(lam, target, self.name)
        if change.data.get("registered"):
            try:
                elb.deregister_targets(TargetGroupArn=tg_arn, Targets=[{"Id": t} for t in change.data["registered"]])
            except Exception as exc:
                if _code(exc) not in ("TargetGroupNotFound", "TargetGroupNotFoundException", "InvalidTarget"):
                    raise
        try:
            elb.delete_target_group(TargetGroupArn=tg_arn)
        except Exception as exc:
            if _code(exc) not in ("TargetGroupNotFound", "TargetGroupNotFoundException"):
                raise
        ctx.outputs.pop(self.id, None)


def _remove_permission(lam: Any, target: str, tg_name: str) -> None:
    function, qualifier = split_function_arn(target)
    kwargs = {"FunctionName": function, "StatementId": statement_id(tg_name)}
    if qualifier:
        kwargs["Qualifier"] = qualifier
    try:
        lam.remove_permission(**kwargs)
    except Exception as exc:
        if _code(exc) != "ResourceNotFoundException":
            raise


# -- the listener ---------------------------------------------------------------------------------------


def desired_listener(settings: Any) -> tuple[str, int, str | None]:
    """HTTPS on 443 with ``alb_vpc_config.CertificateArn``; without a certificate, HTTP on 80 (``zappa
    certify`` adds the HTTPS listener once the domain has a certificate)."""
    cert = settings.alb_vpc_config.CertificateArn
    return ("HTTPS", 443, cert) if cert else ("HTTP", 80, None)


def forward_to(tg_arn: str | None) -> list[dict]:
    return [{"Type": "forward", "TargetGroupArn": tg_arn}]


class ListenerStep(_AlbStep):
    id = "alb:listener"
    kind = "listener"
    depends_on = ("alb:load-balancer", "alb:target-group")

    def plan_enabled(self, ctx: DeployContext) -> Change:
        protocol, port, cert = desired_listener(ctx.settings)
        resource = f"{protocol} listener :{port} of {self.name}"
        lb_arn = (ctx.outputs.get("alb:load-balancer") or {}).get("arn")
        tg_arn = (ctx.outputs.get("alb:target-group") or {}).get("arn")
        details = [f"forward to target group {self.name}"] + ([f"certificate: {cert}"] if cert else
                                                               ["no CertificateArn in alb_vpc_config: plain HTTP"])
        existing = None
        if lb_arn:
            existing = next((listener for listener in listeners_of(self.elb(ctx), lb_arn) if listener["Port"] == port), None)
        if existing is None:
            return Change(self.id, Action.CREATE, resource, details, data={"protocol": protocol, "port": port, "cert": cert})
        changes = []
        if existing["Protocol"] != protocol:
            changes.append(f"protocol: {existing['Protocol']} -> {protocol}")
        have_cert = next((c["CertificateArn"] for c in existing.get("Certificates", []) or []), None)
        if cert and have_cert != cert:
            changes.append(f"certificate: {have_cert} -> {cert}")
        actions = existing.get("DefaultActions", [])
        if not (len(actions) == 1 and actions[0].get("Type") == "forward" and actions[0].get("TargetGroupArn") == tg_arn):
            changes.append(f"default action -> forward to target group {self.name}")
        data = {"protocol": protocol, "port": port, "cert": cert, "arn": existing["ListenerArn"]}
        return Change(self.id, Action.UPDATE if changes else Action.UNCHANGED, resource, changes, data=data,
                      outputs={"arn": existing["ListenerArn"], "protocol": protocol, "port": port})

    def apply_enabled(self, ctx: DeployContext, change: Change) -> None:
        elb = self.elb(ctx)
        data = change.data
        lb_arn = ctx.outputs["alb:load-balancer"]["arn"]
        tg_arn = ctx.outputs["alb:target-group"]["arn"]
        kwargs: dict[str, Any] = {"Protocol": data["protocol"], "Port": data["port"], "DefaultActions": forward_to(tg_arn)}
        if data["cert"]:
            kwargs["Certificates"] = [{"CertificateArn": data["cert"]}]
        if change.action is Action.CREATE:
            listener = elb.create_listener(LoadBalancerArn=lb_arn, Tags=tag_list(ctx), **kwargs)["Listeners"][0]
        else:
            listener = elb.modify_listener(ListenerArn=data["arn"], **kwargs)["Listeners"][0]
        ctx.outputs.setdefault(self.id, {}).update({"arn": listener["ListenerArn"], "protocol": data["protocol"],
                                                     "port": data["port"]})

    def plan_destroy(self, ctx: DeployContext) -> Change:
        elb = self.elb(ctx)
        lb = find_load_balancer(elb, self.name)
        resource = f"listeners of {self.name}"
        if lb is None or not owned(elb, lb["LoadBalancerArn"], ctx.settings):
            return Change(self.id, Action.UNCHANGED, resource, ["no load balancer of this stage"], empty=True)
        listeners = listeners_of(elb, lb["LoadBalancerArn"])
        if not listeners:
            return Change(self.id, Action.UNCHANGED, resource, ["none"])
        return Change(self.id, Action.DELETE, resource, [f"{listener['Protocol']} :{listener['Port']}" for listener in listeners],
                      data={"arns": [listener["ListenerArn"] for listener in listeners]})

    def destroy(self, ctx: DeployContext, change: Change) -> None:
        elb = self.elb(ctx)
        for arn in change.data["arns"]:
            try:
                elb.delete_listener(ListenerArn=arn)
            except Exception as exc:
                if _code(exc) not in ("ListenerNotFound", "ListenerNotFoundException"):
                    raise
        ctx.outputs.pop(self.id, None)


def steps_for(settings: Any) -> list[ResourceStep]:
    return [LoadBalancerStep(settings), TargetGroupStep(settings), ListenerStep(settings)]
