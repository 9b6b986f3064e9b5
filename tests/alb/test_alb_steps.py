"""The load balancer's resource steps against in-process moto: create, converge, update, destroy."""

from __future__ import annotations

import json

import pytest
from zappa_aws_alb.permissions import ELB_PRINCIPAL
from zappa_aws_alb.resources import resource_name
from zappa_aws_alb.steps import steps_for
from zappa_aws_alb.target_group import MULTI_VALUE
from zappa_core.plan import Action
from zappa_core.testing import run_steps

pytestmark = pytest.mark.needs_plugins


def _state(moto_aws, name="shop-dev"):
    elb = moto_aws.client("elbv2")
    lb = elb.describe_load_balancers(Names=[name])["LoadBalancers"][0]
    tg = elb.describe_target_groups(Names=[name])["TargetGroups"][0]
    listeners = elb.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]
    attrs = {a["Key"]: a["Value"] for a in elb.describe_target_group_attributes(TargetGroupArn=tg["TargetGroupArn"])["Attributes"]}
    targets = [d["Target"]["Id"] for d in elb.describe_target_health(TargetGroupArn=tg["TargetGroupArn"])["TargetHealthDescriptions"]]
    tags = {t["Key"]: t["Value"] for d in elb.describe_tags(ResourceArns=[lb["LoadBalancerArn"], tg["TargetGroupArn"]])["TagDescriptions"]
            for t in d["Tags"]}
    return lb, tg, listeners, attrs, targets, tags


def test_deploy_creates_the_load_balancer_target_group_permission_and_https_listener(
        moto_aws, vpc, function, alb_settings, deploy_ctx):
    cert = moto_aws.client("acm").request_certificate(DomainName="shop.example.com")["CertificateArn"]
    settings = alb_settings(vpc_config={"CertificateArn": cert}, tags={"team": "web"})
    ctx = deploy_ctx(settings)
    changes = run_steps(ctx, steps_for(settings)).changes
    assert [c.action for c in changes] == [Action.CREATE] * 3

    lb, tg, listeners, attrs, targets, tags = _state(moto_aws)
    assert lb["Scheme"] == "internet-facing" and lb["Type"] == "application"
    assert sorted(az["SubnetId"] for az in lb["AvailabilityZones"]) == sorted(vpc["subnets"])
    assert lb["SecurityGroups"] == vpc["groups"]
    assert tg["TargetType"] == "lambda"
    assert attrs[MULTI_VALUE] == "true"
    assert targets == [function.arn]
    assert tags == {"ZappaProject": "shop-dev", "team": "web"}
    [listener] = listeners
    assert (listener["Protocol"], listener["Port"]) == ("HTTPS", 443)
    assert listener["Certificates"][0]["CertificateArn"] == cert
    assert listener["DefaultActions"] == [{"Type": "forward", "TargetGroupArn": tg["TargetGroupArn"]}]

    policy = json.loads(moto_aws.client("lambda").get_policy(FunctionName="shop-dev")["Policy"])
    [statement] = policy["Statement"]
    assert statement["Principal"]["Service"] == ELB_PRINCIPAL
    assert statement["Condition"]["ArnLike"]["AWS:SourceArn"] == tg["TargetGroupArn"]
    assert ctx.outputs["alb:load-balancer"]["dns_name"] == lb["DNSName"]


def test_second_deploy_changes_nothing(moto_aws, vpc, function, alb_settings, deploy_ctx):
    settings = alb_settings()
    run_steps(deploy_ctx(settings), steps_for(settings))
    again = run_steps(deploy_ctx(settings, "update"), steps_for(settings)).changes
    assert [c.action for c in again] == [Action.UNCHANGED] * 3, [c.details for c in again]


