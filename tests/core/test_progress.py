"""Progress bars as a person sees them: the upload bar fits an 80-column terminal with a short label instead
of the 64-hex S3 key, and writing a big zip shows a bar on a terminal (and nothing when piped)."""

from __future__ import annotations

import io
import json
import os
import pty
import re
import select
import subprocess
import sys
from pathlib import Path

from rich.console import Console
from rich.progress import Progress
from zappa_core.progress import columns, short_label

KEY = "hello-dev/" + "d1d764a1b1a753b068fb8c2f5e52d220c41b33921d3f1d87491cf3f70d3c8881" + ".zip"
ZAPPA = str(Path(sys.executable).parent / "zappa")


def rendered(verb: str, unit: str, total: int, done: int) -> str:
    out = io.StringIO()
    console = Console(file=out, width=200, force_terminal=True, color_system=None)
    with Progress(*columns(verb, unit), console=console, expand=False, auto_refresh=False) as progress:
        task = progress.add_task(short_label(KEY), total=total)
        progress.update(task, completed=done)
        progress.refresh()
    return out.getvalue()


def test_the_upload_bar_fits_80_columns():
    text = rendered("uploading", "bytes", 512 * 1024 * 1024, 300 * 1024 * 1024)
    line = [part for part in re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", text).replace("\r", "\n").splitlines()
            if "uploading" in part][-1].rstrip()
    assert line.startswith("  uploading d1d764a1b1a75….zip ") and "314.6/536.9 MB" in line
    # one refresh knows no speed yet ("?"): the widest speed rich prints ("999.9 MB/s") must fit as well
    assert line.endswith(" ?") and len(line) - 1 + len("999.9 MB/s") <= 80, (len(line), line)


def test_short_labels():
    assert short_label("hello-dev.zip") == "hello-dev.zip"
    assert short_label(KEY) == "d1d764a1b1a75….zip"
    assert len(short_label("x" * 100)) == 18


def big_project(root: Path, files: int) -> None:
    (root / "app.py").write_text("def app(environ, start_response):\n    return [b'ok']\n")
    (root / "requirements.txt").write_text("")
    data = root / "data"
    data.mkdir()
    for i in range(files):
        (data / f"f{i:05d}.txt").write_text(f"file {i}\n" * 20)
    (root / "zappa_settings.json").write_text(json.dumps({"dev": {
        "project_name": "big", "app_function": "app.app", "s3_bucket": "code-bucket", "aws_region": "us-east-1"}}))


def run_on_a_terminal(args: list[str], cwd: Path, env: dict[str, str]) -> str:
    """Run with stderr on a pseudo-terminal of 80 columns (stdout piped); returns what the terminal got."""
    main, child = pty.openpty()
    process = subprocess.Popen(args, cwd=cwd, env=dict(env, COLUMNS="80", TERM="xterm"), stdout=subprocess.PIPE,
                               stderr=child, stdin=subprocess.DEVNULL)
    os.close(child)
    seen = b""
    while True:
        ready, _, _ = select.select([main], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    process.wait(timeout=120)
    os.close(main)
    assert process.returncode == 0, seen.decode(errors="replace")
    return seen.decode(errors="replace")


def test_writing_a_big_zip_shows_a_bar_on_a_terminal(tmp_path):
    big_project(tmp_path, 1500)
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "ZAPPA_LOCAL")}
    env["ZAPPA_CACHE_DIR"] = str(tmp_path / "cache")
    terminal = run_on_a_terminal([ZAPPA, "package", "dev", "-o", str(tmp_path / "out.zip")], tmp_path, env)
    assert "writing out.zip" in terminal and "/15" in terminal and "files" in terminal

    piped = subprocess.run([ZAPPA, "package", "dev", "-o", str(tmp_path / "again.zip")], cwd=tmp_path, env=env,
                           capture_output=True, text=True, check=False, timeout=120)
    assert piped.returncode == 0 and "writing" not in piped.stderr and "\x1b[" not in piped.stderr + piped.stdout
