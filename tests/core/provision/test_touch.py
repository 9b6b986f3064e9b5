"""touch after deploy/update: the URL comes from the plugins' stage status (so local endpoints work); an
HTTP 5xx fails the command; touch: false skips it."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from zappa_core import hookspecs

pytestmark = pytest.mark.usefixtures("core_only")


@pytest.fixture
def web():
    """A real HTTP server on a free 127.0.0.1 port answering with ``state["status"]``."""
    state = {"status": 200, "paths": []}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            state["paths"].append(self.path)
            self.send_response(state["status"])
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state["url"] = f"http://127.0.0.1:{server.server_address[1]}/dev"
    yield state
    server.shutdown()


@pytest.fixture
def front_door(web, monkeypatch):
    """A plugin whose stage status reports the test server as the stage's URL."""
    from zappa_core import plugins

    class FrontDoor:
        @hookspecs.hookimpl
        def zappa_stage_status(self, settings, context):
            return {"urls": {"api": web["url"]}}

    original = plugins.get_plugin_manager

    def with_front_door(**kwargs):
        return original(plugins=[FrontDoor()], **kwargs)

    monkeypatch.setattr(plugins, "get_plugin_manager", with_front_door)


def test_touch_requests_the_touch_path_after_deploy(project, zappa, aws, web, front_door):
    project.set(touch=True, touch_path="/health")
    result = zappa("deploy", "dev", "--json")
    assert result.code == 0, result
    assert web["paths"] == ["/dev/health"]
    out = result.json()
    assert out["touch"]["status"] == 200 and out["urls"] == {"api": web["url"]}


def test_a_5xx_from_touch_fails_the_update(project, zappa, aws, web, front_door):
    project.set(touch=False)
    assert zappa("deploy", "dev").code == 0
    assert web["paths"] == []
    project.set(touch=True, memory_size=256)
    web["status"] = 502
    result = zappa("update", "dev")
    assert result.code == 1
    assert "HTTP 502" in result.err and "zappa tail" in result.err


def test_local_mode_never_touches_a_non_loopback_url(web):
    from types import SimpleNamespace

    from zappa_core.commands.touch import touch

    said = []
    settings = SimpleNamespace(touch_path="/")
    # An AWS-looking URL in local mode is skipped without a request (a request to it would raise).
    assert touch(settings, {"api": "https://abc.execute-api.us-east-1.amazonaws.com/dev"}, said.append, local=True) is None
    assert said == ["touch: skipped, https://abc.execute-api.us-east-1.amazonaws.com/dev is not served by the local gateway"]
    # The local gateway's URL is requested as usual.
    assert touch(settings, {"api": web["url"]}, said.append, local=True)["status"] == 200
    assert web["paths"] == ["/dev/"]
