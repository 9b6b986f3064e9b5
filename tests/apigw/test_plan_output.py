"""What `zappa plan` and `deploy` print for an API-Gateway-only stage: only the steps of what it uses or what
exists, counted as such, and no API Gateway patch paths."""

from __future__ import annotations

import json

import pytest
from cli_result import run_cli

pytestmark = pytest.mark.needs_plugins


@pytest.fixture
def project(tmp_path, monkeypatch, moto_aws):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ZAPPA_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "app.py").write_text("def app(environ, start_response):\n    start_response('200 OK', [])\n"
                                     "    return [b'ok']\n")
    (tmp_path / "requirements.txt").write_text("")
    (tmp_path / "zappa_settings.json").write_text(json.dumps({"dev": {
        "project_name": "shop", "app_function": "app.app", "s3_bucket": "shop-code", "aws_region": "us-east-1",
        "touch": False, "keep_warm": False, "runtime": "python3.11"}}))
    return tmp_path


def step_lines(out: str) -> list[str]:
    return [line.split()[1] for line in out.splitlines() if line.startswith(("  + ", "  = ", "  ~ ", "  - "))]


def test_plan_shows_and_counts_only_what_the_stage_uses(project, capsys):
    planned = run_cli(capsys, ["plan", "dev"])
    assert planned.code == 0, planned
    assert step_lines(planned.out) == ["core:role", "core:bucket", "core:code", "core:log-group", "core:function",
                                       "apigw:rest-api"]
    assert "Plan for stage 'dev' (shop-dev): 6 to create, 0 to update, 0 to delete, 0 unchanged" in planned.out
    assert "alb" not in planned.out and "events:" not in planned.out and "does not exist" not in planned.out

    as_json = run_cli(capsys, ["plan", "dev", "--json"]).json()
    assert {c["step"] for c in as_json["changes"] if c["empty"]} >= {"alb:load-balancer", "apigw:http-api",
                                                                     "apigw:function-url"}
    assert as_json["summary"] == {"create": 6, "update": 0, "unchanged": 0, "delete": 0}


def test_deploy_prints_no_internal_lines_and_update_counts_only_real_steps(project, capsys):
    deployed = run_cli(capsys, ["deploy", "dev"])
    assert deployed.code == 0, deployed
    assert "binaryMediaTypes" not in deployed.out + deployed.err and "~1" not in deployed.out
    assert "Deploying shop-dev (6 change(s), 0 unchanged)" in deployed.out

    (project / "app.py").write_text((project / "app.py").read_text() + "# changed\n")
    updated = run_cli(capsys, ["update", "dev", "--refresh"])  # every step planned, as for a changed setting
    assert updated.code == 0, updated
    assert "unchanged)" in updated.out and ", 4 unchanged)" in updated.out, updated.out
    (project / "app.py").write_text((project / "app.py").read_text() + "# changed again\n")
    code_only = run_cli(capsys, ["update", "dev"])
    assert "Updating shop-dev (2 change(s), only the code changed)" in code_only.out, code_only.out
