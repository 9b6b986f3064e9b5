"""``alb:listener``: HTTPS on 443 with the certificate of ``alb_vpc_config``, else HTTP on 80, forwarding to
the stage's target group."""

from __future__ import annotations

from typing import Any

from zappa_core.awserrors import is_not_found
from zappa_core.plan import Action, Change, DeployContext

from zappa_aws_alb.resources import AlbStep, find_load_balancer, listeners_of, owned, tag_list


def desired_listener(settings: Any) -> tuple[str, int, str | None]:
    """HTTPS on 443 with ``alb_vpc_config.CertificateArn``; without a certificate, HTTP on 80 (``zappa
    certify`` adds the HTTPS listener once the domain has a certificate)."""
    cert = settings.alb_vpc_config.CertificateArn
    return ("HTTPS", 443, cert) if cert else ("HTTP", 80, None)


def forward_to(tg_arn: str | None) -> list[dict]:
    return [{"Type": "forward", "TargetGroupArn": tg_arn}]


class ListenerStep(AlbStep):
    id = "alb:listener"
    follows_code = False
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
                if not is_not_found(exc):
                    raise
        ctx.outputs.pop(self.id, None)
