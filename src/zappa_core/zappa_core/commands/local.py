"""``zappa local start|stop|status|logs``: the embedded local AWS of the project in the current folder."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any

from zappa_core import local_state
from zappa_core.errors import UsageError, ZappaError

START_TIMEOUT_S = 20.0
STOP_TIMEOUT_S = 10.0


def _project() -> Path:
    return Path.cwd().resolve()


def _running(project: Path) -> dict[str, Any] | None:
    """The state of this project's local AWS if it runs; a stale state file is removed."""
    state = local_state.read_state(project)
    if state is None:
        return None
    if local_state.is_local_aws_process(state):
        return state
    local_state.state_path(project).unlink(missing_ok=True)
    return None


def start(ctx, *, port: int = 0, gateway_port: int | None = None, concurrency: int | None = None, **_: Any) -> int:
    import importlib.util

    if importlib.util.find_spec("moto") is None:  # found, not imported: the server process imports it
        raise UsageError("the local AWS needs moto", hint='pip install "zappa-ng[local]"')
    check_moto_version()
    project = _project()
    state = _running(project)
    if state is not None:
        _print_endpoints(ctx, state, "The local AWS is already running.")
        return 0
    if gateway_port is None:
        gateway_port = port + 1 if port else 0
    log_file = local_state.log_path(project)
    log_file.parent.mkdir(parents=True, exist_ok=True)
    token = uuid.uuid4().hex
    command = [sys.executable, "-m", local_state.PROCESS_MARKER, "serve", "--project", str(project),
               "--port", str(port), "--gateway-port", str(gateway_port), "--token", token,
               "--log-file", str(log_file)]
    if concurrency:
        command += ["--concurrency", str(concurrency)]
    started = time.perf_counter()
    with open(log_file, "ab") as log:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                   cwd=project, start_new_session=True, close_fds=True, env=_server_environment())
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        state = local_state.read_state(project)
        if state and state.get("pid") == process.pid and state.get("token") == token:
            break
        if process.poll() is not None:
            raise ZappaError(f"the local AWS exited during start (code {process.returncode}):\n"
                             f"{_tail(log_file, 20)}", hint=f"see {log_file}")
        if time.monotonic() > deadline:
            process.kill()
            raise ZappaError(f"the local AWS did not become ready in {START_TIMEOUT_S:.0f} s:\n{_tail(log_file, 20)}")
        time.sleep(0.02)
    state["ready_seconds"] = round(time.perf_counter() - started, 3)
    _print_endpoints(ctx, state, f"Local AWS started in {state['ready_seconds']:.2f} s (pid {state['pid']}).")
    return 0


def supported_moto() -> str | None:
    """The moto versions the local AWS supports: the range of zappa-ng-core's ``local`` extra (None when the
    distribution's metadata cannot be read, e.g. in a source tree that was not installed)."""
    from importlib import metadata

    from packaging.requirements import Requirement

    try:
        requirements = metadata.requires("zappa-ng-core") or []
    except metadata.PackageNotFoundError:
        return None
    for text in requirements:
        requirement = Requirement(text)
        if requirement.name == "moto" and requirement.marker and requirement.marker.evaluate({"extra": "local"}):
            return ",".join(sorted(map(str, requirement.specifier), key=lambda spec: spec.startswith("<")))
    return None


def check_moto_version() -> None:
    """A moto outside the supported range is refused before the local AWS starts (its one hook into moto's
    Lambda backend is checked against those releases), with the command that installs a supported one."""
    from importlib import metadata

    from packaging.specifiers import SpecifierSet

    supported = supported_moto()
    if not supported:
        return
    installed = metadata.version("moto")
    if installed not in SpecifierSet(supported):
        raise UsageError(f"moto {installed} is installed; the local AWS supports moto {supported}",
                         hint=f"pip install \"moto[server]{supported}\" (or pip install \"zappa-ng[local]\")")