def test_update_converges_drift_and_new_certificate(moto_aws, vpc, function, alb_settings, deploy_ctx):
    settings = alb_settings()
    run_steps(deploy_ctx(settings), steps_for(settings))
    _, _, listeners, _, _, _ = _state(moto_aws)
    assert [(listener["Protocol"], listener["Port"]) for listener in listeners] == [("HTTP", 80)]  # no certificate: plain HTTP

    elb = moto_aws.client("elbv2")
    tg_arn = elb.describe_target_groups(Names=["shop-dev"])["TargetGroups"][0]["TargetGroupArn"]
    elb.modify_target_group_attributes(TargetGroupArn=tg_arn, Attributes=[{"Key": MULTI_VALUE, "Value": "false"}])
    elb.deregister_targets(TargetGroupArn=tg_arn, Targets=[{"Id": function.arn}])

    cert = moto_aws.client("acm").request_certificate(DomainName="shop.example.com")["CertificateArn"]
    settings = alb_settings(vpc_config={"CertificateArn": cert})
    changes = run_steps(deploy_ctx(settings, "update"), steps_for(settings)).changes
    assert [c.action for c in changes] == [Action.UNCHANGED, Action.UPDATE, Action.CREATE]
    assert any(MULTI_VALUE in d for d in changes[1].details)
    _, _, listeners, attrs, targets, _ = _state(moto_aws)
    assert attrs[MULTI_VALUE] == "true" and targets == [function.arn]
    assert sorted((listener["Protocol"], listener["Port"]) for listener in listeners) == [("HTTP", 80), ("HTTPS", 443)]


def test_undeploy_removes_everything_and_is_idempotent(moto_aws, vpc, function, alb_settings, deploy_ctx):
    settings = alb_settings()
    run_steps(deploy_ctx(settings), steps_for(settings))
    changes = run_steps(deploy_ctx(settings, "undeploy"), steps_for(settings), destroy=True).changes
    assert [c.action for c in changes] == [Action.DELETE] * 3
    elb = moto_aws.client("elbv2")
    assert elb.describe_load_balancers()["LoadBalancers"] == []
    assert elb.describe_target_groups()["TargetGroups"] == []
    with pytest.raises(moto_aws.client("lambda").exceptions.ResourceNotFoundException):
        moto_aws.client("lambda").get_policy(FunctionName="shop-dev")
    again = run_steps(deploy_ctx(settings, "undeploy"), steps_for(settings), destroy=True).changes
    assert [c.action for c in again] == [Action.UNCHANGED] * 3


def test_turning_alb_off_removes_it(moto_aws, vpc, function, alb_settings, stage, deploy_ctx):
    settings = alb_settings()
    run_steps(deploy_ctx(settings), steps_for(settings))
    off = stage(apigateway_enabled=False)
    changes = run_steps(deploy_ctx(off, "update"), steps_for(off)).changes
    assert {c.action for c in changes} == {Action.DELETE}
    assert moto_aws.client("elbv2").describe_load_balancers()["LoadBalancers"] == []
    assert [c.action for c in run_steps(deploy_ctx(off, "update"), steps_for(off)).changes] == [Action.UNCHANGED] * 3


def test_a_foreign_load_balancer_with_the_same_name_is_not_taken_over(moto_aws, vpc, function, alb_settings, deploy_ctx):
    from zappa_core.errors import AwsError

    moto_aws.client("elbv2").create_load_balancer(Name="shop-dev", Subnets=vpc["subnets"], Tags=[{"Key": "owner", "Value": "ops"}])
    settings = alb_settings()
    with pytest.raises(AwsError, match="not tagged ZappaProject=shop-dev"):
        steps_for(settings)[0].plan(deploy_ctx(settings))
    destroy = steps_for(settings)[0].plan_destroy(deploy_ctx(settings, "undeploy"))
    assert destroy.action is Action.UNCHANGED


def test_names_fit_elb_limits(stage):
    long = stage(project_name="a-very-long-project-name-for-a-shop", alb_enabled=False)
    name = resource_name(long)
    assert len(name) <= 32 and not name.endswith("-") and name.startswith("a-very-long")
    assert resource_name(long) == name  # stable
    assert resource_name(stage()) == "shop-dev"
