"""A third-party event source, installed the way a user installs one: ``examples/zappa-mq-events`` is
pip-installed into a folder on ``PYTHONPATH`` (nothing of this repository changes), and then its settings
type, its binder and its runtime dispatcher all take part, through the real CLI and a real package."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "zappa-mq-events"
WORKER = REPO / "tests" / "runtime" / "lambda_worker.py"
BROKER = "arn:aws:mq:us-east-1:123456789012:broker:orders:b-1234"
SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:mq-login"
MQ_EVENT = {
    "eventSource": "aws:mq", "eventSourceArn": BROKER,
    "messages": [{"messageID": "ID:b-1234-1", "messageType": "jms/text-message", "data": "QUJD",
                  "destination": {"physicalName": "orders"}},
                 {"messageID": "ID:b-1234-2", "messageType": "jms/text-message", "data": "REVG",
                  "destination": {"physicalName": "orders"}}],
}


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict[str, str]:
    """The example distribution pip-installed into its own folder; the environment that puts it on the path."""
    work = tmp_path_factory.mktemp("mq-plugin")
    source = work / "src"
    shutil.copytree(EXAMPLE, source)  # setuptools writes build files next to the sources: not into the repository
    site = work / "site"
    done = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",
                           "--target", str(site), str(source)], capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZAPPA_", "AWS_"))}
    env.update(PYTHONPATH=str(site), AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
               AWS_DEFAULT_REGION="us-east-1")
    return env


@pytest.fixture
def project(tmp_path: Path):
    def make(entry: dict) -> Path:
        stage = {"project_name": "mqdemo", "s3_bucket": "deploy-bucket", "aws_region": "us-east-1",
                 "keep_warm": False, "events": [entry]}
        (tmp_path / "zappa_settings.json").write_text(json.dumps({"dev": stage}))
        (tmp_path / "app.py").write_text(
            "def on_order(event, context):\n"
            "    return {'function': 'on_order', 'ids': [m['messageID'] for m in event['messages']]}\n")
        (tmp_path / "requirements.txt").write_text("")
        return tmp_path

    return make


def zappa(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "zappa_core", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300, check=False)


MQ_ENTRY = {"function": "app.on_order", "event_source": {"arn": BROKER, "queues": ["orders"],
                                                          "secret_arn": SECRET, "batch_size": 10}}


def test_its_plugins_are_listed(installed, project):
    listed = json.loads(zappa(installed, project(MQ_ENTRY), "plugins", "--json").stdout)
    mq = next(p for p in listed if p["name"] == "mq")
    assert mq["distribution"] == "zappa-mq-events" and mq["hooks"] == ["zappa_event_sources"]


def test_its_type_is_accepted_and_checked_by_settings_validation(installed, project):
    assert zappa(installed, project(MQ_ENTRY), "settings", "show", "dev").returncode == 0
    typo = {"function": "app.on_order", "event_source": {**MQ_ENTRY["event_source"], "queue": ["orders"]}}
    del typo["event_source"]["queues"]
    done = zappa(installed, project(typo), "settings", "show", "dev")
    assert done.returncode == 2
    assert "'events[0].event_source.queue': unknown key; did you mean 'queues'?" in done.stderr


def test_without_the_plugin_the_entry_names_the_installed_types(project):
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZAPPA_")}
    done = zappa(env, project(MQ_ENTRY), "settings", "show", "dev")
    assert done.returncode == 2
    assert f"no installed event type matches this entry (event_source.arn '{BROKER}')" in done.stderr
    assert "sqs (event_source.arn is an arn:aws:sqs: ARN)" in done.stderr


def test_its_binder_is_a_step_of_zappa_plan(installed, project, tmp_path):
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        env = dict(installed, ZAPPA_LOCAL_ENDPOINT=f"http://127.0.0.1:{server.get_host_and_port()[1]}")
        done = zappa(env, project(MQ_ENTRY), "plan", "dev", "--local", "--json")
    finally:
        server.stop()
    assert done.returncode == 0, done.stderr
    changes = {c["step"]: c for c in json.loads(done.stdout)["changes"]}
    assert changes["mq:mappings"]["action"] == "create"
    assert changes["mq:mappings"]["details"] == [f"+ mapping {BROKER}/orders (queue orders, batch 10)"]


def test_its_dispatcher_is_packaged_and_handles_an_mq_batch(installed, project, tmp_path):
    folder = project(MQ_ENTRY)
    archive = tmp_path / "package.zip"
    done = zappa(installed, folder, "package", "dev", "-o", str(archive))
    assert done.returncode == 0, done.stderr
    unpacked = tmp_path / "package"
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(unpacked)
        manifest = json.loads(zf.read("zappa_manifest.json"))
    assert "zappa_mq_events.runtime" in manifest["runtime_modules"]
    assert (unpacked / "zappa_mq_events" / "runtime.py").is_file()

    worker = subprocess.run([sys.executable, "-I", str(WORKER), str(unpacked)], input=json.dumps(MQ_EVENT) + "\n",
                            capture_output=True, text=True, cwd=unpacked, timeout=60, check=False,
                            env={"PATH": os.environ.get("PATH", ""), "LANG": "C.UTF-8"})
    _ready, answer = [json.loads(line) for line in worker.stdout.splitlines()]
    assert answer == {"result": {"function": "on_order", "ids": ["ID:b-1234-1", "ID:b-1234-2"]}}, worker.stderr
