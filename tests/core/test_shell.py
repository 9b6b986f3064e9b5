"""``zappa shell``: Python with the stage's settings and AWS clients of its account and region."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
from pathlib import Path

from cli_result import run_cli

ZAPPA = str(Path(sys.executable).parent / "zappa")
STAGE = {"project_name": "shop", "app_function": "app.app", "s3_bucket": "shop-code", "aws_region": "eu-west-1"}


def test_piped_python_runs_with_the_stage_and_its_clients(tmp_path, monkeypatch, moto_aws, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "zappa_settings.json").write_text(json.dumps({"dev": STAGE}))
    script = "\n".join([
        "print(function_name, settings.aws_region, client('s3').meta.region_name, session.region_name)",
        "made = client('s3').create_bucket(Bucket='made-in-shell', CreateBucketConfiguration={'LocationConstraint': 'eu-west-1'})",
        "print(undefined_name)",
        "print('still here')",
    ]) + "\n"
    result = run_cli(capsys, ["shell", "dev"], stdin=script)
    assert result.code == 0, result
    assert result.out == "shop-dev eu-west-1 eu-west-1 eu-west-1\nstill here\n"  # no prompts in piped output
    assert "NameError: name 'undefined_name' is not defined" in result.err
    assert [b["Name"] for b in moto_aws.client("s3").list_buckets()["Buckets"]] == ["made-in-shell"]


def test_on_a_terminal_it_greets_with_what_is_there(tmp_path):
    (tmp_path / "zappa_settings.json").write_text(json.dumps({"dev": STAGE}))
    env = dict(os.environ, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", TERM="dumb",
               ZAPPA_CACHE_DIR=str(tmp_path / "cache"))
    main, child = pty.openpty()
    process = subprocess.Popen([ZAPPA, "shell", "dev"], cwd=tmp_path, env=env, stdin=child, stdout=child, stderr=child)
    os.close(child)
    seen = read_until(main, b">>> ")  # typed only once the console asks: readline drops what came before
    os.write(main, b"print(6 * 7)\n")
    seen += read_until(main, b"42")
    if b">>> " not in seen.rsplit(b"42", 1)[1]:  # Ctrl-D too goes in only once the console asks again
        seen += read_until(main, b">>> ")
    os.write(main, b"\x04")
    process.wait(timeout=60)
    os.close(main)
    text = seen.decode(errors="replace")
    assert process.returncode == 0, text
    assert "zappa shell: stage 'dev' (shop-dev) in eu-west-1" in text
    assert "settings, aws, client(service), resource(service), function_name, session" in text


def read_until(fd: int, marker: bytes, timeout: float = 60) -> bytes:
    seen = b""
    while marker not in seen and select.select([fd], [], [], timeout)[0]:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    assert marker in seen, seen.decode(errors="replace")
    return seen
