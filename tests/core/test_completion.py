"""Shell completion, driven through bash's real completion function (the script `zappa --show-completion bash`
prints, which `--install-completion` installs): commands, stage names from the settings file, and flags."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BIN = str(Path(sys.executable).parent)
DRIVER = """
eval "$(zappa --show-completion bash)"
complete_words() {
    COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 ))
    _zappa_completion zappa
    printf '%s\\n' "${COMPREPLY[@]}"
    echo '--'
}
"""

pytestmark = pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")


def complete(project: Path, *lines: list[str]) -> list[list[str]]:
    """The candidates bash gets for each command line in ``lines`` (the last word is being completed)."""
    script = DRIVER + "".join("complete_words " + " ".join(f"'{w}'" for w in words) + "\n" for words in lines)
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}", ZAPPA_CACHE_DIR=str(project / ".cache"))
    result = subprocess.run(["bash", "-c", script], cwd=project, env=env, capture_output=True, text=True,
                            check=False, timeout=120)
    assert result.returncode == 0 and not result.stderr, result.stderr
    answers = result.stdout.split("--\n")[:-1]
    return [[line for line in answer.splitlines() if line] for answer in answers]


def test_commands_stages_and_flags_complete(tmp_path):
    (tmp_path / "zappa_settings.json").write_text(
        '{"dev": {"app_function": "app.app"}, "production": {"extends": "dev"}, "prodx": {"extends": "dev"}}')
    (tmp_path / "other.yml").write_text("staging:\n  app_function: app.app\n")
    commands, stages, stages_of_other_file, flags, empty = complete(
        tmp_path,
        ["zappa", "dep"],
        ["zappa", "deploy", "pro"],
        ["zappa", "tail", "-s", "other.yml", ""],
        ["zappa", "tail", "dev", "--si"],
        ["zappa", ""],
    )
    assert commands == ["deploy"]
    assert stages == ["production", "prodx"]
    assert stages_of_other_file == ["staging"]
    assert flags == ["--since"]
    assert "update" in empty and "undeploy" in empty and not any("Usage" in c for c in empty)


def test_no_settings_file_completes_no_stage(tmp_path):
    (answer,) = complete(tmp_path, ["zappa", "update", ""])
    assert answer == []
