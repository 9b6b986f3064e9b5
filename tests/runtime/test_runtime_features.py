"""The cold-start settings through one real package (`apps/features`), served by a ``python -I`` worker.

The stage uses ``slim_handler`` (the project comes from S3 at cold start), ``remote_env``, ``include`` (a shared
library compiled here with gcc), ``settings_file``, ``base_path``, ``context_header_mappings``,
``binary_support: false``, ``log_level: WARNING``, ``debug: false`` and ``exception_handler``. S3 is a moto server
on 127.0.0.1 that the package reaches through ``aws_endpoint_urls``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import boto3
import events_factory as ev
import pytest
from rtharness import APPS, LambdaError, Worker

BUCKET = "rt-features-bucket"
REMOTE_ENV = {"REMOTE_SECRET": "s3cr3t", "OVERRIDDEN": "from remote_env", "NUMBER": 7}


def stage_settings(endpoint: str) -> dict:
    return {
        "app_function": "app.app",
        "project_name": "rt-features",
        "s3_bucket": BUCKET,
        "aws_region": "us-east-1",
        "aws_endpoint_urls": {"s3": endpoint},
        "slim_handler": True,
        "remote_env": f"s3://{BUCKET}/env/dev.json",
        "environment_variables": {"OVERRIDDEN": "from environment_variables"},
        "include": ["libnative.so"],
        "settings_file": "runtime_settings.py",
        "base_path": "api",
        "context_header_mappings": {"X-Request-Id": "requestId", "Api_Stage": "stage",
                                    "X-User-Sub": "authorizer.claims.sub"},
        "binary_support": False,
        "log_level": "WARNING",
        "debug": False,
        "exception_handler": "hooks.on_error",
    }


@pytest.fixture(scope="module")
def moto_s3():
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{server.get_host_and_port()[1]}"
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                          aws_access_key_id="testing", aws_secret_access_key="testing")
    client.create_bucket(Bucket=BUCKET)
    client.put_object(Bucket=BUCKET, Key="env/dev.json", Body=json.dumps(REMOTE_ENV).encode())
    yield endpoint, client
    server.stop()


@pytest.fixture(scope="module")
def features(moto_s3, tmp_path_factory):
    """Build the package (``zappa package``), upload its project archive, start a worker on it."""
    endpoint, client = moto_s3
    workdir = tmp_path_factory.mktemp("lambda-features")
    project = workdir / "project"
    shutil.copytree(APPS / "features", project)
    (project / "requirements.txt").write_text("")
    (project / "zappa_settings.json").write_text(json.dumps({"dev": stage_settings(endpoint)}))
    subprocess.run(["gcc", "-shared", "-fPIC", "-o", str(project / "libnative.so"), str(project / "native.c")],
                   check=True, timeout=60)
    archive = workdir / "package.zip"
    done = subprocess.run([sys.executable, "-m", "zappa_core", "package", "dev", "-o", str(archive)],
                          cwd=project, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, f"zappa package failed:\n{done.stdout}\n{done.stderr}"
    folder = workdir / "package"
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(folder)
    manifest = json.loads((folder / "zappa_manifest.json").read_text())
    bucket, key = manifest["settings"]["slim_archive"][5:].split("/", 1)
    client.upload_file(str(workdir / "package_project.tar.gz"), bucket, key)
    # deploy puts environment_variables into the function's configuration (the manifest names them only)
    assert manifest["settings"]["function_environment"] == ["OVERRIDDEN"]
    worker = Worker(folder, "features", workdir, environment=stage_settings(endpoint)["environment_variables"])
    yield worker
    worker.close()


def echo(response: dict) -> dict:
    assert response["statusCode"] == 200, response
    return json.loads(response["body"])


def test_the_project_comes_from_the_slim_archive_not_the_zip(features):
    assert not (features.folder / "app.py").exists()
    got = echo(features.invoke(ev.rest("GET", "/api/echo", host="api.example.com")))
    slim_folder = features.folder.parent / "rt-features"
    assert Path(got["app_file"]).parent == slim_folder
    assert (slim_folder / "app.py").is_file()


def test_remote_env_is_loaded_before_environment_variables(features):
    got = echo(features.invoke(ev.rest("GET", "/api/echo", host="api.example.com")))
    assert (got["remote_secret"], got["overridden"]) == ("s3cr3t", "from environment_variables")
    assert features.invoke({"raw_command": "import os\nprint(repr(os.environ['NUMBER']))"}) == "'7'\n"


def test_include_loads_the_shared_library_into_the_process(features):
    source = ("import ctypes, os\n"
              "paths = {line.split()[-1] for line in open('/proc/self/maps') if line.rstrip().endswith('.so')}\n"
              "mine = [p for p in paths if p.endswith('/libnative.so')]\n"
              "print(len(mine))\n"
              "print(ctypes.CDLL(mine[0], mode=os.RTLD_NOLOAD).native_answer())")  # NOLOAD: only if already loaded
    assert features.invoke({"raw_command": source}) == "1\n42\n"


def test_settings_file_runs_before_the_app_as_a_module_named_after_it(features):
    got = echo(features.invoke(ev.v2("GET", "/api/echo")))
    assert (got["settings_file_ran"], got["settings_module"]) == ("yes", "runtime_settings")


@pytest.mark.parametrize(
    "event",
    [ev.rest("GET", "/api/echo/x", host="api.example.com"), ev.v2("GET", "/api/echo/x"),
     ev.alb("GET", "/api/echo/x"), ev.url("GET", "/api/echo/x")],
    ids=["rest", "http", "alb", "url"],
)
def test_base_path_moves_into_script_name(features, event):
    got = echo(features.invoke(event))
    assert (got["root"], got["path"]) == ("/api", "/echo/x")


def test_base_path_only_on_a_segment_boundary(features):
    got = echo(features.invoke(ev.v2("GET", "/apis/echo")))
    assert (got["root"], got["path"]) == ("", "/apis/echo")
    exact = features.invoke(ev.v2("GET", "/api"))
    assert (echo(exact)["root"], echo(exact)["path"]) == ("/api", "")


def test_context_header_mappings_come_from_the_request_context_never_the_client(features):
    event = ev.rest("GET", "/api/echo", host="api.example.com", stage="live",
                    headers={"X-Request-Id": "spoofed", "X-User-Sub": "admin"})
    event["requestContext"]["authorizer"] = {"claims": {"sub": "user-7"}}
    got = echo(features.invoke(event))
    assert (got["request_id"], got["api_stage"], got["user_sub"]) == ("req-1", "live", "user-7")
    # the mapped value is missing from this request: the client's header of that name must not get through
    del event["requestContext"]["authorizer"]
    got = echo(features.invoke(event))
    assert (got["request_id"], got["user_sub"]) == ("req-1", None)


@pytest.mark.parametrize("build", [ev.rest, ev.v2, ev.alb], ids=["rest", "http", "alb"])
def test_without_binary_support_text_bodies_are_not_base64(features, build):
    png = features.invoke(build("GET", "/api/png-text"))
    assert (png["body"], png["isBase64Encoded"]) == ("PNG-AS-TEXT", False)
    # bytes that are not UTF-8 cannot travel as JSON text: still base64, and flagged
    raw = features.invoke(build("GET", "/api/binary"))
    assert raw["isBase64Encoded"] is True


def test_debug_off_hides_the_traceback_and_the_exception_handler_sees_the_error(features):
    response = features.invoke(ev.v2("GET", "/api/boom"))
    assert response["statusCode"] == 500
    assert json.loads(response["body"]) == {
        "message": "An uncaught exception happened while servicing this request. "
        "You can investigate this with the `zappa tail` command."
    }
    assert features.invoke({"command": "hooks.errors_seen"})[-1] == "RuntimeError: boom"


def test_exception_handler_decides_whether_a_failed_event_is_retried(features):
    with pytest.raises(LambdaError) as raised:
        features.invoke({"command": "hooks.fail"})
    assert (raised.value.name, raised.value.message) == ("ValueError", "command failed")
    assert features.invoke({"command": "hooks.fail", "swallow": True}) is None
    with pytest.raises(LambdaError) as unknown:  # nobody recognises it, and the handler does not swallow it
        features.invoke({"unknown": 1})
    assert unknown.value.name == "UnhandledEventError"
    assert features.invoke({"unknown": 1, "swallow": True}) is None
    assert features.invoke({"command": "hooks.errors_seen"})[-4:] == [
        "ValueError: command failed", "ValueError: command failed",
        "UnhandledEventError: no runtime plugin recognises this event (top-level keys: unknown)",
        "UnhandledEventError: no runtime plugin recognises this event (top-level keys: swallow, unknown)",
    ]


def test_log_level_warning_drops_info_lines_and_access_lines(features):
    features.invoke(ev.rest("GET", "/api/echo", host="api.example.com"))
    features.invoke({"command": "hooks.log_each_level"})
    logs = features.logs()
    assert "features-warning-line" in logs and "features-error-line" in logs
    assert "features-info-line" not in logs and "features-debug-line" not in logs
    assert '"GET /api/echo HTTP/1.1"' not in logs  # the access line is INFO
    assert "Result of hooks.log_each_level" not in logs
