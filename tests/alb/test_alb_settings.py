"""Settings rules of the load balancer, and ``zappa status`` of a deployed one."""

from __future__ import annotations

import pytest
from zappa_aws_alb.plugin import zappa_stage_status
from zappa_aws_alb.steps import steps_for
from zappa_core.settings import SettingsError
from zappa_core.testing import run_steps

pytestmark = pytest.mark.needs_plugins


def test_base_path_with_alb_is_rejected_at_validation(stage):
    with pytest.raises(SettingsError) as info:
        stage(alb_enabled=True, base_path="api", alb_vpc_config={"SubnetIds": ["subnet-1", "subnet-2"]})
    [problem] = info.value.problems
    assert problem.key == "base_path" and "cannot be used with 'alb_enabled'" in problem.message
    assert problem.line is not None  # points at the line in zappa_settings.json


def test_alb_without_two_subnets_is_a_settings_error(stage):
    with pytest.raises(SettingsError) as info:
        stage(alb_enabled=True, alb_vpc_config={"SubnetIds": ["subnet-1"]})
    [problem] = info.value.problems
    assert problem.key == "alb_vpc_config" and "at least two subnets" in problem.message and "got 1" in problem.message
    with pytest.raises(SettingsError, match="at least two subnets"):
        stage(alb_enabled=True)


def test_unknown_keys_in_alb_vpc_config_are_errors(stage):
    with pytest.raises(SettingsError, match="alb_vpc_config"):
        stage(alb_enabled=True, alb_vpc_config={"SubnetIds": ["a", "b"], "SubnetId": "typo"})


def test_base_path_without_alb_is_fine(stage):
    assert stage(base_path="api").base_path == "api"


def test_validation_errors_exit_2_before_any_aws_call(stage, capsys, monkeypatch):
    from zappa_core.cli import run

    stage(alb_enabled=False)  # write a valid file first, then a bad one
    import json
    from pathlib import Path

    data = json.loads(Path("zappa_settings.json").read_text())
    data["dev"].update(alb_enabled=True, base_path="v1")
    Path("zappa_settings.json").write_text(json.dumps(data))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "none")  # no AWS would answer anyway: the command must stop first
    assert run(["deploy", "dev"]) == 2
    err = capsys.readouterr().err
    assert "'base_path'" in err and "'alb_vpc_config'" in err


def test_status_shows_the_https_url(moto_aws, vpc, function, alb_settings, deploy_ctx, issued_certificate):
    settings = alb_settings(vpc_config={"CertificateArn": issued_certificate()})
    assert zappa_stage_status(settings, deploy_ctx(settings, "status")) is None  # nothing deployed yet
    run_steps(deploy_ctx(settings), steps_for(settings))
    status = zappa_stage_status(settings, deploy_ctx(settings, "status"))
    dns = moto_aws.client("elbv2").describe_load_balancers(Names=["shop-dev"])["LoadBalancers"][0]["DNSName"]
    assert status["urls"] == {"alb": f"https://{dns}"}
    assert status["alb"]["listeners"] == ["HTTPS:443"]


def test_status_is_silent_when_alb_is_off(stage, moto_aws, deploy_ctx):
    settings = stage()
    assert zappa_stage_status(settings, deploy_ctx(settings, "status")) is None
