"""``slim_handler`` archives in the code bucket, through the real CLI and in-process moto (the core's plugins
only): what is uploaded, kept, pruned and refused. Serving requests from them is tested on the local AWS
(``tests/core/local/test_local_slim_handler.py``)."""

from __future__ import annotations

import json
import zipfile

import pytest

pytestmark = pytest.mark.usefixtures("core_only")

BUCKET = "demo-code-bucket"


def objects(aws) -> list[str]:
    return sorted(o["Key"] for o in aws("s3").list_objects_v2(Bucket=BUCKET).get("Contents", []))


def manifest_of(aws, key: str, tmp_path) -> dict:
    path = tmp_path / "package.zip"
    path.write_bytes(aws("s3").get_object(Bucket=BUCKET, Key=key)["Body"].read())
    with zipfile.ZipFile(path) as archive:
        return json.loads(archive.read("zappa_manifest.json"))["settings"]


def test_an_unchanged_archive_is_not_uploaded_again(project, zappa, aws, aws_calls):
    project.set(slim_handler=True)
    assert zappa("deploy", "dev").code == 0
    [archive] = [k for k in objects(aws) if k.endswith(".tar.gz")]
    # a setting baked into the manifest changes the function zip, not the project archive
    project.set(environment_variables={"MODE": "two"})
    aws_calls.calls.clear()
    result = zappa("update", "dev", "--json")
    assert result.code == 0, result
    steps = {c["step"] for c in result.json()["changes"]}
    assert "core:code" in steps and "core:project-archive" not in steps
    assert len(aws_calls.named("PutObject")) + len(aws_calls.named("CreateMultipartUpload")) == 1
    assert [k for k in objects(aws) if k.endswith(".tar.gz")] == [archive]


def test_pruned_versions_take_their_archives_and_kept_ones_keep_theirs(project, zappa, aws, tmp_path):
    project.set(slim_handler=True, num_retained_versions=1)
    assert zappa("deploy", "dev").code == 0
    project.write_app("2")
    assert zappa("update", "dev").code == 0
    keys = objects(aws)
    [package] = [k for k in keys if k.endswith(".zip")]
    [archive] = [k for k in keys if k.endswith(".tar.gz")]
    # the package left is the live version's, and it loads the archive left
    settings = manifest_of(aws, package, tmp_path)
    assert settings["slim_archive"] == f"s3://{BUCKET}/{archive}"
    head = aws("s3").head_object(Bucket=BUCKET, Key=package)
    assert head["Metadata"]["project-archive"] == settings["slim_archive_sha256"]


def test_a_project_larger_than_ephemeral_storage_is_refused_before_any_upload(project, zappa, aws):
    project.set(slim_handler=True)  # ephemeral_storage: 512 MiB, Lambda's default /tmp
    with open(project.root / "data.bin", "wb") as big:
        big.truncate(513 * 1024 * 1024)  # sparse: the size is checked before any byte is read
    result = zappa("deploy", "dev")
    assert result.code == 2, result
    assert "slim_handler: the project unpacks to 514 MiB, more than /tmp holds (ephemeral_storage: 512 MiB)" in result.err
    assert '"ephemeral_storage": {"Size": 642}' in result.err
    assert BUCKET not in [b["Name"] for b in aws("s3").list_buckets()["Buckets"]]
    assert aws("lambda").list_functions()["Functions"] == []


def test_a_prebuilt_slim_package_brings_its_archive_along(project, zappa, aws, tmp_path):
    project.set(slim_handler=True)
    assert zappa("package", "dev", "-o", str(tmp_path / "build" / "app.zip")).code == 0
    archive = tmp_path / "build" / "app_project.tar.gz"
    assert archive.is_file()
    result = zappa("deploy", "dev", "-z", str(tmp_path / "build" / "app.zip"), "--json")
    assert result.code == 0, result
    keys = objects(aws)
    [uploaded] = [k for k in keys if k.endswith(".tar.gz")]
    [package] = [k for k in keys if k.endswith(".zip")]
    assert manifest_of(aws, package, tmp_path)["slim_archive"] == f"s3://{BUCKET}/{uploaded}"


def test_a_prebuilt_slim_package_without_its_archive_is_refused(project, zappa, aws, tmp_path):
    project.set(slim_handler=True)
    assert zappa("package", "dev", "-o", str(tmp_path / "build" / "app.zip")).code == 0
    (tmp_path / "build" / "app_project.tar.gz").unlink()
    result = zappa("deploy", "dev", "-z", str(tmp_path / "build" / "app.zip"))
    assert result.code == 2 and "app_project.tar.gz is missing" in result.err
    assert aws("lambda").list_functions()["Functions"] == []
