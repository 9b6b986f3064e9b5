"""The ASGI lifespan protocol, in process with plain ASGI callables: startup once before the first request, its
state in every request, shutdown on demand and at process exit, failures reported. Real apps that misbehave (a
FastAPI lifespan that never finishes, HTTP messages sent to the lifespan scope) fail the cold start with the reason,
in process and from a built package, instead of hanging it."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import textwrap
import time

import events_factory as ev
import pytest
from zappa_runtime.asgi import STARTUP_TIMEOUT, AsgiAdapter, LifespanError, startup_timeout
from zappa_runtime.runtime import Runtime


class LifespanApp:
    """Records every lifespan message it gets; answers requests with what the lifespan left in the state."""

    def __init__(self, fail_startup: bool = False) -> None:
        self.events: list[str] = []
        self.fail_startup = fail_startup

    async def __call__(self, scope, receive, send):
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                self.events.append(message["type"])
                if message["type"] == "lifespan.startup":
                    if self.fail_startup:
                        await send({"type": "lifespan.startup.failed", "message": "no database"})
                        return
                    scope["state"]["db"] = "connected"
                    await send({"type": "lifespan.startup.complete"})
                else:
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        self.events.append("request")
        body = json.dumps({"db": scope["state"].get("db")}).encode()
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": body})


async def no_lifespan_app(scope, receive, send):
    if scope["type"] != "http":
        raise ValueError(f"unsupported scope {scope['type']}")  # what many small ASGI apps do
    await send({"type": "http.response.start", "status": 204, "headers": []})
    await send({"type": "http.response.body", "body": b""})


@pytest.fixture
def adapters():
    made: list[AsgiAdapter] = []

    def make(app, **settings) -> AsgiAdapter:
        adapter = AsgiAdapter(app, Runtime(settings))
        made.append(adapter)
        return adapter

    yield make
    for adapter in made:
        adapter.shutdown()
        adapter.loop.close()


def test_startup_runs_once_before_requests_and_shutdown_when_asked(adapters):
    app = LifespanApp()
    adapter = adapters(app)
    assert (adapter.lifespan_supported, app.events) == (True, ["lifespan.startup"])
    for _ in range(2):
        response = adapter(ev.v2("GET", "/"), None, "http")
        assert json.loads(response["body"]) == {"db": "connected"}
    adapter.shutdown()
    adapter.shutdown()  # a second call (at exit, after an explicit one) sends nothing more
    assert app.events == ["lifespan.startup", "request", "request", "lifespan.shutdown"]


def test_an_app_without_lifespan_support_still_serves_requests(adapters):
    adapter = adapters(no_lifespan_app)
    assert adapter.lifespan_supported is False
    assert adapter(ev.rest("GET", "/"), None, "rest")["statusCode"] == 204


def test_a_failed_startup_fails_the_cold_start_with_the_apps_message():
    app = LifespanApp(fail_startup=True)
    with pytest.raises(RuntimeError, match="ASGI lifespan startup failed: no database"):
        AsgiAdapter(app, Runtime({}))
    assert app.events == ["lifespan.startup"]


SHUTDOWN_AT_EXIT = """
import sys
from zappa_runtime.asgi import AsgiAdapter
from zappa_runtime.runtime import Runtime

async def app(scope, receive, send):
    while True:
        message = await receive()
        print(message["type"], flush=True)
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        else:
            await send({"type": "lifespan.shutdown.complete"})
            return

