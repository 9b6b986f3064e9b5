"""Every region on the local AWS: ``zappa init --global`` writes one stage per region, ``deploy --all --local``
deploys each to its region, and each stage's API answers HTTP through the gateway, as it would from its
region's own endpoint. The real CLI runs in this process against an in-process local AWS."""

from __future__ import annotations

import json
import urllib.request

import pytest
from cli_result import run_cli

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.needs_plugins]

# three of the regions init writes: enough to show each stage lands in its own region, small enough to be quick
REGIONS = ("us-east-1", "eu-west-1", "ap-northeast-1")

APP = '''
import os


def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [f"hello from {os.environ['AWS_REGION']}".encode()]
'''


@pytest.fixture
def local(tmp_path):
    from zappa_core import testing

    with testing.local_aws(tmp_path / "cache", for_cli=True) as aws:
        yield aws


def test_init_global_then_deploy_all_serves_every_region(tmp_path, monkeypatch, capsys, local):
    root = tmp_path / "hello"
    root.mkdir()
    (root / "app.py").write_text(APP)
    (root / "requirements.txt").write_text("")
    monkeypatch.chdir(root)
    monkeypatch.setenv("ZAPPA_CACHE_DIR", str(tmp_path / "zcache"))
    (root / ".zappa").mkdir()
    (root / ".zappa" / "local.json").write_text(json.dumps({"gateway_endpoint": local.gateway_endpoint,
                                                            "aws_endpoint": local.aws_endpoint}))
    assert run_cli(capsys, ["init", "--yes", "--global", "primary"]).code == 0
    path = root / "zappa_settings.json"
    written = json.loads(path.read_text())
    kept = {name: stage for name, stage in written.items() if name == "dev" or stage.get("aws_region") in REGIONS}
    kept["dev"].update(touch=False, keep_warm=False)
    path.write_text(json.dumps(kept, indent=2))
    stages = sorted(name for name in kept if name != "dev")
    assert len(stages) == len(REGIONS)

    deployed = run_cli(capsys, ["deploy", "--all", "--local"])
    assert deployed.code == 0, deployed
    for stage in stages:
        status = run_cli(capsys, ["status", stage, "--local", "--json"])
        assert status.code == 0, status
        info = status.json()
        url = info["urls"]["api"]
        assert url.startswith(local.gateway_endpoint)
        with urllib.request.urlopen(url, timeout=60) as response:
            assert response.read().decode() == f"hello from {info['region']}"
        assert info["region"] == kept[stage]["aws_region"]
        again = run_cli(capsys, ["status", stage, "--local", "--json"]).json()
        assert again["invocations_24h"] == info["invocations_24h"] + 1  # the request above, in its own region
    undeployed = run_cli(capsys, ["undeploy", "--all", "--local", "--yes"])
    assert undeployed.code == 0, undeployed
