"""``zappa certify`` for a load balancer: serve the domain's certificate on the HTTPS listener."""

from __future__ import annotations

from typing import Any

from zappa_core.errors import ZappaError
from zappa_core.records import DomainBinding

from zappa_aws_alb.listener import forward_to
from zappa_aws_alb.resources import find_load_balancer, find_target_group, listeners_of, owned, resource_name


def bind_certificate(aws: Any, settings: Any, domain: str, certificate: str) -> DomainBinding:
    """Put ``certificate`` on the HTTPS :443 listener (created, forwarding to the stage's target group,
    when there is none; added as an SNI certificate when the listener serves another one). Idempotent.
    Returns the binding: the load balancer's DNS name and hosted zone for the alias certify writes."""
    elb = aws.client("elbv2")
    name = resource_name(settings)
    lb = find_load_balancer(elb, name)
    if lb is None or not owned(elb, lb["LoadBalancerArn"], settings):
        raise ZappaError(f"stage '{settings.stage}' has no load balancer '{name}' yet",
                         hint=f"run 'zappa deploy {settings.stage}' first, then certify")
    https = next((listener for listener in listeners_of(elb, lb["LoadBalancerArn"]) if listener["Port"] == 443), None)
    if https is None:
        tg = find_target_group(elb, name)
        if tg is None:
            raise ZappaError(f"load balancer '{name}' has no target group '{name}'",
                             hint=f"run 'zappa update {settings.stage}' to repair it, then certify")
        tags = [{"Key": k, "Value": v} for k, v in {**(settings.get("tags") or {}),
                                                     "ZappaProject": settings.zappa_project_tag}.items()]
        listener = elb.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTPS", Port=443,
                                       Certificates=[{"CertificateArn": certificate}],
                                       DefaultActions=forward_to(tg["TargetGroupArn"]), Tags=tags)["Listeners"][0]
        action = "created the HTTPS listener"
    else:
        listener = https
        present = {c["CertificateArn"] for c in elb.describe_listener_certificates(ListenerArn=https["ListenerArn"]).get("Certificates", [])}
        if https["Protocol"] != "HTTPS":
            raise ZappaError(f"port 443 of load balancer '{name}' is a {https['Protocol']} listener",
                             hint="remove it, or set alb_vpc_config.CertificateArn and run 'zappa update'")
        if certificate in present:
            action = "the HTTPS listener already serves the certificate"
        else:
            elb.add_listener_certificates(ListenerArn=https["ListenerArn"], Certificates=[{"CertificateArn": certificate}])
            action = "added the certificate to the HTTPS listener"
    return DomainBinding(domain, lb["DNSName"], lb.get("CanonicalHostedZoneId"),
                         {"listener": listener["ListenerArn"], "action": action})
