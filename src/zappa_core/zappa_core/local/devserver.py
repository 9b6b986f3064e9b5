"""``zappa serve``: the app from the source folder, through the Lambda runtime, on 127.0.0.1.

No package and no AWS: HTTP requests become the stage's front-door events (REST v1, payload 2.0 for an HTTP
API or a function URL, ALB target events), built by that front door's plugin (``zappa_local_front_door``),
and go to the same runtime the Lambda runs (``zappa_runtime``), cold-started from a manifest built in memory from the stage settings.
With reload on, the server restarts whenever a ``.py`` file or the settings file changes (:mod:`.reloader`).
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from zappa_core.arns import function_arn
from zappa_core.errors import UsageError
from zappa_core.local.gateway import CONTROL_PREFIX, _Handler, _Server
from zappa_core.local.http import LOCAL_ACCOUNT, LocalRequest, LocalResponse
from zappa_core.records import LocalFrontDoor


class ServeContext:
    """The ``context`` a handler gets under ``zappa serve``."""

    def __init__(self, settings: Any, timeout: float) -> None:
        self.function_name = settings.function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = function_arn("us-east-1", LOCAL_ACCOUNT, settings.function_name)
        self.memory_limit_in_mb = str(getattr(settings, "memory_size", 512))
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{settings.function_name}"
        self.log_stream_name = "zappa-serve"
        self.identity = None
        self.client_context = None
        self._deadline = time.time() + timeout

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.time()) * 1000))


def front_door(settings: Any, pm: Any) -> LocalFrontDoor:
    """The stage's front door as its plugin serves it locally (``zappa_local_front_door``)."""
    door = pm.hook.zappa_local_front_door(settings=settings)
    if door is None:
        raise UsageError(f"no installed plugin serves the front door of stage '{settings.stage}' locally",
                         hint='pip install "zappa-ng[apigw]" (API Gateway, function URLs), or "zappa-ng[alb]" for a '
                              "stage behind a load balancer")
    return door


def runtime_modules(pm: Any) -> list[str]:
    """The runtime modules of the enabled plugins (reading the installed entry points takes a while)."""
    from zappa_core.packaging.runtime import runtime_entry_points

    return [ep.value.split(":")[0].strip() for ep in runtime_entry_points(pm)]


def manifest_for(settings: Any, pm: Any, modules: list[str] | None = None) -> dict[str, Any]:
    """The manifest ``zappa package`` would freeze into the zip, built in memory."""
    import json

    from zappa_core.packaging.runtime import manifest_bytes

    modules = runtime_modules(pm) if modules is None else modules
    return json.loads(manifest_bytes(settings, modules, for_package=False))  # in memory: no function configuration


