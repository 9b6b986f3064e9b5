"""The ASGI lifespan protocol, in process with plain ASGI callables (no framework): startup once before the first
request, its state in every request, shutdown on demand and at process exit, failures reported."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import events_factory as ev
import pytest
from zappa_runtime.asgi import AsgiAdapter
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
