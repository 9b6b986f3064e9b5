"""``slim_handler`` end to end on the local AWS, through the CLI: a Flask app and a Django project deploy,
answer HTTP from the project unpacked into the worker's ``/tmp``, update, roll back to the old code and
undeploy without leaving an archive (and without touching anything else in the bucket)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from big_projects import BUCKET, OTHERS_OBJECT, get, make_project, stage_objects, zappa

pytestmark = [pytest.mark.e2e, pytest.mark.needs_plugins, pytest.mark.usefixtures("shared_cache")]


@pytest.mark.parametrize("framework", ["flask", pytest.param("django", marks=pytest.mark.slow)])
def test_slim_handler_deploy_update_rollback_undeploy(framework, local_for_cli, tmp_path, capsys, monkeypatch):
    project = make_project(tmp_path / framework, framework, slim_handler=True)
    fn = project.function_name

    def cli(*args: str, code: int = 0):
        return zappa(capsys, monkeypatch, project, *args, code=code)

    deployed = cli("deploy", "dev", "--json").json()
    assert deployed["uploaded"] and any(c["step"] == "core:project-archive" and c["action"] == "create"
                                        for c in deployed["changes"])
    status = cli("status", "dev", "--json").json()
    archive = status["project_archive"]
    assert re.fullmatch(rf"s3://{BUCKET}/{fn}/[0-9a-f]{{64}}\.tar\.gz", archive["url"]) and archive["present"]
    url = status["url"]

    first, again = get(url), get(url)
    assert first["version"] == "1"
    if framework == "flask":  # a data file read by a relative path, as before slim_handler (Zappa issue 702)
        assert first["data"] == "from the project"
    else:  # management commands run in the function, with the project from the archive (Zappa issue 1462)
        assert "System check identified no issues" in cli("manage", "dev", "check").out
    # the project comes from the archive, unpacked into the worker's own /tmp, once per worker
    app_file = Path(first["file"])
    assert app_file.as_posix().endswith(f"{project.settings['dev']['project_name']}/{project.app_file}")
    assert "tmp" in app_file.parts and again["pid"] == first["pid"]
    logs = cli("tail", "dev", "--disable-keep-open", "--since", "1h").out
    assert logs.count(f"project archive {archive['url']}") == 1

    project.write("2")
    updated = cli("update", "dev", "--json").json()
    assert {c["step"] for c in updated["changes"]} >= {"core:project-archive", "core:code", "core:function"}
    assert get(url)["version"] == "2"
    v2_archive = cli("status", "dev", "--json").json()["project_archive"]["url"]
    assert v2_archive != archive["url"]

    # nothing changed: no upload, no new version
    plan = cli("plan", "dev", "--json").json()
    [step] = [c for c in plan["changes"] if c["step"] == "core:project-archive"]
    assert step["action"] == "unchanged" and "already uploaded" in step["details"][0]
    unchanged = cli("update", "dev", "--json").json()
    assert not unchanged["uploaded"] and unchanged["changes"] == []

    # rollback -n 1: version 1's package, which loads version 1's archive, answers again
    cli("rollback", "dev", "-n", "1")
    assert get(url)["version"] == "1"
    assert cli("status", "dev", "--json").json()["project_archive"]["url"] == archive["url"]

    objects = stage_objects(local_for_cli)
    assert {archive["url"].split("/", 3)[3], v2_archive.split("/", 3)[3]} <= set(objects)
    removed = cli("undeploy", "dev", "--yes", "--json").json()["removed"]
    assert any("project archive(s)" in " ".join(c["details"]) for c in removed if c["step"] == "core:code")
    assert stage_objects(local_for_cli) == [k for k in objects if not k.startswith(f"{fn}/")]
    assert OTHERS_OBJECT in stage_objects(local_for_cli)
