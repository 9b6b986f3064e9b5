"""The local AWS process: moto's API, the executor, the gateway and the scheduler, in one process.

``zappa local start`` runs ``python -m zappa_core.local serve ...`` in the background; tests and other
tools embed :class:`LocalAws` directly (``with LocalAws() as aws: ...``).

Start-up: importing moto takes most of a second or more, and nothing else needs it. So :meth:`LocalAws.start`
binds both ports first (the endpoints are known and accept connections from then on) and starts the gateway;
moto is imported, the executor hooked in and the API served by a loader thread. A call that arrives while it
loads waits in the listening socket's queue and is answered once the API serves (:meth:`LocalAws.wait_ready`).
"""

from __future__ import annotations

import io
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from zappa_core.local import executor, moto_seam
from zappa_core.local.gateway import Gateway, routes_from_plugins
from zappa_core.local.scheduler import Scheduler
from zappa_core.local.state import LocalState

log = logging.getLogger("zappa.local")

#: Services whose changes can add, move or remove a front door of the gateway, by the name in the request's
#: SigV4 credential scope. HTTP APIs (``apigatewayv2``) sign as ``apigateway``, load balancers (``elbv2``) as
#: ``elasticloadbalancing``; "apigatewayv2" is listed too for clients that scope by the API's own name.
FRONT_DOOR_SERVICES = {"apigateway", "apigatewayv2", "lambda", "elasticloadbalancing", "cloudformation", "cloudfront"}
READ_PREFIXES = ("Describe", "List", "Get")
#: Backends touched once in the background after start, so the first deploy does not pay for the imports.
PREWARM_CALLS: dict[str, tuple[str, dict[str, Any]]] = {
    "sts": ("get_caller_identity", {}),
    "iam": ("list_roles", {"MaxItems": 1}),
    "s3": ("list_buckets", {}),
    "lambda": ("list_functions", {"MaxItems": 1}),
    "logs": ("describe_log_groups", {"limit": 1}),
    "events": ("list_rules", {"Limit": 1}),
    "apigateway": ("get_rest_apis", {"limit": 1}),
    "apigatewayv2": ("get_apis", {}),
    "cloudformation": ("list_stacks", {}),
}


class ChangeWatcher:
    """WSGI middleware in front of moto that calls ``on_change`` after a write to a front-door service."""

    def __init__(self, app: Callable, on_change: Callable[[], None]) -> None:
        self.app = app
        self.on_change = on_change

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Any:
        if self._is_front_door_write(environ):
            result = self.app(environ, start_response)
            self.on_change()
            return result
        return self.app(environ, start_response)

    def _is_front_door_write(self, environ: dict[str, Any]) -> bool:
        method = environ.get("REQUEST_METHOD", "GET")
        if method in ("GET", "HEAD", "OPTIONS"):
            return False
        service = _service_of(environ.get("HTTP_AUTHORIZATION", ""))
        if service not in FRONT_DOOR_SERVICES:
            return False
        if environ.get("PATH_INFO", "").endswith("/invocations"):
            return False
        if service in ("elasticloadbalancing", "cloudformation"):  # query protocol: the action is in the body
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(length) if length else b""
            environ["wsgi.input"] = io.BytesIO(body)
            action = (parse_qs(body.decode("utf-8", "replace")).get("Action") or [""])[0]
            return not action.startswith(READ_PREFIXES)
        return True


def _service_of(authorization: str) -> str:
    """The service of a SigV4 ``Authorization`` header (``Credential=KEY/DATE/REGION/SERVICE/aws4_request``)."""
    marker = "Credential="
    if marker not in authorization:
        return ""
    scope = authorization.split(marker, 1)[1].split(",", 1)[0].split("/")
    return scope[3] if len(scope) > 3 else ""


