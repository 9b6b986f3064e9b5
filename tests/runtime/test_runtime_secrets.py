"""The runtime's side of ``secrets`` and ``secrets_path``, against moto's Parameter Store, Secrets Manager and
KMS in this process: values in the environment before the app is imported, one batched call per service,
missing references named at cold start, refreshes of warm containers, and values masked in log lines."""

from __future__ import annotations

import json
import logging
import sys

import boto3
import pytest
from moto import mock_aws
from zappa_runtime.secrets import SecretsError, SecretsLoader


@pytest.fixture
def aws(monkeypatch):
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        ssm, sm = boto3.client("ssm"), boto3.client("secretsmanager")
        key = boto3.client("kms").create_key()["KeyMetadata"]["KeyId"]
        ssm.put_parameter(Name="/shop/prod/db_password", Value="pa55-from-ssm", Type="SecureString", KeyId=key)
        ssm.put_parameter(Name="plain_name", Value="plain-value", Type="String")
        for index in range(12):
            ssm.put_parameter(Name=f"/shop/prod/config/FLAG_{index}", Value=f"flag-{index}", Type="SecureString")
        sm.create_secret(Name="shop/stripe", SecretString=json.dumps({"api_key": "sk-live-value", "retries": 3}))
        sm.create_secret(Name="shop/token", SecretString="whole-token-value")
        yield {"ssm": ssm, "secretsmanager": sm}


def calls(clients: dict) -> list[str]:
    """The operations each client sends, recorded from botocore's events."""
    seen: list[str] = []
    for client in clients.values():
        client.meta.events.register("before-call.*.*", lambda model, **_: seen.append(model.name))
    return seen


def test_every_reference_kind_lands_in_the_environment_with_one_batched_call_per_service(aws):
    secrets = {f"P{index}": f"ssm:/shop/prod/config/FLAG_{index}" for index in range(12)}
    secrets.update({"DB_PASSWORD": "ssm:/shop/prod/db_password", "PLAIN": "ssm:plain_name:1",
                    "STRIPE_KEY": "secretsmanager:shop/stripe#api_key", "RETRIES": "secretsmanager:shop/stripe#retries",
                    "TOKEN": "secretsmanager:shop/token"})
    environ: dict[str, str] = {}
    loader = SecretsLoader({"secrets": secrets, "secrets_path": "/shop/prod/config/"}, environ=environ, clients=dict(aws))
    made = calls(aws)
    loader.load()
    assert environ["DB_PASSWORD"] == "pa55-from-ssm" and environ["PLAIN"] == "plain-value"
    assert environ["STRIPE_KEY"] == "sk-live-value" and environ["RETRIES"] == "3" and environ["TOKEN"] == "whole-token-value"
    assert environ["P11"] == "flag-11" and environ["FLAG_0"] == "flag-0" and len(environ) == 12 + 5 + 12
    # 14 names: two GetParameters of at most ten; the path's 12 in two pages of ten; each secret read once
    assert sorted(made) == ["GetParameters", "GetParameters", "GetParametersByPath", "GetParametersByPath",
                            "GetSecretValue", "GetSecretValue"]


def test_a_missing_reference_fails_the_cold_start_naming_each_one_and_no_value(aws, tmp_path, monkeypatch):
    from zappa_runtime.runtime import Runtime

    (tmp_path / "app.py").write_text("raise AssertionError('the app must not be imported')\n")
    settings = {"app_function": "app.app", "log_level": "INFO", "secrets": {
        "DB_PASSWORD": "ssm:/shop/prod/db_password", "GONE": "ssm:/shop/prod/gone",
        "STRIPE_KEY": "secretsmanager:shop/stripe#no_such_key", "OTHER": "secretsmanager:shop/nope"}}
    monkeypatch.setattr(sys, "path", list(sys.path))
    with pytest.raises(SecretsError) as failed:
        Runtime.cold_start(str(tmp_path), {"format": 1, "runtime_modules": [], "settings": settings})
    message = str(failed.value)
    assert "GONE: parameter ssm:/shop/prod/gone does not exist" in message
    assert "STRIPE_KEY: secret secretsmanager:shop/stripe has no key 'no_such_key' (its keys: api_key, retries)" in message
    assert "secret secretsmanager:shop/nope does not exist (for OTHER)" in message
    assert "pa55" not in message and "sk-live" not in message


def test_the_app_sees_its_secrets_at_import_and_explicit_settings_win_over_the_path(aws, tmp_path, monkeypatch):
    from zappa_runtime.runtime import Runtime

    (tmp_path / "secret_app.py").write_text(
        "import os\nSEEN = {k: os.environ.get(k) for k in ('DB_PASSWORD', 'FLAG_1', 'FLAG_2', 'FLAG_3')}\n"
        "def app(environ, start_response):\n    return []\n")
    for name in ("DB_PASSWORD", "FLAG_1", "FLAG_2", "FLAG_3"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.delitem(sys.modules, "secret_app", raising=False)
    settings = {"app_function": "secret_app.app", "log_level": "INFO", "secrets_path": ["/shop/prod/config"],
                "secrets": {"DB_PASSWORD": "ssm:/shop/prod/db_password", "FLAG_1": "secretsmanager:shop/token"},
                "environment_variables": {"FLAG_2": "from-settings"}}
    Runtime.cold_start(str(tmp_path), {"format": 1, "runtime_modules": [], "settings": settings})
    assert sys.modules["secret_app"].SEEN == {"DB_PASSWORD": "pa55-from-ssm", "FLAG_1": "whole-token-value",
                                              "FLAG_2": "from-settings", "FLAG_3": "flag-3"}


def test_a_warm_container_reads_again_after_the_interval_and_keeps_its_values_when_that_fails(aws, caplog):
    now = [0.0]
    environ: dict[str, str] = {}
    loader = SecretsLoader({"secrets": {"DB_PASSWORD": "ssm:/shop/prod/db_password"}, "secrets_refresh_seconds": 60},
                           environ=environ, clients=dict(aws), clock=lambda: now[0])
    loader.load()
    aws["ssm"].put_parameter(Name="/shop/prod/db_password", Value="rotated-value", Type="SecureString", Overwrite=True)
    now[0] = 59
    loader.refresh()
    assert environ["DB_PASSWORD"] == "pa55-from-ssm"
    now[0] = 60
    loader.refresh()
    assert environ["DB_PASSWORD"] == "rotated-value"
    aws["ssm"].delete_parameter(Name="/shop/prod/db_password")
    now[0] = 200
    with caplog.at_level(logging.ERROR, logger="zappa.runtime"):
        loader.refresh()
    assert environ["DB_PASSWORD"] == "rotated-value"
    assert "refreshing the stage's secrets failed" in caplog.text and "does not exist" in caplog.text


def test_values_are_masked_in_log_lines_and_tracebacks(aws):
    import io

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        SecretsLoader({"secrets": {"DB_PASSWORD": "ssm:/shop/prod/db_password", "ON": "ssm:plain_name"}},
                      environ={}, clients=dict(aws)).load()
        log = logging.getLogger("app")
        log.warning("connecting with %s", "pa55-from-ssm")
        try:
            raise ValueError("bad password pa55-from-ssm")
        except ValueError:
            log.exception("login failed for plain-value")
    finally:
        root.removeHandler(handler)
    text = stream.getvalue()
    assert "pa55" not in text and "plain-value" not in text
    assert "connecting with ****" in text and "ValueError: bad password ****" in text