def _server_environment() -> dict[str, str]:
    """The local AWS sees no AWS profile, key or config of this machine: nothing real to reach or break."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k != "ZAPPA_LOCAL_ENDPOINT"}
    env.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1",
               AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull, AWS_EC2_METADATA_DISABLED="true")
    return env


def _print_endpoints(ctx, state: dict[str, Any], headline: str) -> None:
    if ctx.json:
        ctx.emit_json({"running": True, **state})
        return
    ctx.echo(headline)
    ctx.echo(f"  AWS API:      {state['aws_endpoint']}   (every command with --local, or ZAPPA_LOCAL=1)")
    ctx.echo(f"  HTTP gateway: {state['gateway_endpoint']}/<api id | load balancer | function>/...")
    ctx.echo(f"  log:          {state.get('log_file', '')}   (zappa local logs -f)")
    ctx.echo("  stop it with: zappa local stop")


def stop(ctx, **_: Any) -> int:
    project = _project()
    state = local_state.read_state(project)
    if state is None:
        ctx.echo("The local AWS is not running for this project.")
        return 0
    if not local_state.is_local_aws_process(state):
        local_state.state_path(project).unlink(missing_ok=True)
        ctx.echo(f"The local AWS was not running (pid {state.get('pid')} is not it); removed its stale state file.")
        return 0
    pid = state["pid"]
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_S
    while local_state.process_alive(pid) and time.monotonic() < deadline:
        _reap(pid)
        time.sleep(0.05)
    if local_state.process_alive(pid):
        _kill_group(pid)
    else:
        _kill_group(pid)  # workers left by a handler that ignored its parent's exit
    _reap(pid)
    local_state.state_path(project).unlink(missing_ok=True)
    ctx.echo(f"Stopped the local AWS (pid {pid}). Everything deployed to it is gone.")
    return 0


def _kill_group(pid: int) -> None:
    """The local AWS leads its own session: its worker processes are in its process group."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _reap(pid: int) -> None:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def status(ctx, **_: Any) -> int:
    project = _project()
    state = _running(project)
    if state is None:
        if ctx.json:
            ctx.emit_json({"running": False, "project_dir": str(project)})
        else:
            ctx.echo("The local AWS is not running for this project (start it with: zappa local start).")
        return 1
    details = _control(state, "status") or {}
    if ctx.json:
        ctx.emit_json({"running": True, **state, **{k: details[k] for k in ("workers", "front_doors", "schedules")
                                                       if k in details}})
        return 0
    uptime = time.time() - float(state.get("started_at") or time.time())
    _print_endpoints(ctx, state, f"The local AWS is running (pid {state['pid']}, up {uptime:.0f} s).")
    for door in details.get("front_doors", []):
        ctx.echo(f"  {door['kind']:<5} {door['url']}")
    for schedule in details.get("schedules", []):
        ctx.echo(f"  schedule {schedule['expression']} next {schedule['next']}  ({schedule['rule']})")
    for worker in details.get("workers", []):
        ctx.echo(f"  warm worker {worker['function']}:{worker['version']} pid {worker['pid']}, "
                 f"{worker['invocations']} invocations")
    return 0


def _control(state: dict[str, Any], path: str) -> dict[str, Any] | None:
    try:
        with urllib.request.urlopen(f"{state['gateway_endpoint']}/__zappa__/{path}", timeout=5) as response:
            return json.loads(response.read())
    except Exception:  # noqa: BLE001 - no answer from the local server reads as not running
        return None


def logs(ctx, *, follow: bool = False, **_: Any) -> int:
    project = _project()
    path = local_state.log_path(project)
    if not path.exists():
        ctx.echo("There is no local AWS log in this project yet (zappa local start writes one).")
        return 0
    with open(path, "rb") as f:
        sys.stdout.write(f.read().decode("utf-8", errors="replace"))
        sys.stdout.flush()
        while follow:
            chunk = f.read()
            if chunk:
                sys.stdout.write(chunk.decode("utf-8", errors="replace"))
                sys.stdout.flush()
            else:
                time.sleep(0.25)
    return 0


def _tail(path: Path, lines: int) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""