AsgiAdapter(app, Runtime({}))
print("end of script", flush=True)
"""


def test_shutdown_runs_when_the_process_exits(tmp_path):
    done = subprocess.run([sys.executable, "-I", "-c", textwrap.dedent(SHUTDOWN_AT_EXIT)], capture_output=True,
                          text=True, timeout=60, cwd=tmp_path, env={"PATH": os.environ.get("PATH", "")}, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["lifespan.startup", "end of script", "lifespan.shutdown"]


# ------------------------------------------------------------------------- apps that misbehave in lifespan
def hanging_fastapi_app():
    """A FastAPI app whose lifespan waits for something that never comes (a database that never answers)."""
    from contextlib import asynccontextmanager

    from fastapi import FastAPI

    @asynccontextmanager
    async def lifespan(app):
        await asyncio.Event().wait()
        yield

    return FastAPI(lifespan=lifespan)


async def http_only_app(scope, receive, send):
    """Answers every scope as HTTP (as mangum's tests' apps do): raises when the runtime refuses the message."""
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"hello"})


async def error_swallowing_app(scope, receive, send):
    """Answers every scope as HTTP, ignores what goes wrong while sending, then reads until the client
    disconnects: on the lifespan scope it would wait forever."""
    try:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"hello"})
    except Exception:  # noqa: BLE001 - the misbehaviour under test
        pass
    while (await receive())["type"] != "http.disconnect":
        pass


def streaming_response_app():
    """A Starlette StreamingResponse served as the whole app: it streams to any scope it is given."""
    from starlette.responses import StreamingResponse

    async def forever():
        while True:
            yield b"tick\n"
            await asyncio.sleep(0.01)

    return StreamingResponse(forever(), media_type="text/plain")


def test_a_lifespan_that_never_finishes_fails_the_cold_start_at_the_time_limit():
    app = hanging_fastapi_app()
    began = time.monotonic()
    with pytest.raises(LifespanError, match=r"did not complete lifespan startup within 0.5 s \(asgi_startup_timeout\)"):
        AsgiAdapter(app, Runtime({"asgi_startup_timeout": 0.5}))
    assert 0.5 <= time.monotonic() - began < 5  # the limit, not a hang (slack for a loaded machine)


def test_a_handler_that_keeps_waiting_after_an_http_message_fails_the_cold_start_at_once():
    began = time.monotonic()
    with pytest.raises(LifespanError, match=r"sent 'http\.response\.start' during lifespan startup"):
        AsgiAdapter(error_swallowing_app, Runtime({}))
    assert time.monotonic() - began < 4  # at once: the default limit (5 s) is not waited for


async def confused_lifespan_handler(scope, receive, send):
    """Takes lifespan.startup, then answers it with an HTTP response and waits for the next message."""
    while True:
        if (await receive())["type"] == "lifespan.startup":
            await send({"type": "http.response.start", "status": 200, "headers": []})


@pytest.mark.parametrize("make", [lambda: confused_lifespan_handler, streaming_response_app],
                         ids=["confused-handler", "starlette-streaming-response"])
def test_an_app_that_took_lifespan_startup_and_sends_an_http_message_fails_the_cold_start_at_once(make):
    # a StreamingResponse listens for the disconnect (so it takes lifespan.startup) while it streams forever
    app = make()
    began = time.monotonic()
    with pytest.raises(LifespanError, match=r"sent 'http\.response\.start' during lifespan startup"):
        AsgiAdapter(app, Runtime({}))
    assert time.monotonic() - began < 4


def test_an_http_only_app_is_served_without_lifespan(adapters, caplog):
    # an app answering every scope as HTTP, which ends when its message is refused: what mangum serves too
    with caplog.at_level("WARNING", logger="zappa.runtime"):
        adapter = adapters(http_only_app)
    assert adapter.lifespan_supported is False
    assert "answered the lifespan scope with a message that is not a lifespan message" in caplog.text
    response = adapter(ev.v2("GET", "/"), None, "http")
    assert (response["statusCode"], response["body"]) == (200, "hello")


def test_the_default_startup_limit_is_well_inside_lambdas_init_phase():
    assert STARTUP_TIMEOUT == 5.0
    assert startup_timeout({}) == startup_timeout({"asgi_startup_timeout": None}) == 5.0
    assert startup_timeout({"asgi_startup_timeout": 8}) == 8.0


def test_the_cold_start_of_a_package_whose_lifespan_hangs_fails_with_the_reason(lambda_app):
    began = time.monotonic()
    with pytest.raises(RuntimeError) as failed:
        lambda_app("asgi_hang")
    assert "LifespanError: the ASGI app did not complete lifespan startup within 0.5 s" in str(failed.value)
    assert time.monotonic() - began < 60  # the package build included; never a hang