class DevServer:
    """Serves one stage's app in this process; invocations are one at a time, as in one Lambda environment."""

    def __init__(self, settings: Any, pm: Any, *, port: int, echo: Callable[[str], None] = print,
                 listener: Any = None, modules: list[str] | None = None) -> None:
        """``listener``: a socket already listening on ``port`` (the reloader's), used instead of binding;
        ``modules``: the plugins' runtime modules, when the caller has them already."""
        from zappa_runtime.runtime import Runtime

        self.settings = settings
        door = front_door(settings, pm)
        self.kind, self.build_event, self.read_response = door.kind, door.build_event, door.read_response
        self.timeout = float(settings.to_dict().get("timeout_seconds") or 30)
        self.echo = echo
        self._lock = threading.Lock()
        root = str(Path(settings.project_dir).resolve())
        os.chdir(root)
        self.runtime = Runtime.cold_start(root=root, manifest=manifest_for(settings, pm, modules))
        logging.getLogger("zappa.local.gateway").setLevel(logging.WARNING)  # dispatch() prints its own line
        if listener is None:
            self._server = _Server(("127.0.0.1", port), _Handler)
        else:
            self._server = _Server(listener.getsockname(), _Handler, bind_and_activate=False)
            self._server.socket.close()
            self._server.socket, self._server.server_address = listener, listener.getsockname()
        self._server.gateway = self  # the gateway's HTTP handler calls dispatch() and dispatch_websocket()
        self.websocket = door.websocket(self.invoke, self.url) if door.websocket is not None else None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/"

    def banner(self) -> str:
        ws = f"; WebSocket API on {self.url.replace('http://', 'ws://')}" if self.websocket is not None else ""
        return f"Stage '{self.settings.stage}' ({self.kind} events) on {self.url}{ws}"

    def invoke(self, event: dict[str, Any]) -> tuple[Any, str | None]:
        """Run the handler on ``event``: ``(payload, None)``, or Lambda's error document and ``"Unhandled"``."""
        with self._lock:
            try:
                return self.runtime.invoke(event, ServeContext(self.settings, self.timeout)), None
            except Exception as exc:  # noqa: BLE001 - the app's failure becomes Lambda's Unhandled error response
                traceback.print_exc()
                return {"errorMessage": str(exc), "errorType": type(exc).__name__}, "Unhandled"

    def dispatch(self, request: LocalRequest) -> LocalResponse:
        started = time.perf_counter()
        if self.websocket is not None and request.path.startswith(CONTROL_PREFIX):
            return self.websocket.handle(replace(request, path=request.path[len(CONTROL_PREFIX) - 1:]))
        response = self.read_response(*self.invoke(self.build_event(request)))
        self.echo(f"{request.method} {request.path}{'?' + request.query if request.query else ''} -> {response.status} "
                  f"({(time.perf_counter() - started) * 1000:.1f} ms)")
        return response

    def dispatch_websocket(self, request: LocalRequest, socket: Any) -> None:
        from zappa_core.local.websocket import handshake_problem

        problem = handshake_problem(request)
        if problem is None and self.websocket is None:
            problem = LocalResponse(426, [("Content-Type", "text/plain; charset=utf-8")],
                                    f"stage '{self.settings.stage}' has no WebSocket API (websocket_handler_module)\n".encode())
        if problem is not None:
            socket.refuse(problem)
            return
        started = time.perf_counter()
        self.echo(f"WebSocket {request.path} connected")
        self.websocket.websocket(request, socket)
        how = socket.close_code or (socket.refused.status if socket.refused is not None else "")
        self.echo(f"WebSocket {request.path} closed ({how}, {time.perf_counter() - started:.1f} s)")

    def serve_forever(self) -> None:
        self._server.serve_forever(0.1)

    def shutdown(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def serve_with_reload(ctx: Any, settings: Any, port: int, *, echo: Callable[[str], None] = print,
                      stop: threading.Event | None = None) -> int:
    """Serve the stage and restart the server whenever a ``.py`` file of the project or the settings file
    changes (see :mod:`zappa_core.local.reloader`)."""
    from zappa_core.local.reloader import (
        ChildProcessServer,
        ForkedServer,
        ended_by_sigterm,
        make_watcher,
        run_with_reload,
    )

    project = Path(settings.project_dir).resolve()
    settings_file = getattr(getattr(settings, "source", None), "path", None)
    watcher = make_watcher(project, Path(settings_file) if settings_file else None)
    if hasattr(os, "fork"):
        import socket

        listener = socket.create_server(("127.0.0.1", port), backlog=64)  # held here: no refused connection
        front_door(settings, ctx.pm)  # the front door's modules imported once, here, for every restart
        import zappa_runtime.runtime  # noqa: F401

        modules = runtime_modules(ctx.pm)

        def serve_once() -> None:
            import signal

            from zappa_core.errors import ZappaError
            from zappa_core.settings import load_stages

            signal.signal(signal.SIGTERM, ended_by_sigterm)
            try:
                fresh = load_stages([settings.stage], pm=ctx.pm, settings_file=ctx.settings_file)[settings.stage]
                server = DevServer(fresh, ctx.pm, port=port, echo=echo, listener=listener, modules=modules)
            except ZappaError as exc:
                echo(f"Error: {exc}")
                raise SystemExit(exc.exit_code) from None
            echo(server.banner())
            sys.stdout.flush()
            forked.report_imports(project)
            server.serve_forever()

        forked = ForkedServer(serve_once)
        server: Any = forked
    else:
        server = ChildProcessServer(serve_command(settings.stage, port, ctx.settings_file), project)
    echo(f"watching {project} ({watcher.kind})")
    return run_with_reload(server, watcher, project, echo, stop or threading.Event())


def serve_command(stage: str, port: int, settings_file: str | None) -> list[str]:
    command = [sys.executable, "-m", "zappa_core", "serve", stage, "--port", str(port), "--no-reload"]
    if settings_file:
        command += ["--settings-file", settings_file]
    return command
