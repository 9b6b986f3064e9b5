"""Hostile settings files: nesting that would exhaust Python's recursion and YAML alias bombs are settings
errors (exit 2) that name the file and the line, fast, with no traceback and no AWS call."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ZAPPA = str(Path(sys.executable).parent / "zappa")
GUARD_S = 10.0  # generous: each of these is refused in well under a second


def nested_list(depth: int) -> str:
    return "[" * depth + "1" + "]" * depth


def block_yaml(depth: int) -> str:
    lines = ["dev:", "  s3_bucket: code-bucket", "  x_deep:"]
    lines += ["  " * (level + 2) + f"k{level}:" for level in range(depth)]
    return "\n".join(lines) + "\n" + "  " * (depth + 2) + "leaf\n"


def alias_bomb(levels: int = 9, width: int = 9) -> str:
    lines = ["l0: &l0 [" + ", ".join(['"lol"'] * width) + "]"]
    for level in range(1, levels):
        lines.append(f"l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * width) + "]")
    return "\n".join(lines) + f"\ndev:\n  s3_bucket: code-bucket\n  x_bomb: *l{levels - 1}\n"


HOSTILE = {
    "json-600-deep": ("zappa_settings.json", '{"dev": {"s3_bucket": "code-bucket", "x_deep": ' + nested_list(600) + "}}\n",
                      "zappa_settings.json:1: invalid JSON: nested more than 100 levels deep"),
    "json-objects-5000-deep": ("zappa_settings.json", '{"dev": ' + '{"a": ' * 5000 + "1" + "}" * 5001 + "\n",
                               "zappa_settings.json:1: invalid JSON: nested more than 100 levels deep"),
    "yaml-flow-400-deep": ("zappa_settings.yml", "dev:\n  s3_bucket: code-bucket\n  x_deep: " + nested_list(400) + "\n",
                           "zappa_settings.yml:3: invalid YAML: nested more than 100 levels deep"),
    "yaml-flow-100000-deep": ("zappa_settings.yml", "dev:\n  x: " + nested_list(100_000) + "\n",
                              "zappa_settings.yml:2: invalid YAML: nested more than 100 levels deep"),
    "yaml-block-300-deep": ("zappa_settings.yml", block_yaml(300),
                            "zappa_settings.yml:102: invalid YAML: nested more than 100 levels deep"),
    "yaml-alias-bomb": ("zappa_settings.yml", alias_bomb(),
                        "invalid YAML: its aliases expand to more than 100,000 values (an alias bomb?)"),
    "yaml-deep-through-aliases": ("zappa_settings.yml",
                                  "a: &a " + nested_list(60) + "\ndev:\n  s3_bucket: code-bucket\n  x: " + "[" * 60 + "*a" + "]" * 60 + "\n",
                                  "invalid YAML: nested more than 100 levels deep"),
    "toml-600-deep": ("zappa_settings.toml", '[dev]\ns3_bucket = "code-bucket"\nx_deep = ' + nested_list(600) + "\n",
                      "zappa_settings.toml: invalid TOML: nested more than 100 levels deep"),
    "toml-inline-tables-150-deep": ("zappa_settings.toml",
                                    '[dev]\ns3_bucket = "code-bucket"\nx_deep = ' + "{a = " * 150 + "1" + "}" * 150 + "\n",
                                    "zappa_settings.toml: invalid TOML: nested more than 100 levels deep"),
}


def deploy_refused_in_time(zappa_cli, tmp_path, monkeypatch, name, text):
    """``zappa deploy dev`` with this settings file: a settings error (exit 2) well within the guard time."""
    (tmp_path / name).write_text(text)
    monkeypatch.chdir(tmp_path)
    started = time.perf_counter()
    result = zappa_cli(["deploy", "dev"])
    assert time.perf_counter() - started < GUARD_S
    assert result.returncode == 2, result.stderr[-2000:]
    return result


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_settings_file_is_a_settings_error(zappa_cli, tmp_path, monkeypatch, case):
    name, text, message = HOSTILE[case]
    result = deploy_refused_in_time(zappa_cli, tmp_path, monkeypatch, name, text)
    assert message in result.stderr
    assert "Traceback" not in result.stderr and "RecursionError" not in result.stderr


@pytest.mark.parametrize("name", ["zappa_settings.yml", "zappa_settings.json", "zappa_settings.toml"])
def test_a_settings_file_of_megabytes_is_refused_unread(zappa_cli, tmp_path, monkeypatch, name):
    """The YAML and TOML readers take seconds per MiB: 20 MiB in one value would keep the CLI busy for minutes."""
    value = "a" * (20 * 1024 * 1024)
    text = {"zappa_settings.yml": f"dev:\n  s3_bucket: code-bucket\n  x_blob: '{value}'\n",
            "zappa_settings.json": json.dumps({"dev": {"s3_bucket": "code-bucket", "x_blob": value}}),
            "zappa_settings.toml": f'[dev]\ns3_bucket = "code-bucket"\nx_blob = "{value}"\n'}[name]
    result = deploy_refused_in_time(zappa_cli, tmp_path, monkeypatch, name, text)
    assert f"{name}: longer than 1,024 KiB, which no settings file needs" in result.stderr
    assert value[:100] not in result.stderr


@pytest.mark.parametrize("name", ["zappa_settings.yml", "zappa_settings.json"])
def test_windows_line_endings_load_and_errors_name_the_right_line(zappa_cli, tmp_path, monkeypatch, name):
    lines = {"zappa_settings.yml": ["dev:", "  s3_bucket: code-bucket", "  memory_size: lots"],
             "zappa_settings.json": ["{", '  "dev": {', '    "s3_bucket": "code-bucket",', '    "memory_size": "lots"',
                                     "  }", "}"]}[name]
    (tmp_path / name).write_bytes("\r\n".join(lines).encode() + b"\r\n")
    monkeypatch.chdir(tmp_path)
    result = zappa_cli(["settings", "check", "dev"])
    assert result.returncode == 2, result.stderr
    line = 3 if name.endswith(".yml") else 4
    assert f"{name}:{line}" in result.stderr and "memory_size" in result.stderr, result.stderr


def test_alias_bomb_through_the_installed_command(tmp_path):
    (tmp_path / "zappa_settings.yml").write_text(alias_bomb())
    started = time.perf_counter()
    result = subprocess.run([ZAPPA, "settings", "show", "dev"], cwd=tmp_path, capture_output=True, text=True,
                            timeout=60, check=False, env={**os.environ, "ZAPPA_CACHE_DIR": str(tmp_path / ".cache")})
    assert time.perf_counter() - started < GUARD_S
    assert result.returncode == 2, result.stderr
    assert f"{tmp_path / 'zappa_settings.yml'}:6: invalid YAML: its aliases expand to more than 100,000 values" in result.stderr


@pytest.mark.needs_plugins  # a feature plugin's settings or hooks
def test_anchors_merge_keys_and_brackets_in_strings_still_load(zappa_cli, tmp_path, monkeypatch):
    """Real YAML settings share a stage through anchors and ``<<``, and quote brackets and '#' in values."""
    (tmp_path / "zappa_settings.yml").write_text(
        "common: &common\n  s3_bucket: code-bucket\n  aws_region: us-east-1\n  exclude: ['*.md', 'docs[0-9]']\n"
        "dev:\n  <<: *common\n  lambda_description: 'it''s [not {nested'\n"
        "  # a comment with [[[[ brackets\n  environment_variables: {A: \"quote \\\" [ {\", B: '#1'}\n"
        "  events:\n    - {function: app.tick, expression: 'rate(1 minute)'}\n"
        "prod:\n  <<: *common\n")
    monkeypatch.chdir(tmp_path)
    result = zappa_cli(["settings", "show", "dev"])
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    settings = shown.get("settings", shown)
    assert settings["lambda_description"] == "it's [not {nested"
    assert settings["environment_variables"] == {"A": 'quote " [ {', "B": "#1"}
    assert settings["exclude"] == ["*.md", "docs[0-9]"]


@pytest.mark.needs_plugins  # a feature plugin's settings or hooks
def test_deep_but_reasonable_nesting_is_accepted(zappa_cli, tmp_path, monkeypatch):
    pattern: dict = {"source": ["aws.ec2"]}
    inner = pattern
    for level in range(30):  # an EventBridge pattern 30 levels deep is unusual, and still fine
        inner["detail"] = {"level": [str(level)]}
        inner = inner["detail"]
    (tmp_path / "zappa_settings.json").write_text(json.dumps({"dev": {
        "s3_bucket": "code-bucket", "events": [{"function": "app.on_event", "event_pattern": pattern}]}}))
    monkeypatch.chdir(tmp_path)
    result = zappa_cli(["settings", "show", "dev"])
    assert result.returncode == 0, result.stderr
