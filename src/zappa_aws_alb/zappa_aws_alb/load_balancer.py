"""``alb:load-balancer``: the internet-facing application load balancer in the subnets of ``alb_vpc_config``,
and the Route53 alias of the domain removed with it."""

from __future__ import annotations

from typing import Any

from zappa_core.awserrors import is_not_found
from zappa_core.plan import Action, Change, DeployContext
from zappa_core.route53 import delete_alias

from zappa_aws_alb.resources import AlbStep, find_load_balancer, owned, refuse, tag_list


class LoadBalancerStep(AlbStep):
    id = "alb:load-balancer"
    follows_code = False
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
            raise refuse("load balancer", self.name, ctx.settings)
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
            if not is_not_found(exc):
                raise
        ctx.outputs.pop(self.id, None)


def remove_alias(aws: Any, domain: str, dns_name: str) -> None:
    """Remove the Route53 alias of ``domain`` when it points at this load balancer (without a hosted zone
    there is nothing zappa created)."""
    delete_alias(aws.client("route53"), domain, target=dns_name)
