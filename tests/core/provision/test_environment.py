"""``environment_variables`` and ``aws_environment_variables`` live in the function's configuration, not in
the package: deployed, changed, removed again, and variables set outside zappa left alone."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

pytestmark = pytest.mark.usefixtures("core_only")


def env_of(aws) -> dict[str, str]:
    return aws("lambda").get_function_configuration(FunctionName="demo-dev")["Environment"]["Variables"]


def manifest_of(aws) -> dict:
    s3 = aws("s3")
    key = next(o["Key"] for o in s3.list_objects_v2(Bucket="demo-code-bucket")["Contents"])
    body = s3.get_object(Bucket="demo-code-bucket", Key=key)["Body"].read()
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        return json.loads(archive.read("zappa_manifest.json"))["settings"]


def test_environment_variables_are_in_the_function_configuration_not_the_zip(project, zappa, aws):
    project.set(environment_variables={"DB_PASSWORD": "hunter2", "MODE": "app", "AWS_REGION": "eu-west-1"},
                aws_environment_variables={"MODE": "aws", "API_TOKEN": "t0ken"})
    assert zappa("deploy", "dev").code == 0
    # environment_variables win over aws_environment_variables, as Zappa's runtime let them
    assert env_of(aws) == {"DB_PASSWORD": "hunter2", "MODE": "app", "API_TOKEN": "t0ken"}
    settings = manifest_of(aws)
    assert "hunter2" not in json.dumps(settings) and "t0ken" not in json.dumps(settings)
    # a name Lambda reserves cannot be configured: the runtime sets it from the manifest, as before
    assert settings["environment_variables"] == {"AWS_REGION": "eu-west-1"}
    tags = aws("lambda").get_function(FunctionName="demo-dev")["Tags"]
    assert tags["ZappaEnvironment"] == "API_TOKEN,DB_PASSWORD,MODE"


def test_a_variable_dropped_from_the_settings_is_removed_and_one_set_by_hand_is_kept(project, zappa, aws):
    project.set(environment_variables={"KEEP": "1", "DROP": "2"})
    assert zappa("deploy", "dev").code == 0
    lam = aws("lambda")
    lam.update_function_configuration(FunctionName="demo-dev",
                                      Environment={"Variables": {**env_of(aws), "BY_HAND": "x"}})
    project.set(environment_variables={"KEEP": "changed"})
    plan = zappa("plan", "dev")
    assert "environment: KEEP changed, DROP removed" in plan.out, plan
    assert zappa("update", "dev").code == 0
    assert env_of(aws) == {"KEEP": "changed", "BY_HAND": "x"}
    assert lam.get_function(FunctionName="demo-dev")["Tags"]["ZappaEnvironment"] == "KEEP"
    assert zappa("update", "dev", "--json").json()["changes"] == []  # converged


def test_many_variables_are_named_over_several_tags_and_shrink_back(project, zappa, aws):
    many = {f"SETTING_NUMBER_{i:03d}": str(i) for i in range(40)}  # their names need about 800 characters
    project.set(environment_variables=many)
    assert zappa("deploy", "dev").code == 0
    tags = aws("lambda").get_function(FunctionName="demo-dev")["Tags"]
    chunks = sorted(k for k in tags if k.startswith("ZappaEnvironment"))
    assert chunks == ["ZappaEnvironment", "ZappaEnvironment-2", "ZappaEnvironment-3", "ZappaEnvironment-4"]
    assert all(len(tags[k]) <= 256 for k in chunks)
    assert sorted(",".join(tags[k] for k in chunks).split(",")) == sorted(many)
    project.set(environment_variables={"ONLY": "one"})
    assert zappa("update", "dev").code == 0
    tags = aws("lambda").get_function(FunctionName="demo-dev")["Tags"]
    assert sorted(k for k in tags if k.startswith("ZappaEnvironment")) == ["ZappaEnvironment"]
    assert env_of(aws) == {"ONLY": "one"}


def test_names_lambda_refuses_in_a_configuration_are_set_by_the_runtime_as_zappa_did(project, zappa, aws):
    """Zappa set environment_variables at cold start, so any name worked ('bills-bucket' is in real settings
    files); Lambda's configuration takes only [a-zA-Z][a-zA-Z0-9_]+, so those names stay in the package."""
    project.set(environment_variables={"bills-bucket": "bills", "stripe.api_key": "k", "X": "1", "MODE": "m"})
    assert zappa("deploy", "dev").code == 0
    assert env_of(aws) == {"MODE": "m"}
    assert manifest_of(aws)["environment_variables"] == {"bills-bucket": "bills", "stripe.api_key": "k", "X": "1"}


def test_aws_environment_variables_with_a_name_lambda_refuses_are_a_settings_error(project, zappa, aws):
    project.set(aws_environment_variables={"bills-bucket": "bills"})
    result = zappa("deploy", "dev")
    assert result.code == 2
    assert ("'aws_environment_variables['bills-bucket']': Lambda takes only names of letters, digits and '_' that "
            "begin with a letter (2 characters or more)") in result.err
    assert aws("lambda").list_functions()["Functions"] == []
