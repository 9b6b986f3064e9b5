"""ASGI apps (FastAPI, Starlette, Django's ASGI handler) on one event loop kept for the whole process.

No thread hand-off: each request runs ``app(scope, receive, send)`` to completion on the loop with
``run_until_complete``. The lifespan protocol runs once: ``startup`` at cold start (when the app speaks it) and
``shutdown`` when the process exits. The scope is built from the event's :class:`~zappa_runtime.request.HttpRequest`,
read by the parsing layer the WSGI adapter uses too, so both kinds of app see the same headers, body, paths and
client address.
"""

from __future__ import annotations

import asyncio
import atexit
import functools
import logging
import time
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

from zappa_runtime import server_errors
from zappa_runtime.access import log_request_of
from zappa_runtime.request import HttpRequest, RequestParser
from zappa_runtime.responses import NOT_A_REQUEST, ResponseBuilder, app_failed, not_a_request

log = logging.getLogger("zappa.runtime")

_PATH_SAFE = "/!$&'()*+,;=:@-._~"


STARTUP_TIMEOUT = 5.0


class LifespanError(RuntimeError):
    """The ASGI app's lifespan startup failed, broke the protocol or did not finish in time: the cold start fails."""


def startup_timeout(settings: dict[str, Any]) -> float:
    """``asgi_startup_timeout`` in seconds (default 5)."""
    value = settings.get("asgi_startup_timeout")
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
        return float(value)
    return STARTUP_TIMEOUT


@functools.lru_cache(maxsize=128)
def status_line(code: int) -> str:
    try:
        return f"{code} {HTTPStatus(code).phrase}"
    except ValueError:
        return f"{code} Unknown"


