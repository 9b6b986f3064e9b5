"""Lambda SnapStart: in a SnapStart init the runtime registers its before-snapshot and after-restore work with
``snapshot_restore_py`` (the library Lambda's Python runtimes provide, installed here from PyPI), and this test
then plays the part of Lambda: it runs the registered callables as Lambda does around a snapshot."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pluggy
import pytest
import snapshot_restore_py
from rtharness import build_package, load_event
from zappa_runtime.hookspecs import hookimpl
from zappa_runtime.runtime import Runtime, make_plugin_manager

from zappa_runtime import snapstart

# Lambda's part: init (import the handler), the hooks before the snapshot in reverse order of registration,
# then in a restored copy the after-restore hooks in order of registration, then the first event.
LAMBDA = r"""
import json, os, random, sys
sys.path[:0] = [sys.argv[1], sys.argv[2]]
os.chdir(sys.argv[1])
import handler
import snapshot_restore_py as hooks
registered = [len(hooks.get_before_snapshot()), len(hooks.get_after_restore())]
for func, args, kwargs in reversed(hooks.get_before_snapshot()):
    func(*args, **kwargs)
snapshot = random.getstate()
for func, args, kwargs in hooks.get_after_restore():
    func(*args, **kwargs)

class Context:
    function_name = "rt-flask-dev"; aws_request_id = "r"; memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:rt-flask-dev"
    def get_remaining_time_in_millis(self): return 30000

response = handler.lambda_handler(json.loads(sys.stdin.read()), Context())
print(json.dumps({"registered": registered, "reseeded": random.getstate() != snapshot,
                  "status": response["statusCode"]}))
"""


@pytest.fixture(scope="module")
def package(tmp_path_factory) -> Path:
    return build_package("flask", tmp_path_factory.mktemp("snapstart"))


def run_lambda(package: Path, initialization: str) -> dict:
    provided = str(Path(snapshot_restore_py.__file__).parent)  # as /var/runtime on Lambda
    env = {"AWS_LAMBDA_FUNCTION_NAME": "rt-flask-dev", "AWS_LAMBDA_INITIALIZATION_TYPE": initialization,
           "LAMBDA_TASK_ROOT": str(package), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
    event = load_event("apiGatewayProxyEvent.json")
    event.update(path="/", httpMethod="GET")
    done = subprocess.run([sys.executable, "-I", "-c", LAMBDA, str(package), provided], input=json.dumps(event),
                          env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_snapstart_init_registers_hooks_and_a_restored_copy_is_reseeded(package):
    answer = run_lambda(package, "snap-start")
    assert answer == {"registered": [1, 1], "reseeded": True, "status": 200}


def test_an_ordinary_cold_start_registers_nothing(package):
    answer = run_lambda(package, "on-demand")
    assert answer["registered"] == [0, 0] and answer["status"] == 200


class Recorder:
    def __init__(self) -> None:
        self.calls: list[str] = []

    @hookimpl
    def zappa_runtime_before_snapshot(self, runtime):
        self.calls.append(f"before {runtime.settings['stage']}")

    @hookimpl
    def zappa_runtime_after_restore(self, runtime):
        self.calls.append(f"after {runtime.settings['stage']}")


def test_plugins_close_before_the_snapshot_and_reconnect_after_restore():
    pm: pluggy.PluginManager = make_plugin_manager()
    recorder = Recorder()
    pm.register(recorder)
    runtime = Runtime({"stage": "dev"}, plugin_manager=pm)
    snapstart.before_snapshot(runtime)
    snapstart.after_restore(runtime)
    assert recorder.calls == ["before dev", "after dev"]


DJANGO = r"""
import sys
import django
from django.conf import settings

settings.configure(DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": sys.argv[1]}})
django.setup()
from django.db import connection
from zappa_runtime import snapstart
from zappa_runtime.runtime import Runtime, make_plugin_manager

connection.ensure_connection()
opened = connection.connection is not None
snapstart.before_snapshot(Runtime({}, plugin_manager=make_plugin_manager()))
print(opened, connection.connection is None)
"""


def test_django_connections_are_closed_before_the_snapshot(tmp_path):
    # in a process of its own: Django's settings are configured once per process
    done = subprocess.run([sys.executable, "-c", DJANGO, str(tmp_path / "db.sqlite3")], capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split() == ["True", "True"]
