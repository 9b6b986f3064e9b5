"""Container-image functions (``deploy -d``, ``update -d``) through the real CLI and in-process moto, the core's
plugins only: the function is created from the image with the settings that apply to images, read back from
moto; update moves it to another image; the settings that cannot work with an image, a zip stage, and the local
AWS (which runs zip packages only) are refused with exit 2 before anything changes."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.usefixtures("core_only")

IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/demo:1"
IMAGE_2 = "123456789012.dkr.ecr.us-east-1.amazonaws.com/demo:2"


def test_image_deploy_update_status_undeploy(project, zappa, aws):
    project.set(memory_size=2048, timeout_seconds=120, aws_environment_variables={"MODE": "image"},
                ephemeral_storage={"Size": 1024}, architecture="arm64", tags={"team": "data"})
    planned = zappa("plan", "dev", "-d", IMAGE)
    assert planned.code == 0, planned
    assert f"container image {IMAGE}, 2048 MB, timeout 120s, arm64" in planned.out
    assert "core:code" in planned.out and "nothing to upload" in planned.out
    result = zappa("deploy", "dev", "-d", IMAGE, "--json")
    assert result.code == 0, result
    assert result.json()["uploaded"] is False  # nothing to upload: the image is in ECR

    fn = aws("lambda").get_function(FunctionName="demo-dev")
    conf = fn["Configuration"]
    assert conf["PackageType"] == "Image" and fn["Code"]["ImageUri"] == IMAGE
    assert (conf["MemorySize"], conf["Timeout"], conf["EphemeralStorage"]["Size"]) == (2048, 120, 1024)
    assert conf["Architectures"] == ["arm64"] and conf["Environment"]["Variables"] == {"MODE": "image"}
    assert conf["Role"].endswith(":role/demo-dev-ZappaLambdaExecutionRole")
    assert not conf.get("Handler") and not conf.get("Runtime") and not conf.get("Layers")
    assert fn["Tags"]["team"] == "data" and fn["Tags"]["ZappaProject"] == "demo-dev"
    assert aws("lambda").get_alias(FunctionName="demo-dev", Name="current")["FunctionVersion"] == "1"
    assert aws("s3").list_buckets()["Buckets"] == []  # no package, so no code bucket either

    status = zappa("status", "dev", "--json").json()
    assert status["package_type"] == "Image" and status["image_uri"] == IMAGE

    same = zappa("update", "dev", "-d", IMAGE, "--json")
    assert same.code == 0 and same.json()["changes"] == []
    planned = zappa("plan", "dev")  # a zip package would replace the image: refused, as update refuses it
    assert planned.code == 2 and "runs a container image" in planned.err

    moved = zappa("update", "dev", "-d", IMAGE_2, "--json")
    assert moved.code == 0, moved
    [change] = [c for c in moved.json()["changes"] if c["step"] == "core:function"]
    assert f"image: {IMAGE} -> {IMAGE_2}" in change["details"]
    live = aws("lambda").get_function(FunctionName="demo-dev", Qualifier="current")
    assert live["Code"]["ImageUri"] == IMAGE_2 and live["Configuration"]["Version"] == "2"

    assert zappa("undeploy", "dev", "--yes").code == 0
    assert aws("lambda").list_functions()["Functions"] == []


def test_update_of_an_image_stage_without_an_image_is_refused(project, zappa, aws, aws_calls):
    assert zappa("deploy", "dev", "-d", IMAGE).code == 0
    aws_calls.calls.clear()
    result = zappa("update", "dev")
    assert result.code == 2
    assert "stage 'dev' runs a container image" in result.err and "zappa update dev -d <image URI>" in result.err
    assert aws_calls.writes() == []
    assert aws("lambda").get_function(FunctionName="demo-dev")["Code"]["ImageUri"] == IMAGE


def test_a_zip_stage_cannot_become_an_image(project, zappa, aws, aws_calls):
    assert zappa("deploy", "dev").code == 0
    aws_calls.calls.clear()
    result = zappa("update", "dev", "-d", IMAGE)
    assert result.code == 2
    assert "runs a zip package" in result.err and f"zappa deploy dev -d {IMAGE}" in result.err
    assert aws_calls.writes() == []


@pytest.mark.parametrize("settings, message", [
    ({"slim_handler": True}, "'slim_handler': the image holds the whole project"),
    ({"dependencies_layer": True}, "'dependencies_layer': Lambda attaches no layers to container images"),
    ({"layers": ["arn:aws:lambda:us-east-1:123456789012:layer:tools:1"]}, "'layers': Lambda attaches no layers"),
])
def test_settings_that_cannot_work_with_an_image_are_refused(project, zappa, aws, settings, message):
    project.set(**settings)
    result = zappa("deploy", "dev", "-d", IMAGE)
    assert result.code == 2 and message in result.err
    assert aws("lambda").list_functions()["Functions"] == []
    assert aws("s3").list_buckets()["Buckets"] == []
    saved = zappa("save-python-settings-file", "dev")
    assert saved.code == 2 and message in saved.err
    assert not (project.root / "zappa_settings.py").exists()


def test_the_local_aws_refuses_an_image_clearly(project, zappa, aws, aws_calls):
    result = zappa("deploy", "dev", "-d", IMAGE, "--local")
    assert result.code == 2
    assert "the local AWS runs zip packages only: it cannot run a container image without Docker" in result.err
    assert aws_calls.calls == []
