"""``dependencies_layer`` end to end on the local AWS, through the CLI: the dependencies are published once as a
layer version, attached (before the user's own ``layers``) and really mounted by the executor as ``/opt/python``;
an app-only change uploads the small function zip and no layer; a change of dependencies publishes a new layer
version; versions that no retained function version uses are deleted, and undeploy deletes the rest."""

from __future__ import annotations

import io
import zipfile

import pytest
from big_projects import OTHERS_OBJECT, get, make_project, stage_objects, zappa

pytestmark = [pytest.mark.e2e, pytest.mark.needs_plugins, pytest.mark.usefixtures("shared_cache")]


def layer_versions(local, name: str) -> list[int]:
    return sorted(v["Version"] for v in local.state.aws.client("lambda").list_layer_versions(LayerName=name)["LayerVersions"])


@pytest.mark.parametrize("framework", ["flask", pytest.param("django", marks=pytest.mark.slow)])
def test_dependencies_layer_deploy_app_change_rollback_undeploy(framework, local_for_cli, tmp_path, capsys, monkeypatch):
    project = make_project(tmp_path / framework, framework, dependencies_layer=True)
    fn = project.function_name
    lam = local_for_cli.state.aws.client("lambda")

    def cli(*args: str, code: int = 0):
        return zappa(capsys, monkeypatch, project, *args, code=code)

    deployed = cli("deploy", "dev", "--json").json()
    assert deployed["layer_published"]
    status = cli("status", "dev", "--json").json()
    layer = status["dependencies_layer"]
    assert layer == f"arn:aws:lambda:us-east-1:123456789012:layer:{fn}-dependencies:1"
    assert status["layers"] == [layer]
    # the layer holds the framework under python/ (Lambda's /opt/python); the function zip does not
    content = lam.get_layer_version(LayerName=f"{fn}-dependencies", VersionNumber=1)
    assert content["CompatibleRuntimes"] == ["python3.11"] and content["CompatibleArchitectures"] == ["x86_64"]
    assert status["code_size"] < 400_000  # the app, the runtime and its bytecode

    first = get(status["url"])
    assert first["version"] == "1"

    project.write("2")
    updated = cli("update", "dev", "--json").json()
    assert not updated["layer_published"] and 0 < updated["bytes_uploaded"] < 400_000
    assert "core:dependencies-layer" not in {c["step"] for c in updated["changes"]}
    assert get(status["url"])["version"] == "2"
    assert layer_versions(local_for_cli, f"{fn}-dependencies") == [1]

    if framework == "flask":  # a rollback is one more cold start: the Flask app shows it
        cli("rollback", "dev", "-n", "1")
        assert get(status["url"])["version"] == "1"

    cli("undeploy", "dev", "--yes")
    assert lam.list_layer_versions(LayerName=f"{fn}-dependencies")["LayerVersions"] == []
    assert stage_objects(local_for_cli) == [OTHERS_OBJECT]


def test_a_dependency_change_publishes_a_layer_version_and_unused_ones_go(local_for_cli, tmp_path, capsys, monkeypatch):
    lam = local_for_cli.state.aws.client("lambda")
    own = lam.publish_layer_version(LayerName="my-own-tools", Content={"ZipFile": _layer_zip("mytools.py", "NAME = 'mine'\n")})
    project = make_project(tmp_path / "flask", "flask", dependencies_layer=True, num_retained_versions=2,
                           project_name="layer-change", layers=[own["LayerVersionArn"]])
    name = f"{project.function_name}-dependencies"

    def cli(*args: str):
        return zappa(capsys, monkeypatch, project, *args)

    def write(version: str) -> None:  # the app also imports a module of the user's own layer
        project.write(version)
        (project.root / "app.py").write_text((project.root / "app.py").read_text().replace(
            '"data": data.read().strip()}', '"data": data.read().strip(), "tools": __import__("mytools").NAME}'))

    write("1")
    cli("deploy", "dev")
    status = cli("status", "dev", "--json").json()
    # the dependencies first, then the user's own layer: both mounted
    assert status["layers"] == [f"arn:aws:lambda:us-east-1:123456789012:layer:{name}:1", own["LayerVersionArn"]]
    answer = get(status["url"])
    assert (answer["version"], answer["tools"], answer["data"]) == ("1", "mine", "from the project")

    plan = cli("plan", "dev", "--json").json()
    [step] = [c for c in plan["changes"] if c["step"] == "core:dependencies-layer"]
    assert step["action"] == "unchanged" and "version 1 holds these dependencies" in step["details"][0]

    (project.root / "requirements.txt").write_text("flask\nidna\n")
    plan = cli("plan", "dev", "--json").json()
    [step] = [c for c in plan["changes"] if c["step"] == "core:dependencies-layer"]
    assert step["action"] == "create" and "publish a layer version" in step["details"][0]
    [function] = [c for c in plan["changes"] if c["step"] == "core:function"]
    assert any(d.startswith("layers: ") and f"{name}:(next)" in d for d in function["details"])
    assert cli("update", "dev", "--json").json()["layer_published"]
    assert cli("status", "dev", "--json").json()["dependencies_layer"].endswith(f":{name}:2")
    assert layer_versions(local_for_cli, name) == [1, 2]  # function version 1 (retained) still runs layer version 1

    write("3")
    cli("update", "dev")  # function versions 2 and 3 are kept: both run layer version 2
    assert layer_versions(local_for_cli, name) == [2]
    assert get(status["url"])["version"] == "3"

    cli("undeploy", "dev", "--yes")
    assert layer_versions(local_for_cli, name) == []
    assert layer_versions(local_for_cli, "my-own-tools") == [own["Version"]]  # not the stage's


def _layer_zip(name: str, text: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(f"python/{name}", text)
    return out.getvalue()


def test_dependencies_layer_with_too_many_layers_is_a_usage_error(local_for_cli, tmp_path, capsys, monkeypatch):
    arns = [f"arn:aws:lambda:us-east-1:123456789012:layer:tool{i}:1" for i in range(5)]
    project = make_project(tmp_path / "flask", "flask", dependencies_layer=True, layers=arns, project_name="five")
    failed = zappa(capsys, monkeypatch, project, "deploy", "dev", code=2)
    assert "dependencies_layer needs one of Lambda's 5 layers per function, and 'layers' already lists 5" in failed.err
    names = {f["FunctionName"] for f in local_for_cli.state.aws.client("lambda").list_functions()["Functions"]}
    assert project.function_name not in names
