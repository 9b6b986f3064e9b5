"""On the local AWS, through the CLI: a Flask app reads a SecureString parameter, one key of a JSON secret in
Secrets Manager (encrypted with a customer-managed KMS key) and a parameter under its ``secrets_path`` from
``os.environ``, over HTTP. ``plan`` and ``deploy`` refuse a stage whose references do not exist before anything
is made; the role's policy names exactly the stage's parameters, secret and key; no value appears in the
package, ``plan``, ``status``, ``secrets list`` or the logs ``tail`` prints (the app logs one: it is masked)."""

from __future__ import annotations

import json
import urllib.request
import zipfile

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.needs_plugins]

APP = '''
import logging
import os

from flask import Flask, jsonify

AT_IMPORT = os.environ.get("DB_PASSWORD")  # resolved before the app is imported
app = Flask(__name__)


@app.route("/")
def index():
    logging.getLogger("shop").warning("connecting to the database with password %s", os.environ["DB_PASSWORD"])
    return jsonify(db_password=os.environ["DB_PASSWORD"], stripe=os.environ["STRIPE_KEY"],
                   at_import=AT_IMPORT, flag=os.environ.get("FEATURE_FLAG"))
'''
DB_PASSWORD = "db-pa55word-value"
STRIPE_KEY = "sk_live_stripe-value"
WEBHOOK = "whsec_other-value"
FLAG = "flag-on-value"
VALUES = (DB_PASSWORD, STRIPE_KEY, WEBHOOK, FLAG)


def leaked(text: str) -> list[str]:
    return [value for value in VALUES if value in text]


def test_a_flask_app_reads_its_secrets_and_no_value_leaks(tmp_path, monkeypatch, zappa, shared_cache):
    from zappa_core import testing

    project = tmp_path / "shop"
    project.mkdir()
    (project / "app.py").write_text(APP)
    (project / "requirements.txt").write_text("flask\n")
    (project / "zappa_settings.json").write_text(json.dumps({"dev": {
        "project_name": "shop", "s3_bucket": "shop-code", "aws_region": "us-east-1", "runtime": "python3.11",
        "app_function": "app.app", "keep_warm": False, "touch": False,
        "secrets": {"DB_PASSWORD": "ssm:/shop/dev/db_password", "STRIPE_KEY": "secretsmanager:shop/dev/stripe#api_key"},
        "secrets_path": "/shop/dev/config/"}}))
    with testing.local_aws(tmp_path / "local-cache", for_cli=True) as aws:
        monkeypatch.setenv("ZAPPA_LOCAL_GATEWAY", aws.gateway_endpoint)
        clients = aws.state.aws
        # nothing exists yet: plan and deploy name both references and make nothing
        planned = zappa(project, "plan", "dev", "--local", check=False)
        assert planned.code == 1, planned
        assert "DB_PASSWORD: parameter ssm:/shop/dev/db_password" in planned.err
        assert "STRIPE_KEY: secret secretsmanager:shop/dev/stripe" in planned.err
        refused = zappa(project, "deploy", "dev", "--local", check=False)
        assert refused.code == 1 and "do not exist" in refused.err
        assert clients.client("lambda").list_functions()["Functions"] == []
        assert clients.client("iam").list_roles()["Roles"] == []

        # the user stores them: a value on the command line is refused, stdin is read
        argv = zappa(project, "secrets", "set", "dev", "DB_PASSWORD", DB_PASSWORD, "--local", check=False)
        assert argv.code == 2 and "never taken from the command line" in argv.err
        zappa(project, "secrets", "set", "dev", "DB_PASSWORD", "--local", stdin=DB_PASSWORD + "\n")
        zappa(project, "secrets", "set", "dev", "FEATURE_FLAG", "--local", stdin=FLAG)
        key = clients.client("kms").create_key(Description="shop secrets")["KeyMetadata"]["Arn"]
        clients.client("secretsmanager").create_secret(
            Name="shop/dev/stripe", KmsKeyId=key, SecretString=json.dumps({"api_key": STRIPE_KEY, "webhook": WEBHOOK}))
        parameter = clients.client("ssm").get_parameter(Name="/shop/dev/db_password", WithDecryption=True)["Parameter"]
        assert (parameter["Type"], parameter["Value"]) == ("SecureString", DB_PASSWORD)

        plan = zappa(project, "plan", "dev", "--local", "--json")
        [step] = [c for c in plan.json()["changes"] if c["step"] == "core:secrets"]
        assert "DB_PASSWORD <- ssm:/shop/dev/db_password (SecureString)" in step["details"]
        assert "secrets_path /shop/dev/config/: 1 parameter(s): FEATURE_FLAG" in step["details"]
        listed = zappa(project, "secrets", "list", "dev", "--local")
        assert "STRIPE_KEY" in listed.out and "MISSING" not in listed.out

        zappa(project, "deploy", "dev", "--local")
        status = zappa(project, "status", "dev", "--local", "--json")
        with urllib.request.urlopen(status.json()["urls"]["api"], timeout=120) as response:
            assert json.loads(response.read()) == {"db_password": DB_PASSWORD, "stripe": STRIPE_KEY,
                                                   "at_import": DB_PASSWORD, "flag": FLAG}

        policy = clients.client("iam").get_role_policy(RoleName="shop-dev-ZappaLambdaExecutionRole",
                                                       PolicyName="zappa-permissions")["PolicyDocument"]
        reads = [s for s in policy["Statement"]
                 if any(a.split(":")[0] in ("ssm", "secretsmanager", "kms") for a in s["Action"])]
        arn = "arn:aws:{}:us-east-1:123456789012:{}".format
        assert sorted(reads, key=lambda s: s["Action"]) == [
            {"Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": [key]},
            {"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"],
             "Resource": [arn("secretsmanager", "secret:shop/dev/stripe-??????")]},
            {"Effect": "Allow", "Action": ["ssm:GetParameters"], "Resource": [arn("ssm", "parameter/shop/dev/db_password")]},
            {"Effect": "Allow", "Action": ["ssm:GetParametersByPath"],
             "Resource": [arn("ssm", "parameter/shop/dev/config"), arn("ssm", "parameter/shop/dev/config/*")]}]

        package = tmp_path / "shop.zip"
        zappa(project, "package", "dev", "-o", str(package))
        with zipfile.ZipFile(package) as archive:
            assert [n for n in archive.namelist() if leaked(archive.read(n).decode("latin-1"))] == []
        tail = zappa(project, "tail", "dev", "--local", "--disable-keep-open").out
        assert "connecting to the database with password ****" in tail
        configuration = clients.client("lambda").get_function_configuration(FunctionName="shop-dev")
        outputs = (planned.out + planned.err + refused.out + refused.err + plan.out + listed.out + status.out + tail
                   + json.dumps(configuration, default=str) + zappa(project, "status", "dev", "--local").out)
        assert leaked(outputs) == []

        got = zappa(project, "secrets", "get", "dev", "STRIPE_KEY", "--local")
        assert got.out == STRIPE_KEY + "\n"
        zappa(project, "undeploy", "dev", "--local", "--yes")
        assert clients.client("ssm").get_parameter(Name="/shop/dev/db_password")["Parameter"]["Name"]
