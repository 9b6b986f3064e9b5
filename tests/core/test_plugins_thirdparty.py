"""Real third-party plugins, installed as distributions (pip, wheels built from ``fixtures/``) and found
through their ``zappa`` entry points by the real ``zappa`` command."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
ZAPPA = str(Path(sys.executable).parent / "zappa")


@pytest.fixture(scope="session")
def installed(tmp_path_factory) -> dict[str, Path]:
    """Build a wheel of each ``fixtures/<name>`` (one pip run) and install each into its own folder, used
    through PYTHONPATH. A pure-Python wheel installs by unpacking it, dist-info and entry points included."""
    root = tmp_path_factory.mktemp("plugins")
    names = ("sample_plugin", "broken_plugin", "clash_plugin", "hooks_plugin")
    for name in names:
        shutil.copytree(FIXTURES / name, root / "src" / name)
    # Build with the installed setuptools when there is one (fast, offline); else pip fetches it.
    isolation = ["--no-build-isolation"] if importlib.util.find_spec("setuptools") else []
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", *isolation,
                    "--disable-pip-version-check", "-w", str(root / "wheels"), *(str(root / "src" / n) for n in names)],
                   check=True, capture_output=True, timeout=300)
    targets = {}
    for name in names:
        dist = "zappa_" + name.replace("_plugin", "") + "_plugin-"
        (wheel,) = (root / "wheels").glob(f"{dist}*.whl")
        targets[name] = root / "site" / name
        with zipfile.ZipFile(wheel) as archive:
            archive.extractall(targets[name])
    return targets


def zappa(args, cwd, paths, **env):
    environment = {k: v for k, v in os.environ.items() if k != "ZAPPA_DISABLE_PLUGINS"}
    environment.update(PYTHONPATH=os.pathsep.join(str(p) for p in paths), ZAPPA_CACHE_DIR=str(Path(cwd) / ".cache"), **env)
    return subprocess.run([ZAPPA, *args], cwd=cwd, env=environment, capture_output=True, text=True, timeout=120, check=False)


def test_listed_by_zappa_plugins(installed, tmp_path):
    result = zappa(["plugins", "--json"], tmp_path, [installed["sample_plugin"]])
    assert result.returncode == 0, result.stderr
    infos = {info["name"]: info for info in json.loads(result.stdout)}
    sample = infos["sample"]
    assert sample["distribution"] == "zappa-sample-plugin"
    assert sample["version"] == "1.2.3"
    assert sample["hooks"] == ["zappa_cli_commands", "zappa_settings_sections", "zappa_validate_settings"]
    assert infos["core.settings"]["distribution"] == "zappa-ng-core"
    table = zappa(["plugins"], tmp_path, [installed["sample_plugin"]])
    assert table.returncode == 0
    line = next(line for line in table.stdout.splitlines() if line.split()[:1] == ["sample"])
    assert "zappa-sample-plugin" in line and "1.2.3" in line and "zappa_cli_commands" in line


def test_adds_a_settings_section_and_a_command(installed, tmp_path):
    paths = [installed["sample_plugin"]]
    (tmp_path / "zappa_settings.json").write_text(json.dumps(
        {"dev": {"project_name": "demo", "sample_greeting": "hi", "sample_repeat": 2}}))
    help_text = zappa(["--help"], tmp_path, paths)
    assert "greet" in help_text.stdout and "Print the stage's greeting." in help_text.stdout
    # the second --help comes from the cache and must be identical
    assert zappa(["--help"], tmp_path, paths).stdout == help_text.stdout
    result = zappa(["greet", "dev", "--loud"], tmp_path, paths)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["HI FROM DEMO-DEV", "HI FROM DEMO-DEV"]
    shown = json.loads(zappa(["settings", "show", "dev"], tmp_path, paths).stdout)
    assert shown["sample_greeting"] == "hi"
    schema = json.loads(zappa(["settings", "schema"], tmp_path, paths).stdout)
    assert schema["$defs"]["Stage"]["properties"]["sample_repeat"]["x-zappa-plugin"] == "sample"


def test_its_settings_are_validated_like_the_cores(installed, tmp_path):
    paths = [installed["sample_plugin"]]
    (tmp_path / "zappa_settings.json").write_text('{"dev": {\n"sample_repeat": 9,\n"sample_greting": "x"}}')
    result = zappa(["settings", "show", "dev"], tmp_path, paths)
    assert result.returncode == 2
    assert ":2, stage 'dev': 'sample_repeat'" in result.stderr
    assert ":3, stage 'dev': 'sample_greting': unknown setting; did you mean 'sample_greeting'?" in result.stderr
    (tmp_path / "zappa_settings.json").write_text('{"dev": {"sample_greeting": "  "}}')
    result = zappa(["settings", "show", "dev"], tmp_path, paths)
    assert result.returncode == 2 and "the greeting must not be blank" in result.stderr
    # without the plugin, its key is unknown
    result = zappa(["settings", "show", "dev"], tmp_path, [])
    assert result.returncode == 2 and "'sample_greeting': unknown setting" in result.stderr


def test_a_broken_plugin_is_warned_about_and_skipped(installed, tmp_path):
    result = zappa(["plugins", "--json"], tmp_path, [installed["sample_plugin"], installed["broken_plugin"]])
    assert result.returncode == 0, result.stderr
    assert "Warning: plugin 'broken' from zappa-broken-plugin failed to load and was skipped" in result.stderr
    assert "ModuleNotFoundError" in result.stderr
    names = {info["name"] for info in json.loads(result.stdout)}
    assert "sample" in names and "broken" not in names


def test_a_plugin_with_a_misspelled_hook_is_warned_about_and_skipped(installed, tmp_path):
    result = zappa(["plugins", "--json"], tmp_path, [installed["sample_plugin"], installed["hooks_plugin"]])
    assert result.returncode == 0, result.stderr
    assert ("Warning: plugin 'typo' implements 'zappa_package_excludes', which no hook specification declares "
            "(misspelled, or written for another version of zappa-ng): the plugin was skipped") in result.stderr
    names = {info["name"] for info in json.loads(result.stdout)}
    assert "typo" not in names and {"sample", "queues"} <= names


def test_a_hook_of_a_disabled_feature_is_not_an_error(installed, tmp_path):
    """``queues`` implements the events feature's ``zappa_event_sources``: with that feature switched off the hook
    is declared by nobody, and the plugin is still loaded, quietly (the hook is just never called)."""
    result = zappa(["plugins", "--json"], tmp_path, [installed["hooks_plugin"]], ZAPPA_DISABLE_PLUGINS="events,typo")
    assert result.returncode == 0 and result.stderr == ""
    infos = {info["name"]: info for info in json.loads(result.stdout)}
    assert "events" not in infos and infos["queues"]["hooks"] == ["zappa_event_sources"]


def test_disabled_plugins_are_not_loaded(installed, tmp_path):
    paths = [installed["sample_plugin"], installed["broken_plugin"]]
    result = zappa(["plugins", "--json"], tmp_path, paths, ZAPPA_DISABLE_PLUGINS="broken,sample")
    assert result.returncode == 0 and result.stderr == ""
    names = {info["name"] for info in json.loads(result.stdout)}
    assert not names & {"sample", "broken"}


def test_two_distributions_with_one_plugin_name_is_an_error(installed, tmp_path):
    result = zappa(["plugins"], tmp_path, [installed["sample_plugin"], installed["clash_plugin"]])
    assert result.returncode == 2
    assert "two plugins are named 'sample'" in result.stderr
    assert "zappa-sample-plugin" in result.stderr and "zappa-clash-plugin" in result.stderr
    assert "Traceback" not in result.stderr
