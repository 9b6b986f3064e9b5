"""Apps that build their own URLs work through the local gateway as they do on AWS: deployed by the CLI on
the local AWS, requested over HTTP at the URL ``zappa status --json`` gives for each front door (a REST API
stage, an HTTP API, a function URL), followed like a browser follows redirects. (A load balancer's event has
no field for the ``/<key>`` prefix of that URL: docs/local.md lists it among what differs.)"""

from __future__ import annotations

import json
import shutil
import urllib.request
from pathlib import Path

import pytest
from cli_result import run_cli

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.needs_plugins]

APPS = Path(__file__).resolve().parent / "apps"


@pytest.fixture(scope="module")
def local(tmp_path_factory):
    from zappa_core import testing

    with testing.local_aws(tmp_path_factory.mktemp("cache"), for_cli=True) as aws:
        yield aws


@pytest.fixture
def deployed(local, tmp_path, monkeypatch, capsys, shared_cache):
    """``deployed(app, door, **stage)``: the app deployed by ``zappa deploy dev --local``; the URL
    ``status --json`` lists under ``door``."""

    def deploy(app: str, door: str = "api", **stage) -> str:
        root = tmp_path / app
        shutil.copytree(APPS / app, root)
        monkeypatch.chdir(root)
        (root / ".zappa").mkdir()
        (root / ".zappa" / "local.json").write_text(json.dumps({"gateway_endpoint": local.gateway_endpoint,
                                                                "aws_endpoint": local.aws_endpoint}))
        settings = {"project_name": app.replace("_", "-"), "s3_bucket": "local-urls-code", "aws_region": "us-east-1",
                    "touch": False, "keep_warm": False, "runtime": "python3.11", **stage}
        (root / "zappa_settings.json").write_text(json.dumps({"dev": settings}))
        result = run_cli(capsys, ["deploy", "dev", "--local"])
        assert result.code == 0, result
        status = run_cli(capsys, ["status", "dev", "--local", "--json"])
        return status.json()["urls"][door]

    return deploy


# front door -> (the ``urls`` key of ``status --json`` that names its URL, the settings that put the stage behind it)
FRONT_DOORS = {
    "rest": ("api", {}),
    "http": ("api", {"apigateway_version": "v2"}),
    "function_url": ("function_url", {"apigateway_enabled": False, "function_url_enabled": True}),
}


def get(url: str) -> tuple[str, int, bytes]:
    """Follow redirects as a browser does; the final URL, status and body."""
    with urllib.request.urlopen(url, timeout=120) as response:
        return response.geturl(), response.status, response.read()


@pytest.mark.parametrize("front_door", list(FRONT_DOORS))
def test_flask_url_for_external_and_redirects_are_the_url_the_client_used(deployed, front_door):
    door, stage = FRONT_DOORS[front_door]
    api = deployed("urls_flask", door, project_name=f"urls-flask-{front_door.replace('_', '-')}", app_function="app.app",
                   **stage)
    assert api.startswith("http://127.0.0.1:")
    final, status, body = get(api + "where/here")
    assert status == 200 and final == api + "where/here"
    answer = json.loads(body)
    assert answer["external"] == api + "where/here"
    assert answer["relative"] == "/" + (api + "where/here").split("/", 3)[3]
    final, status, body = get(api + "go")  # redirects to url_for("where", name="there")
    assert (final, status) == (api + "where/there", 200)
    assert json.loads(body)["external"] == api + "where/there"


def test_django_trailing_slash_and_admin_login_redirects_land_on_working_pages(deployed):
    api = deployed("urls_django", django_settings="urlsite.settings")
    final, status, body = get(api + "hello")  # APPEND_SLASH redirects to .../hello/
    assert (final, status) == (api + "hello/", 200)
    assert json.loads(body)["url"] == api + "hello/"
    final, status, body = get(api + "admin")  # -> admin/ -> admin/login/?next=...
    assert status == 200 and final.startswith(api + "admin/login/")
    assert b'name="username"' in body and b"csrfmiddlewaretoken" in body


def test_django_with_its_own_wsgi_application_is_imported_with_its_settings_module_set(deployed):
    """Zappa's ``app_function`` beside ``django_settings``: DJANGO_SETTINGS_MODULE is set before the app's
    module is imported, and the app (which wraps Django's) serves."""
    api = deployed("urls_django", project_name="urls-django-wsgi", app_function="urlsite.wsgi.application",
                   django_settings="urlsite.settings")
    with urllib.request.urlopen(api + "hello/", timeout=120) as response:
        assert response.status == 200 and response.headers["X-Settings-Module"] == "urlsite.settings"
        assert json.loads(response.read())["url"] == api + "hello/"


def test_fastapi_docs_load_their_openapi_document_through_the_gateway(deployed):
    api = deployed("urls_fastapi", app_function="main.app")
    _, status, body = get(api + "docs")
    assert status == 200 and b"swagger" in body.lower()
    prefix = api.split("://", 1)[1].split("/", 1)[1].rstrip("/")  # <api id>/dev
    assert f"/{prefix}/openapi.json".encode() in body  # the page asks for the document under its own prefix
    _, status, document = get(api + "openapi.json")
    assert status == 200 and "/items/{item_id}" in json.loads(document)["paths"]
    assert json.loads(get(api + "items/7")[2]) == {"item_id": 7}