class AsgiAdapter:
    """``adapter(event, context, kind) -> proxy response`` around an ASGI app."""

    def __init__(self, app: Any, runtime: Any) -> None:
        self.app = app
        self.runtime = runtime
        settings = runtime.settings
        self.expose_tracebacks = bool(settings.get("expose_tracebacks"))
        self.count_server_errors = server_errors.wanted(settings)
        self.parser = RequestParser(settings)
        self.responses = ResponseBuilder(settings)
        self.loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self.loop)
        self.state: dict[str, Any] = {}
        self._lifespan_queue: asyncio.Queue[dict[str, Any]] | None = None
        self._lifespan_task: asyncio.Task[None] | None = None
        self.lifespan_supported = False
        self.startup_timeout = startup_timeout(runtime.settings)
        self._startup()

    # ------------------------------------------------------------------------------------------ lifespan
    def _startup(self) -> None:
        """Run the lifespan ``startup`` (at most ``asgi_startup_timeout`` seconds, default 5: well inside
        Lambda's 10 s init phase).

        A message that is not a lifespan message is refused (``send`` raises it into the app). From a lifespan
        handler (the app took ``lifespan.startup``) it fails the cold start at once, naming the message. Before the
        app took any message it is an HTTP-only app answering every scope: when it then ends it is served without
        lifespan (with a warning), as mangum does; when it goes on waiting, the cold start fails at once too. A
        ``lifespan.startup.failed`` and a startup that does not finish in time fail it as well: never a cold start
        that hangs until Lambda's init timeout.
        """
        loop = self.loop
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        started = loop.create_future()
        stopped = loop.create_future()
        self._stopped = stopped

        refused: list[LifespanError] = []
        took: list[bool] = []

        async def receive() -> dict[str, Any]:
            if refused and not started.done():  # it broke the protocol and still waits: it would wait forever
                await asyncio.sleep(0)
                if not started.done():
                    started.set_exception(refused[0])
                raise refused[0]
            message = await queue.get()
            took.append(True)
            return message

        async def send(message: dict[str, Any]) -> None:
            kind = message.get("type")
            if kind == "lifespan.startup.complete":
                if not started.done():
                    started.set_result(True)
            elif kind == "lifespan.startup.failed":
                if not started.done():
                    started.set_exception(LifespanError(f"ASGI lifespan startup failed: {message.get('message', '')}"))
            elif kind in ("lifespan.shutdown.complete", "lifespan.shutdown.failed"):
                if not stopped.done():
                    stopped.set_result(kind)
            else:
                phase = "shutdown" if started.done() else "startup"
                error = LifespanError(
                    f"the ASGI app sent {kind!r} during lifespan {phase}; a lifespan handler may only send "
                    f"'lifespan.{phase}.complete' or 'lifespan.{phase}.failed', and an app that does not speak "
                    "lifespan should raise on the 'lifespan' scope"
                )
                if started.done():
                    if not stopped.done():
                        stopped.set_exception(error)
                elif took:  # a lifespan handler sending something else: startup fails
                    started.set_exception(error)
                else:  # an app answering every scope as HTTP: served without lifespan if it now ends
                    refused.append(error)
                raise error

        scope = {"type": "lifespan", "asgi": {"version": "3.0", "spec_version": "2.0"}, "state": self.state}

        async def main() -> None:
            try:
                await self.app(scope, receive, send)
            except BaseException as exc:  # an app without lifespan support raises here
                if not started.done():
                    started.set_result(False)
                    if refused:
                        log.warning("the ASGI app answered the lifespan scope with a message that is not a lifespan "
                                    "message; it is served without lifespan (%s)", refused[0])
                    else:
                        log.debug("the ASGI app does not support lifespan (%s: %s)", type(exc).__name__, exc)
                    return
                raise
            finally:
                if not started.done():
                    started.set_result(False)
                if not stopped.done():
                    stopped.set_result("lifespan.shutdown.complete")

        queue.put_nowait({"type": "lifespan.startup"})
        task = self._lifespan_task = loop.create_task(main())
        timeout = self.startup_timeout
        try:
            self.lifespan_supported = bool(loop.run_until_complete(asyncio.wait_for(asyncio.shield(started), timeout)))
        except asyncio.TimeoutError:
            self._abandon(task)
            raise LifespanError(
                f"the ASGI app did not complete lifespan startup within {timeout:g} s (asgi_startup_timeout); "
                "the cold start is stopped instead of hanging until Lambda's init timeout"
            ) from None
        except BaseException:
            self._abandon(task)
            raise
        if self.lifespan_supported:
            self._lifespan_queue = queue
            atexit.register(self.shutdown)

    def _abandon(self, task: asyncio.Task[None]) -> None:
        """Cancel a failed lifespan task and give it a moment to unwind (it must not block the error)."""
        if not task.done():
            task.cancel()
            self.loop.run_until_complete(asyncio.wait({task}, timeout=1.0))
        if task.done() and not task.cancelled():
            task.exception()  # retrieved: no "exception was never retrieved" noise at exit

    def shutdown(self, timeout: float = 5.0) -> None:
        """Send ``lifespan.shutdown`` and wait (at most ``timeout`` seconds) for the app to finish it."""
        queue, self._lifespan_queue = self._lifespan_queue, None
        if queue is None or self.loop.is_closed():
            return
        queue.put_nowait({"type": "lifespan.shutdown"})
        try:
            self.loop.run_until_complete(asyncio.wait_for(asyncio.shield(self._stopped), timeout))
        except Exception as exc:  # noqa: BLE001 - best effort at process exit
            log.warning("ASGI lifespan shutdown did not complete: %s", exc)

    # ------------------------------------------------------------------------------------------- request
    def scope(self, request: HttpRequest) -> dict[str, Any]:
        """The ASGI HTTP scope of ``request``: text as UTF-8 bytes where ASGI wants bytes."""
        headers = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in request.headers.items()
                   if name != "content-type" and name != "content-length"]
        content_type = request.headers.get("content-type")
        if content_type is not None:
            headers.append((b"content-type", content_type.encode("latin-1")))
        headers.append((b"content-length", str(len(request.body)).encode("ascii")))
        script, kind = request.script_name, request.kind
        full = script + request.path
        if full.isascii():
            root_path, path, path_bytes = script, full, full.encode("ascii")
        else:  # what the app sees is text; undecodable bytes (kept as surrogates) show as U+FFFD
            path_bytes = full.encode("utf-8", "surrogateescape")
            root_path = script.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
            path = path_bytes.decode("utf-8", "replace")
        if kind == "http" or kind == "http1":  # the HTTP API hands the path over decoded: encode it again
            raw_path = quote(path_bytes, safe=_PATH_SAFE).encode("ascii")
        else:
            event = request.event
            raw = (event.get("path") if kind == "rest" or kind == "alb" else event.get("rawPath")) or "/"
            if root_path and not raw.startswith(root_path):
                raw = root_path + raw
            raw_path = raw.encode("utf-8", "surrogateescape")
        port = request.server_port
        return {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": request.protocol.rpartition("/")[2] or "1.1",
            "method": request.method,
            "scheme": request.scheme,
            "path": path,
            "raw_path": raw_path,
            "query_string": request.query.encode("utf-8", "surrogateescape"),
            "root_path": root_path,
            "headers": headers,
            "client": (request.client, 0),
            "server": (request.server_name, int(port) if port.isdigit() else None),
            "state": dict(self.state),
            "aws.event": request.event,
            "aws.context": request.context,
            "zappa.event_kind": kind,
        }

    def run(self, scope: dict[str, Any], body: bytes) -> tuple[str, list[tuple[str, str]], bytes]:
        """Run the app for one request: ``(status line, headers, body)``.

        An exception raised after the app finished sending its response (Starlette's error middleware sends the
        app's own 500 and then re-raises; background tasks run after the response) leaves that response as it is:
        the exception is logged and given to ``exception_handler``. Before the response is complete it propagates,
        and the client gets the runtime's 500, never half a body under the app's status.
        """
        loop = self.loop
        result: dict[str, Any] = {}
        chunks: list[bytes] = []
        pending = [True]
        finished: list[asyncio.Future[None] | None] = []

        async def receive() -> dict[str, Any]:
            if pending:
                pending.clear()
                return {"type": "http.request", "body": body, "more_body": False}
            if not finished:
                waiter = loop.create_future()
                finished.append(waiter)
                await waiter
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            kind = message["type"]
            if kind == "http.response.body":
                if "status" not in result or "done" in result:
                    raise RuntimeError("the ASGI app sent http.response.body " + (
                        "after the response was complete" if "done" in result else "before http.response.start"))
                chunk = message.get("body")
                if chunk:
                    chunks.append(chunk)
                if not message.get("more_body"):
                    result["done"] = True
                    for waiter in finished:
                        if waiter is not None and not waiter.done():
                            waiter.set_result(None)
                    finished.append(None)
            elif kind == "http.response.start":
                if "status" in result:
                    raise RuntimeError("the ASGI app sent http.response.start twice")
                result["status"] = message["status"]
                result["headers"] = message.get("headers") or []

        try:
            loop.run_until_complete(self.app(scope, receive, send))
        except Exception as exc:
            if "done" not in result:
                raise
            log.exception("exception after the response to %s %s was sent (the response is kept)",
                          scope["method"], scope["path"])
            self.runtime.handle_exception(exc, scope["aws.event"], scope["aws.context"])
        if "status" not in result:
            raise RuntimeError("the ASGI app returned without sending http.response.start")
        headers = [(name.decode("latin-1"), value.decode("latin-1")) for name, value in result["headers"]]
        return status_line(int(result["status"])), headers, b"".join(chunks)

    def __call__(self, event: dict[str, Any], context: Any, kind: str) -> dict[str, Any]:
        started = time.perf_counter()
        try:
            request = self.parser.parse(event, context, kind)
            scope = self.scope(request)
        except NOT_A_REQUEST as exc:
            return not_a_request(self.responses, kind, event, exc)
        try:
            status, headers, out = self.run(scope, request.body)
            response = self.responses.build(kind, event, status, headers, out, request.method)
        except Exception as exc:  # noqa: BLE001 - every failure becomes a 500 (logged), never a crashed invocation
            response = app_failed(self, exc, kind, event, context, request.method, scope["path"])
            out = b""
        log_request_of(request, response["statusCode"], len(out), started)
        if self.count_server_errors and response["statusCode"] >= 500:
            server_errors.emit(context)
        return response
