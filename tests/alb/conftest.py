"""Fixtures of the ALB tests: a VPC with two subnets and a security group in moto, a function, a stage."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cert_helpers import import_self_signed
from zappa_core.plan import DeployContext


@pytest.fixture
def vpc(moto_aws, monkeypatch) -> dict[str, Any]:
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")  # the AMI catalogue is slow to load and unused here
    ec2 = moto_aws.client("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"us-east-1{az}")["Subnet"]["SubnetId"]
               for i, az in ((1, "a"), (2, "b"))]
    group = ec2.create_security_group(GroupName="alb", Description="alb", VpcId=vpc_id)["GroupId"]
    return {"vpc": vpc_id, "subnets": subnets, "groups": [group]}


@pytest.fixture
def function(zappa_function) -> Any:
    """The function of stage 'dev' of project 'shop' (``shop-dev``) in moto, made with boto3."""
    return zappa_function("shop-dev")


@pytest.fixture
def stage(tmp_path: Path, monkeypatch, zappa_pm):
    """``stage(**keys)`` -> the validated settings of stage 'dev' of project 'shop' with those keys."""
    from zappa_core.settings import load_stage

    def make(**keys: Any):
        data = {"dev": {"project_name": "shop", "app_function": "app.app", "s3_bucket": "shop-code",
                        "aws_region": "us-east-1", **keys}}
        (tmp_path / "zappa_settings.json").write_text(json.dumps(data))
        monkeypatch.chdir(tmp_path)
        return load_stage("dev", pm=zappa_pm, project_dir=tmp_path)

    return make


@pytest.fixture
def alb_settings(stage, vpc):
    def make(**extra: Any):
        cfg = {"SubnetIds": vpc["subnets"], "SecurityGroupIds": vpc["groups"], **extra.pop("vpc_config", {})}
        return stage(alb_enabled=True, apigateway_enabled=False, alb_vpc_config=cfg, **extra)

    return make


@pytest.fixture
def deploy_ctx(moto_aws, zappa_pm):
    def make(settings, command: str = "deploy") -> DeployContext:
        return DeployContext(settings=settings, aws=moto_aws, pm=zappa_pm, command=command, echo=lambda *a, **k: None)

    return make


@pytest.fixture
def issued_certificate(moto_aws):
    """``issued_certificate(domain, region)`` -> the ARN of an ISSUED (imported) ACM certificate for ``domain``."""
    return lambda domain="shop.example.com", region="us-east-1": import_self_signed(moto_aws.client("acm", region=region), domain)


@pytest.fixture
def hosted_zone(moto_aws) -> str:
    """A public hosted zone ``example.com`` in moto; returns its id."""
    zone = moto_aws.client("route53").create_hosted_zone(Name="example.com", CallerReference="zappa-tests")
    return zone["HostedZone"]["Id"].split("/")[-1]
