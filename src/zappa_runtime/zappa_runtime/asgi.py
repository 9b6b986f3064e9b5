"""ASGI apps (FastAPI, Starlette, Django's ASGI handler) on one event loop kept for the whole process.

No thread hand-off: each request runs ``app(scope, receive, send)`` to completion on the loop with
``run_until_complete``. The lifespan protocol runs once: ``startup`` at cold start (when the app speaks it) and
``shutdown`` when the process exits. The request is parsed exactly as for WSGI (:mod:`zappa_runtime.wsgi`), so
both kinds of app see the same headers, body, paths and client address.
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
from zappa_runtime.access import log_request
from zappa_runtime.request import BadRequest
from zappa_runtime.responses import ResponseBuilder, server_error
from zappa_runtime.wsgi import WsgiAdapter

log = logging.getLogger("zappa.runtime")

_PATH_SAFE = "/!$&'()*+,;=:@-._~"


STARTUP_TIMEOUT = 5.0


class LifespanError(RuntimeError):
    """The ASGI app's lifespan startup failed, broke the protocol or did not finish in time: the cold start fails."""


def startup_timeout(settings: dict) -> float:
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
        self.expose_tracebacks = bool(runtime.settings.get("expose_tracebacks"))
        self.parser = WsgiAdapter(None, runtime)
        self.responses: ResponseBuilder = self.parser.responses
        self.loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self.loop)
        self.state: dict = {}
        self._lifespan_queue: asyncio.Queue | None = None
        self._lifespan_task: asyncio.Task | None = None
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
        queue: asyncio.Queue = asyncio.Queue()
        started = loop.create_future()
        stopped = loop.create_future()
        self._stopped = stopped

        refused: list[LifespanError] = []
        took: list[bool] = []

        async def receive() -> dict:
            if refused and not started.done():  # it broke the protocol and still waits: it would wait forever
                await asyncio.sleep(0)
                if not started.done():
                    started.set_exception(refused[0])
                raise refused[0]
            message = await queue.get()
            took.append(True)
            return message

        async def send(message: dict) -> None:
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

    def _abandon(self, task: asyncio.Task) -> None:
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
    def scope(self, environ: dict, event: dict, context: Any, kind: str) -> dict:
        headers = []
        for key, value in environ.items():
            if key[:5] == "HTTP_":
                headers.append((key[5:].replace("_", "-").lower().encode("latin-1"), value.encode("latin-1")))
        if "CONTENT_TYPE" in environ:
            headers.append((b"content-type", environ["CONTENT_TYPE"].encode("latin-1")))
        headers.append((b"content-length", environ["CONTENT_LENGTH"].encode("latin-1")))
        root_path = environ["SCRIPT_NAME"].encode("latin-1").decode("utf-8", "replace")
        path_bytes = (environ["SCRIPT_NAME"] + environ["PATH_INFO"]).encode("latin-1")
        path = path_bytes.decode("utf-8", "replace")
        if kind == "http" or kind == "http1":  # the HTTP API hands the path over decoded: encode it again
            raw_path = quote(path_bytes, safe=_PATH_SAFE).encode("ascii")
        else:
            raw = event.get("path") if kind in ("rest", "alb") else event.get("rawPath")
            raw = raw or "/"
            if root_path and not raw.startswith(root_path):
                raw = root_path + raw
            raw_path = raw.encode("utf-8", "surrogateescape")
        port = environ["SERVER_PORT"]
        return {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": environ["SERVER_PROTOCOL"].rpartition("/")[2] or "1.1",
            "method": environ["REQUEST_METHOD"],
            "scheme": environ["wsgi.url_scheme"],
            "path": path,
            "raw_path": raw_path,
            "query_string": environ["QUERY_STRING"].encode("latin-1"),
            "root_path": root_path,
            "headers": headers,
            "client": (environ["REMOTE_ADDR"], 0),
            "server": (environ["SERVER_NAME"], int(port) if port.isdigit() else None),
            "state": dict(self.state),
            "aws.event": event,
            "aws.context": context,
            "zappa.event_kind": kind,
        }

    def run(self, scope: dict, body: bytes) -> tuple[str, list, bytes]:
        """Run the app for one request: ``(status line, headers, body)``.

        An exception raised after the app finished sending its response (Starlette's error middleware sends the
        app's own 500 and then re-raises; background tasks run after the response) leaves that response as it is:
        the exception is logged and given to ``exception_handler``. Before the response is complete it propagates,
        and the client gets the runtime's 500, never half a body under the app's status.
        """
        loop = self.loop
        result: dict[str, Any] = {}
        chunks: list = []
        pending = [True]
        finished: list = []

        async def receive() -> dict:
            if pending:
                pending.clear()
                return {"type": "http.request", "body": body, "more_body": False}
            if not finished:
                waiter = loop.create_future()
                finished.append(waiter)
                await waiter
            return {"type": "http.disconnect"}

        async def send(message: dict) -> None:
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
                        if not waiter.done():
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

    def __call__(self, event: dict, context: Any, kind: str) -> dict:
        started = time.perf_counter()
        responses = self.responses
        try:
            environ = self.parser.environ(event, context, kind)
            scope = self.scope(environ, event, context, kind)
        except BadRequest as exc:
            return responses.error(kind, event, 400, {"message": str(exc)})
        except (KeyError, TypeError, AttributeError, ValueError, UnicodeError) as exc:
            log.warning("malformed %s event (%s: %s)", kind, type(exc).__name__, exc)
            return responses.error(kind, event, 400, {"message": f"malformed {kind} event"})
        body = environ["wsgi.input"].getvalue()
        try:
            status, headers, out = self.run(scope, body)
            response = responses.build(kind, event, status, headers, out, scope["method"])
        except Exception as exc:  # every failure becomes a 500, never a crashed invocation
            log.exception("uncaught exception while servicing %s %s", scope["method"], scope["path"])
            self.runtime.handle_exception(exc, event, context)
            response = responses.error(kind, event, 500, server_error(exc, self.expose_tracebacks))
            out = b""
        log_request(environ, response["statusCode"], len(out), started)
        if self.parser.count_server_errors and response["statusCode"] >= 500:
            server_errors.emit(context)
        return response
