"""Zappa users' settings files load unchanged: every documented key, comments and trailing commas in JSON,
YAML and TOML. A file that Zappa reads must never get an unknown-key error here."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from zappa_core.settings import load_stages

pytestmark = pytest.mark.needs_plugins

EXAMPLES = Path(__file__).parent / "zappa_examples"


def _project(folder: Path, name: str) -> Path:
    """A project folder with the example as its settings file and the policy files it names."""
    target = folder / f"zappa_settings{Path(name).suffix}"
    shutil.copy(EXAMPLES / name, target)
    for policy in ("assume.json", "attach.json", "apigw_policy.json"):
        (folder / policy).write_text('{"Version": "2012-10-17", "Statement": []}')
    return target


@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.iterdir()))
def test_zappa_style_settings_load_without_problems(name, tmp_path):
    target = _project(tmp_path, name)
    stages = load_stages(None, settings_file=target, project_dir=tmp_path)
    assert stages, name
    for settings in stages.values():
        assert settings.to_dict()["s3_bucket"]


def test_every_advanced_key_keeps_its_value(tmp_path):
    target = _project(tmp_path, "advanced.json")
    stages = load_stages(None, settings_file=target, project_dir=tmp_path)
    dev, asia = stages["dev"], stages["dev_asia"]
    assert dev.callbacks == {"settings": "app.on_settings", "zip": "app.on_zip", "post": "app.on_post"}
    assert dev.tags == {"Key": "Value", "Key2": "Value2"}
    assert dev.num_retained_versions is None
    assert asia.s3_bucket == "dev-asia-bucket" and asia.aws_region == "ap-southeast-1"
    assert asia.memory_size == 512 and asia.project == "MyProject"
