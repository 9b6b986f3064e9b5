"""``zappa update`` with nothing to do answers from its receipt, on the local AWS: one signed GetFunction and
GetAlias, no botocore, typer or pydantic. Anything that could make the update do something (the code, the
settings, a function changed by someone else, a rollback) runs the whole command again, which then does it.

The local AWS runs in this process; ``update`` runs as the ``zappa`` console script does, in a process of its
own, with ``-X importtime`` so that what it imported is what the test reads.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

pytestmark = [pytest.mark.needs_plugins, pytest.mark.e2e]

APP = "def app(environ, start_response):\n    start_response('200 OK', [])\n    return [b'one']\n"
STAGES = {"dev": {"app_function": "app.app", "project_name": "receipt", "s3_bucket": "receipt-code",
                  "aws_region": "us-east-1", "touch": False}}
HEAVY = ("botocore", "typer", "pydantic", "zappa_aws_apigw")


def zappa(root, *args, env=None):
    """``zappa *args`` in its own process, as the console script runs it (pytest's variable naming the test's
    phase aside: a shell's environment stays the same from one command to the next)."""
    env = {k: v for k, v in (env or os.environ).items() if k != "PYTEST_CURRENT_TEST"}
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "zappa_core", *args], cwd=root,
                          capture_output=True, text=True, timeout=300, env=env, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def update(root, *extra, env=None):
    """``zappa update dev --local``: (its output, the top-level modules it imported)."""
    done = zappa(root, "update", "dev", "--local", *extra, env=env)
    imported = {line.split("|")[-1].strip().split(".")[0] for line in done.stderr.splitlines()
                if line.startswith("import time:")}
    return done.stdout, imported


@pytest.fixture
def deployed(zappa_local_project, request):
    """A project deployed to the module's local AWS, under a name of its own (``deployed.name``: its function is
    ``<name>-dev``)."""
    name = f"r{abs(hash(request.node.name)) % 10**8}"
    project = zappa_local_project({"dev": dict(STAGES["dev"], project_name=name)}, files={"app.py": APP}, name=name)
    project.name = name
    zappa(project.root, "deploy", "dev", "--local")
    return project


def test_a_noop_update_answers_from_the_receipt_without_botocore(deployed):
    out, imported = update(deployed.root)
    assert out.startswith("Nothing to update: the stage already runs this package and these settings")
    assert not imported & set(HEAVY), sorted(imported & set(HEAVY))
    assert list((deployed.root / ".zappa" / "receipts").iterdir())


def test_a_code_change_is_deployed_and_then_answered_again(deployed, zappa_local):
    (deployed.root / "app.py").write_text(APP.replace("one", "two"))
    out, imported = update(deployed.root)
    assert "only the code changed" in out and "botocore" in imported
    lam = zappa_local.state.aws.client("lambda")
    assert lam.get_alias(FunctionName=f"{deployed.name}-dev", Name="current")["FunctionVersion"] == "2"
    out, imported = update(deployed.root)
    assert out.startswith("Nothing to update") and "botocore" not in imported


def test_a_new_file_in_the_project_is_deployed(deployed, zappa_local):
    (deployed.root / "extra.py").write_text("VALUE = 1\n")
    out, _ = update(deployed.root)
    assert "Your updated deployment is live" in out
    lam = zappa_local.state.aws.client("lambda")
    assert lam.get_alias(FunctionName=f"{deployed.name}-dev", Name="current")["FunctionVersion"] == "2"


def test_a_settings_change_is_applied(deployed, zappa_local):
    deployed.write_settings({"dev": dict(STAGES["dev"], project_name=deployed.name, memory_size=1024)})
    out, imported = update(deployed.root)
    assert "Your updated deployment is live" in out and "pydantic" in imported
    conf = zappa_local.state.aws.client("lambda").get_function_configuration(FunctionName=f"{deployed.name}-dev",
                                                                               Qualifier="current")
    assert conf["MemorySize"] == 1024


def test_a_function_changed_by_someone_else_is_put_back(deployed, zappa_local):
    lam = zappa_local.state.aws.client("lambda")
    lam.update_function_configuration(FunctionName=f"{deployed.name}-dev", Timeout=99)
    out, imported = update(deployed.root)
    assert "botocore" in imported and "Your updated deployment is live" in out
    assert lam.get_function_configuration(FunctionName=f"{deployed.name}-dev", Qualifier="current")["Timeout"] == 30


def test_after_a_rollback_update_deploys_the_code_again(deployed, zappa_local):
    (deployed.root / "app.py").write_text(APP.replace("one", "two"))
    update(deployed.root)
    zappa(deployed.root, "rollback", "dev", "--local", "-n", "1")
    lam = zappa_local.state.aws.client("lambda")
    rolled_back = lam.get_alias(FunctionName=f"{deployed.name}-dev", Name="current")["FunctionVersion"]
    out, imported = update(deployed.root)
    assert "botocore" in imported and "Nothing to update" not in out
    live = lam.get_alias(FunctionName=f"{deployed.name}-dev", Name="current")["FunctionVersion"]
    assert live != rolled_back
    code = lam.get_function_configuration(FunctionName=f"{deployed.name}-dev", Qualifier=live)["CodeSha256"]
    assert code == lam.get_function_configuration(FunctionName=f"{deployed.name}-dev", Qualifier="2")["CodeSha256"]


def test_an_option_or_zappa_no_cache_runs_the_whole_command(deployed):
    out, imported = update(deployed.root, "--json")
    assert json.loads(out)["changes"] == [] and "botocore" in imported
    _, imported = update(deployed.root, env=dict(os.environ, ZAPPA_NO_CACHE="1"))
    assert "botocore" in imported


def test_another_environment_runs_the_whole_command(deployed):
    _, imported = update(deployed.root, env=dict(os.environ, AWS_PROFILE="someone-else"))
    assert "botocore" in imported
