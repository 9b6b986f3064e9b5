"""The command line: every Zappa command with its flags, exit codes, and the cached top-level help."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from zappa_core.cli import BUILTIN_COMMANDS, build_command
from zappa_core.plugins import get_plugin_manager

ZAPPA = str(Path(sys.executable).parent / "zappa")

# Zappa 0.63's commands and their own flags (beyond the shared stage options).
ZAPPA_FLAGS = {
    "certify": ["--manual", "-y", "--yes"],
    "deploy": ["-z", "--zip", "-d", "--docker-image-uri"],
    "package": ["-o", "--output"],
    "template": ["-l", "--lambda-arn", "-r", "--role-arn", "-o", "--output", "--json"],
    "invoke": ["--raw", "--no-color", "--client-context", "--qualifier", "--payload"],
    "manage": ["--all", "--no-color", "--client-context", "--qualifier", "-s"],
    "rollback": ["-n", "--num-rollback"],
    "schedule": [],
    "unschedule": [],
    "status": ["-j", "--json"],
    "tail": ["--no-color", "--http", "--non-http", "--since", "--filter", "--force-color", "--disable-keep-open"],
    "undeploy": ["--remove-logs", "-y", "--yes"],
    "update": ["-z", "--zip", "-n", "--no-upload", "-d", "--docker-image-uri"],
    "init": [],
    "shell": [],
    "save-python-settings-file": ["-o", "--output_path"],
}
STAGE_OPTIONS = ["--all", "-s", "--settings_file", "-q", "--quiet"]


def zappa(args, tmp_path, **env):
    environment = {**os.environ, "ZAPPA_CACHE_DIR": str(tmp_path / "cache"), "COLUMNS": "80", **env}
    return subprocess.run([ZAPPA, *args], cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture(scope="module")
def command():
    return build_command(get_plugin_manager())


def _options(cmd) -> set[str]:
    return {opt for param in cmd.params for opt in (*param.opts, *param.secondary_opts)}


@pytest.mark.needs_plugins  # a feature plugin's settings or hooks
def test_every_zappa_command_has_zappas_flags(command):
    for name, flags in ZAPPA_FLAGS.items():
        sub = command.commands[name]
        missing = set(flags) - _options(sub)
        assert not missing, (name, missing)
        if name not in ("init", "manage", "shell"):
            assert not set(STAGE_OPTIONS) - _options(sub), name


def test_help_lists_every_command(tmp_path):
    result = zappa(["--help"], tmp_path, ZAPPA_NO_CACHE="1")
    assert result.returncode == 0
    listed = set(re.findall(r"^  (\w[\w-]*)\s", result.stdout.split("Commands:")[1], re.M))
    assert set(BUILTIN_COMMANDS) <= listed


def test_cached_help_is_the_same_text_and_skips_the_heavy_imports(tmp_path):
    first = zappa(["--help"], tmp_path)
    assert first.returncode == 0 and list((tmp_path / "cache").glob("cli-help-*.json"))
    probe = ("import sys; from zappa_core.__main__ import main; code = main(['--help']); "
             "heavy = [m for m in ('typer', 'pluggy', 'pydantic', 'boto3', 'rich', 'importlib.metadata') "
             "if m in sys.modules]; print('HEAVY', heavy, file=sys.stderr); sys.exit(code)")
    env = {**os.environ, "ZAPPA_CACHE_DIR": str(tmp_path / "cache"), "COLUMNS": "80"}
    cold = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, env=env, check=False)
    assert cold.returncode == 0 and "'typer'" in cold.stderr  # its own sys.path: a miss, filled now
    warm = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, env=env, check=False)
    assert warm.returncode == 0 and "HEAVY []" in warm.stderr
    assert warm.stdout == cold.stdout == first.stdout
    assert zappa(["--help"], tmp_path).stdout == first.stdout
    assert zappa(["-h"], tmp_path).stdout == first.stdout
    assert zappa([], tmp_path).stdout == first.stdout


def test_fingerprint_follows_disabled_plugins_width_and_paths(monkeypatch):
    from zappa_core import clicache

    base = clicache.fingerprint()
    monkeypatch.setenv("ZAPPA_DISABLE_PLUGINS", "alb")
    assert clicache.fingerprint() != base
    monkeypatch.delenv("ZAPPA_DISABLE_PLUGINS")
    monkeypatch.setenv("COLUMNS", "60")
    assert clicache.help_width() == 60 and clicache.fingerprint() != base
    monkeypatch.setenv("COLUMNS", "200")
    assert clicache.help_width() == 80


def test_stale_cache_entries_are_ignored(tmp_path, monkeypatch):
    from zappa_core import clicache

    monkeypatch.setenv("ZAPPA_CACHE_DIR", str(tmp_path))
    watched = tmp_path / "plugin.py"
    watched.write_text("x = 1")
    clicache.store_help("HELP\n", [str(watched)])
    assert clicache.cached_help() == "HELP\n"
    os.utime(watched, ns=(1, 1))
    assert clicache.cached_help() is None
    monkeypatch.setenv("ZAPPA_NO_CACHE", "1")
    clicache.store_help("OTHER\n", [])
    assert clicache.cached_help() is None


def test_version(tmp_path):
    from zappa_core import __version__

    for flag in ("--version", "-v"):
        result = zappa([flag], tmp_path)
        assert result.returncode == 0 and result.stdout == f"zappa {__version__}\n"


@pytest.mark.parametrize("args, message", [
    (["nosuch"], "No such command 'nosuch'"),
    (["deploy", "--bogus"], "No such option: --bogus"),
    (["rollback", "dev", "-n", "zero"], "Invalid value for '-n'"),
    (["template", "dev"], "Missing option '-l' / '--lambda-arn'"),
])
def test_usage_errors_exit_2(zappa_cli, tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    result = zappa_cli(args)
    assert result.returncode == 2
    assert message in result.stderr


def test_stage_or_all_not_both(zappa_cli, zappa_project):
    zappa_project({"dev": {}, "prod": {}})
    result = zappa_cli(["plan", "dev", "--all"])
    assert result.returncode == 2 and "give a stage or --all, not both" in result.stderr
    result = zappa_cli(["plan"])
    assert result.returncode == 2 and "which stage? This settings file has: dev, prod" in result.stderr


def test_subcommand_help_is_plain_text(zappa_cli):
    result = zappa_cli(["tail", "--help"])
    assert result.returncode == 0
    assert "--disable-keep-open" in result.stdout and "╭" not in result.stdout
