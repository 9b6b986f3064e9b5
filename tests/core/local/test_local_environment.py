"""On the local AWS, through the CLI: a project with secrets on disk and in its settings deploys without
shipping any of them in its zip, and the function still gets its ``environment_variables`` (from the
function's configuration, as on Lambda)."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.needs_plugins]

APP = '''
import os


def show(event, context):
    return {"env": {k: os.environ.get(k) for k in ("DB_PASSWORD", "MODE", "API_TOKEN")},
            "dotenv_shipped": os.path.exists(".env"), "key_shipped": os.path.exists("deploy.pem")}
'''


def test_secrets_stay_out_of_the_zip_and_the_function_still_gets_its_variables(tmp_path, monkeypatch, zappa):
    from zappa_core import testing

    project = tmp_path / "envapp"
    project.mkdir()
    (project / "app.py").write_text(APP)
    (project / "requirements.txt").write_text("")
    (project / ".env").write_text("DB_PASSWORD=on-disk-bait\n")
    (project / "deploy.pem").write_text("-----BEGIN PRIVATE KEY-----\non-disk-bait\n-----END PRIVATE KEY-----\n")
    (project / "zappa_settings.json").write_text(json.dumps({"dev": {
        "project_name": "envapp", "s3_bucket": "envapp-code", "aws_region": "us-east-1", "runtime": "python3.11",
        "apigateway_enabled": False, "keep_warm": False, "touch": False,
        "environment_variables": {"DB_PASSWORD": "settings-bait", "MODE": "app"},
        "aws_environment_variables": {"API_TOKEN": "token-bait", "MODE": "aws"}}}))
    monkeypatch.setenv("ZAPPA_CACHE_DIR", str(tmp_path / "cache"))
    with testing.local_aws(tmp_path / "local-cache", for_cli=True) as aws:
        deployed = zappa(project, "deploy", "dev", "--local")
        assert "left out 2 path(s) that may hold secrets: .env, deploy.pem" in deployed.out
        invoked = zappa(project, "invoke", "dev", "app.show", "--local", "--json").json()
        assert invoked["result"] == {"env": {"DB_PASSWORD": "settings-bait", "MODE": "app", "API_TOKEN": "token-bait"},
                                     "dotenv_shipped": False, "key_shipped": False}
        s3 = aws.state.aws.client("s3")
        [key] = [o["Key"] for o in s3.list_objects_v2(Bucket="envapp-code")["Contents"]]
        with zipfile.ZipFile(io.BytesIO(s3.get_object(Bucket="envapp-code", Key=key)["Body"].read())) as archive:
            leaked = [n for n in archive.namelist() if b"bait" in archive.read(n)]
        assert leaked == []
        zappa(project, "undeploy", "dev", "--local", "--yes")