class LocalAws:
    """The whole local AWS on 127.0.0.1 (ports 0: any free ports)."""

    def __init__(self, *, port: int = 0, gateway_port: int = 0, region: str = "us-east-1", pm: Any = None,
                 cache_dir: Path | None = None, scheduler: bool = True, prewarm: bool = False,
                 route_provider: Callable[[], Any] | None = None, concurrency: int | None = None) -> None:
        self.port = port
        self.gateway_port = gateway_port
        self.region = region
        self.pm = pm
        self.cache_dir = cache_dir
        self.with_scheduler = scheduler
        self.prewarm = prewarm
        self.route_provider = route_provider
        self.concurrency = concurrency
        self.started_at: float | None = None
        self.gateway: Gateway | None = None
        self.scheduler: Scheduler | None = None
        self.state: LocalState | None = None
        self.control: Callable[[str], Any] | None = None
        self._listener: socket.socket | None = None
        self._moto_server: Any = None
        self._moto_thread: threading.Thread | None = None
        self._loader: threading.Thread | None = None
        self._ready = threading.Event()
        self.load_error: BaseException | None = None
        self.loaded_seconds: float | None = None
        self._executor: executor.Executor | None = None
        self._states: dict[str, LocalState] = {}

    @property
    def aws_endpoint(self) -> str:
        assert self._listener is not None, "start() first"
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    @property
    def gateway_endpoint(self) -> str:
        assert self.gateway is not None, "start() first"
        return self.gateway.url

    def start(self, *, wait: bool = True) -> LocalAws:
        """Bind the ports, start the gateway and load the AWS API in the background.

        ``wait=False`` returns as soon as the ports accept connections (``zappa local start``); calls made
        before the API has loaded wait for it. Otherwise returns once it serves (raising if it failed).
        """
        started = time.perf_counter()
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            self._listener.bind(("127.0.0.1", self.port))
        except OSError:
            self._listener.close()
            raise
        self._listener.listen(128)

        provider = self.route_provider
        if provider is None:

            def provider() -> Any:
                if self.pm is None:  # loaded on first use: the plugins' imports are not on the start path
                    from zappa_core.plugins import get_plugin_manager

                    self.pm = get_plugin_manager()
                routes: list[Any] = []
                for state in self.region_states():  # the home region first: it wins a key used in two
                    routes += routes_from_plugins(self.pm, state)()
                return routes

        try:
            self.gateway = Gateway(provider, port=self.gateway_port, control=self._control)
        except OSError:
            self._listener.close()
            raise
        self.state = LocalState(aws_endpoint=self.aws_endpoint, gateway_endpoint=self.gateway.url, region=self.region)
        self._states = {self.region: self.state}
        self.gateway.start()
        self.started_at = time.time()
        self._loader = threading.Thread(target=self._load, args=(started,), name="zappa-local-load", daemon=True)
        self._loader.start()
        if wait:
            self.wait_ready()
        return self

    def region_states(self) -> list[LocalState]:
        """A :class:`LocalState` for every region the local AWS holds functions in (the home region first):
        front doors are served whatever region they were deployed to, as each region's own endpoint would."""
        assert self.state is not None
        regions = [self.region]
        if self.ready:
            regions += [r for r in moto_seam.active_regions() if r != self.region]
        for region in regions:
            if region not in self._states:
                self._states[region] = LocalState(aws_endpoint=self.aws_endpoint, gateway_endpoint=self.state.gateway_endpoint,
                                                  region=region)
        return [self._states[region] for region in regions]

    def wait_ready(self, timeout: float | None = None) -> None:
        """Wait until the AWS API serves; raises the loader's error if it failed."""
        if not self._ready.wait(timeout):
            raise TimeoutError(f"the local AWS API did not load in {timeout} s")
        if self.load_error is not None:
            raise RuntimeError(f"the local AWS API failed to load: {self.load_error}") from self.load_error

    def wait_ready_quietly(self) -> None:
        """Wait for the loader to finish, successful or not (see :attr:`load_error`)."""
        self._ready.wait()

    @property
    def ready(self) -> bool:
        return self._ready.is_set() and self.load_error is None

    def _load(self, started: float) -> None:
        """moto, the executor hooked into it, the API on the bound socket, then the scheduler."""
        try:
            from moto.moto_server.werkzeug_app import (
                DomainDispatcherApplication,
                MotoRequestHandler,
                create_backend_app,
            )
            from werkzeug.serving import make_server

            class QuietHandler(MotoRequestHandler):
                def log_request(self, code: Any = "-", size: Any = "-") -> None:
                    log.debug("aws %s %s", self.requestline, code)

            gateway = self.gateway
            assert gateway is not None and self._listener is not None
            app = ChangeWatcher(DomainDispatcherApplication(create_backend_app), gateway.invalidate)
            self._executor = moto_seam.install(aws_endpoint=self.aws_endpoint, cache_dir=self.cache_dir,
                                               concurrency=self.concurrency, gateway_endpoint=gateway.url)
            self._moto_server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler,
                                            fd=self._listener.fileno())
            self._moto_thread = threading.Thread(target=self._moto_server.serve_forever, args=(0.05,),
                                                 name="zappa-local-aws", daemon=True)
            self._moto_thread.start()
            if self.with_scheduler:
                assert self.state is not None
                self.scheduler = Scheduler(self.state, regions=lambda: moto_seam.active_regions() or [self.region])
                self.scheduler.start()
        except BaseException as exc:  # reported by wait_ready() and the serving process
            log.exception("the local AWS API failed to load")
            self.load_error = exc
        self.loaded_seconds = time.perf_counter() - started
        self._ready.set()
        if self.load_error is None:
            log.info("AWS API serving after %.2fs", self.loaded_seconds)
            if self.prewarm:
                self._prewarm()

    def stop(self) -> None:
        """Stop every part; what was deployed is forgotten, as the process's exit forgets it.

        moto keeps its state in this process's memory, shared with any other moto user here (tests run
        several local AWSs and moto servers one after another), so it is reset through moto's own API first.
        """
        if self._loader is not None:
            self._ready.wait(60)  # a stop during the load: let it finish, then close what it opened
        if self.ready:
            self._reset_moto()
        if self._executor is not None:
            self._executor.shutdown()
        if self.scheduler is not None:
            self.scheduler.stop()
        if self.gateway is not None:
            self.gateway.stop()
        if self._moto_server is not None:
            self._moto_server.shutdown()
            self._moto_server.server_close()
        if self._listener is not None:
            self._listener.close()

    def __enter__(self) -> LocalAws:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def status(self) -> dict[str, Any]:
        return {
            "pid": os.getpid(),
            "aws_endpoint": self.aws_endpoint,
            "gateway_endpoint": self.gateway_endpoint,
            "region": self.region,
            "started_at": self.started_at,
            "api_ready": self.ready,
            "api_loaded_seconds": self.loaded_seconds,
            "workers": self._executor.workers() if self._executor else [],
            "concurrency": {"limit": self._executor.concurrency.limit,
                            "in_flight": self._executor.concurrency.in_flight()} if self._executor else None,
            "front_doors": [{"kind": r.kind, "key": r.key, "url": f"{self.gateway_endpoint}/{r.key}/"}
                            for r in self.gateway.table.cached()] if self.gateway else [],
            "schedules": self.scheduler.describe() if self.scheduler else [],
        }

    def _control(self, path: str) -> Any:
        """``/__zappa__/status``; ``/__zappa__/fire/<rule name>`` fires a schedule now (demos, manual tests)."""
        if path == "status":
            data = self.status()
            if self.control is not None:
                data.update(self.control(path) or {})
            return data
        if path.startswith("fire/") and self.scheduler is not None:
            fired = self.scheduler.fire_now(path[len("fire/"):])
            return {"fired": [{"rule": f.rule_arn, "target": f.target_arn, "function_error": f.function_error}
                              for f in fired]}
        return None

    def _reset_moto(self) -> None:
        import urllib.request

        request = urllib.request.Request(f"{self.aws_endpoint}/moto-api/reset", data=b"", method="POST")
        try:
            with urllib.request.urlopen(request, timeout=30):
                pass
        except OSError as exc:  # stopping goes on; only the memory is not freed early
            log.warning("resetting the local AWS state failed: %s", exc)

    def _prewarm(self) -> None:
        """Load the moto backends a deploy uses (cloudformation alone costs about 2 s of imports)."""
        assert self.state is not None
        started = time.perf_counter()
        for service, (operation, kwargs) in PREWARM_CALLS.items():
            try:
                getattr(self.state.aws.client(service), operation)(**kwargs)
            except Exception as exc:  # noqa: BLE001 - a warm-up failure only costs speed later
                log.debug("pre-warming %s failed: %s", service, exc)
        log.info("backends ready in %.1fs", time.perf_counter() - started)
