"""Settings problems through the real ``zappa`` command: file, line, stage, "did you mean", exit 2, no AWS."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ZAPPA = str(Path(sys.executable).parent / "zappa")

TYPO_FILES = {
    "zappa_settings.json": '{\n    "dev": {\n        "s3_bucket": "code-bucket",\n        "remote_evn": "s3://b/env.json"\n    }\n}\n',
    "zappa_settings.yml": "dev:\n  s3_bucket: code-bucket\n  # a comment\n  remote_evn: s3://b/env.json\n",
    "zappa_settings.toml": '[dev]\ns3_bucket = "code-bucket"\n\nremote_evn = "s3://b/env.json"\n',
}


@pytest.fixture
def run(zappa_cli, monkeypatch):
    """The CLI in this process, in folder ``cwd`` with extra environment variables."""

    def call(args, cwd, **env):
        monkeypatch.chdir(cwd)
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        return zappa_cli(args)

    return call


def zappa(args, cwd, **env):
    environment = {**os.environ, "ZAPPA_CACHE_DIR": str(Path(cwd) / ".cache"), **env}
    return subprocess.run([ZAPPA, *args], cwd=cwd, env=environment, capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.parametrize("name", sorted(TYPO_FILES))
def test_typo_through_the_installed_command(tmp_path, name):
    (tmp_path / name).write_text(TYPO_FILES[name])
    result = zappa(["deploy", "dev"], tmp_path)
    assert result.returncode == 2, result.stderr
    assert f"{tmp_path / name}:4, stage 'dev': 'remote_evn': unknown setting; did you mean 'remote_env'?" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", [["deploy", "dev"], ["plan", "dev"], ["settings", "show", "dev"]])
@pytest.mark.parametrize("name", sorted(TYPO_FILES))
def test_typo_names_file_line_stage_and_suggestion(zappa_cli, tmp_path, monkeypatch, name, command):
    (tmp_path / name).write_text(TYPO_FILES[name])
    monkeypatch.chdir(tmp_path)
    result = zappa_cli(command)
    assert result.returncode == 2, result.stderr
    assert f"{tmp_path / name}:4" in result.stderr
    assert "stage 'dev'" in result.stderr
    assert "did you mean 'remote_env'" in result.stderr
    assert "Traceback" not in result.stderr


def test_every_problem_of_every_stage_at_once(run, tmp_path):
    (tmp_path / "zappa_settings.json").write_text(json.dumps({
        "dev": {"memory_size": "lots", "timout_seconds": 3},
        "prod": {"log_level": "LOUD", "keep_wrm": False},
        "bad-name": {},
    }, indent=2))
    result = run(["deploy", "--all"], tmp_path)
    assert result.returncode == 2
    for expected in ("'memory_size'", "did you mean 'timeout_seconds'", "'log_level'", "did you mean 'keep_warm'",
                     "stage 'bad-name'", "letters, digits and '_'"):
        assert expected in result.stderr, expected
    assert "5 settings problem(s)" in result.stderr


def test_key_of_a_missing_plugin_names_the_extra(run, tmp_path):
    (tmp_path / "zappa_settings.json").write_text('{"dev": {\n  "alb_enabled": true\n}}')
    result = run(["settings", "show", "dev"], tmp_path, ZAPPA_DISABLE_PLUGINS="alb")
    assert result.returncode == 2
    assert ":2" in result.stderr and "'alb_enabled'" in result.stderr
    assert 'pip install "zappa-ng[alb]"' in result.stderr


def test_a_missing_plugins_key_that_switches_its_feature_off_needs_no_plugin(run, tmp_path):
    (tmp_path / "zappa_settings.json").write_text(json.dumps({"dev": {
        "s3_bucket": "code-bucket", "apigateway_enabled": False, "keep_warm": False, "events": [],
        "alb_enabled": False, "certificate_arn": None}}))
    result = run(["settings", "show", "dev"], tmp_path, ZAPPA_DISABLE_PLUGINS="apigw,events,alb,certs")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["s3_bucket"] == "code-bucket"
    (tmp_path / "zappa_settings.json").write_text(json.dumps({"dev": {"keep_warm": True, "apigateway_enabled": False}}))
    result = run(["settings", "show", "dev"], tmp_path, ZAPPA_DISABLE_PLUGINS="apigw,events")
    assert result.returncode == 2  # asking for the feature still names the extra that brings it
    assert 'pip install "zappa-ng[events]"' in result.stderr and "apigateway_enabled" not in result.stderr


def test_settings_show_prints_defaults_and_inherited_values(run, tmp_path):
    (tmp_path / "zappa_settings.yml").write_text(
        "base:\n  s3_bucket: code-bucket\n  memory_size: 1024\ndev:\n  extends: base\n  timeout_seconds: 60\n")
    result = run(["settings", "show", "dev"], tmp_path)
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["memory_size"] == 1024 and shown["timeout_seconds"] == 60
    assert shown["lambda_handler"] == "handler.lambda_handler"
    assert shown["project_name"] == tmp_path.name.lower().replace("_", "-")


def test_no_aws_call_is_made_for_bad_settings(tmp_path, monkeypatch):
    """Bad settings stop every command before any AWS API call (patched to fail loudly if reached)."""
    import botocore.client
    from zappa_core.__main__ import main

    calls = []

    def refuse(self, operation, params):
        calls.append(operation)
        raise AssertionError(f"AWS call {operation} made with bad settings")

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", refuse)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ZAPPA_NO_CACHE", "1")
    (tmp_path / "zappa_settings.json").write_text('{"dev": {"remote_evn": "x", "aws_region": "us-east-1"}}')
    for command in (["deploy", "dev"], ["update", "dev"], ["undeploy", "dev", "--yes"], ["status", "dev"],
                    ["schedule", "dev"], ["package", "dev"], ["plan", "dev"], ["tail", "dev"],
                    ["rollback", "dev"], ["certify", "dev", "--yes"], ["invoke", "dev", "app.f"]):
        assert main(command) == 2, command
    assert calls == []


def test_extends_problem_is_reported_where_it_is_written(run, tmp_path):
    (tmp_path / "zappa_settings.json").write_text(
        '{\n "common": {\n  "s3_bucket": "code-bucket",\n  "remote_evn": "x"\n },\n'
        ' "dev": {"extends": "common"},\n "prod": {"extends": "common"}\n}\n')
    result = run(["deploy", "--all"], tmp_path)
    assert result.returncode == 2
    problems = [line for line in result.stderr.splitlines() if "remote_evn" in line]
    assert problems == [f"  - {tmp_path / 'zappa_settings.json'}:4, stage 'common' (inherited by 'dev', 'prod'): "
                        "'remote_evn': unknown setting; did you mean 'remote_env'?"]


def test_circular_extends_and_unknown_parent(run, tmp_path):
    (tmp_path / "zappa_settings.json").write_text(json.dumps({
        "a": {"extends": "b"}, "b": {"extends": "a"}, "c": {"extends": "prd"}, "prod": {}}))
    result = run(["settings", "show", "c"], tmp_path)
    assert result.returncode == 2 and "'extends': no stage named 'prd'; did you mean 'prod'?" in result.stderr
    result = run(["settings", "show", "a"], tmp_path)
    assert result.returncode == 2 and "circular 'extends': a -> b -> a" in result.stderr


def test_unknown_stage_and_missing_file(run, tmp_path):
    result = run(["deploy", "dev"], tmp_path)
    assert result.returncode == 2 and "run 'zappa init'" in result.stderr
    (tmp_path / "zappa_settings.json").write_text('{"production": {}}')
    result = run(["deploy", "prodution"], tmp_path)
    assert result.returncode == 2 and "did you mean 'production'?" in result.stderr


def test_snapstart_alias_is_accepted(run, tmp_path):
    (tmp_path / "zappa_settings.json").write_text('{"dev": {"snapstart": "PublishedVersions"}}')
    result = run(["settings", "show", "dev"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["snap_start"] == "PublishedVersions"


@pytest.mark.needs_plugins
def test_settings_schema_validates_a_real_file(run, tmp_path):
    jsonschema = pytest.importorskip("jsonschema")
    result = run(["settings", "schema"], tmp_path)
    assert result.returncode == 0, result.stderr
    schema = json.loads(result.stdout)
    good = {"dev": {"app_function": "app.app", "s3_bucket": "code-bucket", "memory_size": 1024, "events": [], "cors": True,
                    "x_regex_excludes": ["^docs/"]}}
    jsonschema.validate(good, schema)  # x_ keys are the user's
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"dev": {"remote_evn": "x"}}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"bad-name": {}}, schema)
    assert schema["$defs"]["Stage"]["properties"]["alb_enabled"]["x-zappa-plugin"] == "alb"


class TestGenerate:
    def test_writes_a_new_json_file(self, run, tmp_path):
        result = run(["settings", "--config", "s3_bucket=my-bucket", "--config", "memory_size=2048",
                        "--config", 'aws_environment_variables={"AA": "1"}', "--stage", "prod"], tmp_path)
        assert result.returncode == 0, result.stderr
        data = json.loads((tmp_path / "zappa_settings.json").read_text())
        assert data == {"prod": {"s3_bucket": "my-bucket", "memory_size": 2048, "aws_environment_variables": {"AA": "1"}}}

    def test_updates_yaml_keeping_comments(self, run, tmp_path):
        path = tmp_path / "zappa_settings.yml"
        path.write_text("dev:\n  # where code goes\n  s3_bucket: code-bucket  # keep me\n")
        result = run(["settings", "--config", "timeout_seconds=60", "--config", "aws_environment_variables.XY=y"], tmp_path)
        assert result.returncode == 0, result.stderr
        text = path.read_text()
        assert "# where code goes" in text and "# keep me" in text
        assert "timeout_seconds: 60" in text and "XY: y" in text

    @pytest.mark.needs_plugins
    def test_updates_toml(self, run, tmp_path):
        path = tmp_path / "zappa_settings.toml"
        path.write_text('[dev]\ns3_bucket = "code-bucket"\n')
        result = run(["settings", "--config", "keep_warm=false", "--config", 'exclude=["*.md"]'], tmp_path)
        assert result.returncode == 0, result.stderr
        from zappa_core.settings.files import load_file

        assert load_file(path).data == {"dev": {"s3_bucket": "code-bucket", "keep_warm": False, "exclude": ["*.md"]}}

    def test_bad_value_changes_nothing(self, run, tmp_path):
        path = tmp_path / "zappa_settings.json"
        path.write_text('{"dev": {"s3_bucket": "code-bucket"}}')
        result = run(["settings", "--config", "remote_evn=x"], tmp_path)
        assert result.returncode == 2 and "did you mean 'remote_env'" in result.stderr
        assert str(path) in result.stderr
        assert path.read_text() == '{"dev": {"s3_bucket": "code-bucket"}}'
        assert sorted(p.name for p in tmp_path.iterdir()) == ["zappa_settings.json"]
        result = run(["settings", "--config", "novalue"], tmp_path)
        assert result.returncode == 2 and "expected key=value" in result.stderr
