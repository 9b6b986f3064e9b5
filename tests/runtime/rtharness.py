"""Runtime tests: real packages built by ``zappa package``, served by long-lived ``python -I`` workers.

``lambda_app("flask")`` builds the package of ``tests/runtime/apps/flask`` (once per test session and xdist
worker), unzips it into a temporary folder and starts one worker process that imports its ``handler`` the way
Lambda does. ``worker.invoke(event)`` sends one event and returns the handler's result (or raises
``LambdaError`` with the exception the handler raised).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
APPS = HERE / "apps"
SHARED_HOOKS = APPS / "hooks.py"  # the exception_handler and commands of every app without its own
EVENTS = HERE / "events"
WORKER = HERE / "lambda_worker.py"


class LambdaError(Exception):
    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"{name}: {message}")
        self.name = name
        self.message = message


def load_event(name: str) -> dict:
    return json.loads((EVENTS / name).read_text())


def build_package(app: str, workdir: Path) -> Path:
    """``zappa package dev -o package.zip`` in a copy of the app's project, unzipped: the package folder."""
    project = workdir / "project"
    shutil.copytree(APPS / app, project)
    if not (project / "hooks.py").exists():
        shutil.copy(SHARED_HOOKS, project / "hooks.py")
    (project / "requirements.txt").write_text("")  # the frameworks come from the test environment
    archive = workdir / "package.zip"
    done = subprocess.run(
        [sys.executable, "-m", "zappa_core", "package", "dev", "-o", str(archive)],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, f"zappa package failed:\n{done.stdout}\n{done.stderr}"
    folder = workdir / "package"
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(folder)
    return folder


class Worker:
    def __init__(self, folder: Path, name: str, scratch: Path, environment: dict[str, str] | None = None) -> None:
        """``environment``: the function configuration's variables, which Lambda sets before the runtime starts."""
        env = {
            **(environment or {}),
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(scratch),
            "LANG": "C.UTF-8",
            "AWS_LAMBDA_FUNCTION_NAME": f"rt-{name}-dev",
            "LAMBDA_TASK_ROOT": str(folder),
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "ZAPPA_SLIM_ROOT": str(scratch),
        }
        self.folder = folder
        self.stderr = open(scratch / "stderr.log", "w+", encoding="utf-8")  # noqa: SIM115 - closed in close()
        self.process = subprocess.Popen(
            [sys.executable, "-I", str(WORKER), str(folder)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            env=env,
            cwd=folder,
            text=True,
            encoding="utf-8",
        )
        hello = self._read()
        self.runtime_file = hello["runtime"]

    def _read(self) -> dict:
        line = self.process.stdout.readline()
        if not line:
            self.stderr.seek(0)
            raise RuntimeError(f"the Lambda worker exited ({self.process.poll()}):\n{self.stderr.read()[-4000:]}")
        return json.loads(line)

    def invoke(self, event) -> object:
        self.process.stdin.write(json.dumps(event) + "\n")
        self.process.stdin.flush()
        answer = self._read()
        if "error" in answer:
            raise LambdaError(answer["error"], answer["message"])
        return answer["result"]

    def logs(self) -> str:
        self.stderr.flush()
        self.stderr.seek(0)
        return self.stderr.read()

    def alive(self) -> bool:
        return self.process.poll() is None

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.stdin.close()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.stderr.close()
