"""The one seam into moto: fails loudly when a moto upgrade moves it."""

from __future__ import annotations

import inspect

import moto
import pytest
from moto.awslambda import models
from zappa_core.local import moto_gaps, moto_seam


def test_moto_is_a_supported_version():
    from packaging.specifiers import SpecifierSet
    from zappa_core.commands.local import supported_moto

    assert supported_moto() == ">=5.2.5,<5.3"
    assert moto.__version__ in SpecifierSet(supported_moto()), (
        f"moto {moto.__version__} is installed but the local AWS supports {supported_moto()}: re-read "
        "moto.awslambda.models.LambdaFunction._invoke_lambda, update moto_seam.py and the local extra's range")


def test_invoke_lambda_has_the_contract_the_executor_replaces():
    method = getattr(models.LambdaFunction, moto_seam.HOOK_METHOD)
    if method is moto_seam._invoke_lambda:
        method = moto_seam._original
    params = list(inspect.signature(method).parameters)
    assert params == ["self", "event"], params
    assert "tuple[str, bool, str]" in str(inspect.signature(method).return_annotation)
    # Every invocation path funnels into it: LambdaFunction.invoke calls it, the event sources call invoke.
    assert "self._invoke_lambda(event=body)" in inspect.getsource(models.LambdaFunction.invoke)
    backend_source = inspect.getsource(models.LambdaBackend)
    for path in ("send_sqs_batch", "send_sns_message", "send_dynamodb_items", "send_kinesis_message"):
        assert f"def {path}" in backend_source, path


def _unwrapped(cls, name, key):
    method = getattr(cls, name)
    return moto_gaps._originals.get(key, method) if moto_gaps._originals else method


def test_sns_delivery_seam_is_where_the_executor_expects_it():
    from moto.sns import models as sns_models

    publish = _unwrapped(sns_models.Subscription, "publish", "publish")
    assert list(inspect.signature(publish).parameters)[:5] == [
        "self", "message", "message_id", "subject", "message_attributes"]
    # moto delivers to a Lambda subscription through LambdaBackend.send_sns_message, inside publish.
    assert f".{moto_gaps.SNS_DELIVERY_METHOD}(" in inspect.getsource(publish)
    delivery = _unwrapped(models.LambdaBackend, moto_gaps.SNS_DELIVERY_METHOD, moto_gaps.SNS_DELIVERY_METHOD)
    assert list(inspect.signature(delivery).parameters) == ["self", "function_name", "message", "subject", "qualifier"]
    source = inspect.getsource(delivery)
    assert "get_function_by_name_or_arn_with_qualifier" in source and ".invoke(json.dumps(event), {}, {})" in source
    subscription_source = inspect.getsource(sns_models.Subscription)
    assert "self.arn = " in subscription_source and "def topic_arn" in subscription_source


def test_invoke_response_seam_still_reads_the_lowercase_qualifier():
    from moto.awslambda import responses

    invoke = _unwrapped(responses.LambdaResponse, "invoke", "invoke")
    source = inspect.getsource(invoke)
    # If moto starts reading "Qualifier" itself, the wrapper is no longer needed: drop it.
    assert 'self._get_param("qualifier")' in source and "self.backend.invoke(" in source
    assert 'unquote(self.path.rsplit("/", 2)[-2])' in source


@pytest.mark.usefixtures("aws_credentials")
def test_function_attributes_the_executor_reads_exist():
    from local_zip import make_zip
    from moto import mock_aws

    with mock_aws():
        import boto3

        iam = boto3.client("iam", region_name="us-east-1")
        role = iam.create_role(RoleName="r", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        lam = boto3.client("lambda", region_name="us-east-1")
        lam.create_function(FunctionName="f", Runtime="python3.11", Role=role, Handler="app.handler",
                            Code={"ZipFile": make_zip({"app.py": "def handler(e, c):\n    return 1\n"})},
                            Environment={"Variables": {"A": "b"}})
        fn = models.lambda_backends["123456789012"]["us-east-1"].get_function("f")
        spec = moto_seam.spec_from_moto(fn)
        assert spec.code.startswith(b"PK") and spec.code_sha256
        assert (spec.name, spec.version, spec.handler, spec.runtime) == ("f", "$LATEST", "app.handler", "python3.11")
        assert spec.environment == {"A": "b"} and spec.timeout == 3 and spec.memory_size == 128
        assert fn.logs_group_name == "/aws/lambda/f"
        for name in ("ensure_log_group", "create_log_stream", "put_log_events"):
            assert callable(getattr(fn.logs_backend, name)), name
        assert callable(models.LambdaBackend.layers_versions_by_arn)


def test_install_is_idempotent_and_uninstall_restores_moto():
    from moto.awslambda import responses
    from moto.sns import models as sns_models

    if moto_seam.installed() is not None:
        moto_seam.uninstall()  # another module of this process left it installed
    original = models.LambdaFunction._invoke_lambda
    originals = (sns_models.Subscription.publish, models.LambdaBackend.send_sns_message,
                 responses.LambdaResponse.invoke)
    try:
        first = moto_seam.install(aws_endpoint="http://127.0.0.1:1")
        second = moto_seam.install(aws_endpoint="http://127.0.0.1:2")
        assert first is second and second.aws_endpoint == "http://127.0.0.1:2"
        assert models.LambdaFunction._invoke_lambda is moto_seam._invoke_lambda
        assert sns_models.Subscription.publish is moto_gaps._subscription_publish
        assert models.LambdaBackend.send_sns_message is moto_gaps._send_sns_message
        assert responses.LambdaResponse.invoke is moto_gaps._invoke_response
    finally:
        moto_seam.uninstall()
    assert models.LambdaFunction._invoke_lambda is original
    assert (sns_models.Subscription.publish, models.LambdaBackend.send_sns_message,
            responses.LambdaResponse.invoke) == originals
    assert moto_seam.installed() is None


def test_lambda_model_seams_are_where_the_local_aws_expects_them():
    from zappa_core.local import lambda_model

    originals = lambda_model._originals
    publish = originals.get("publish_version", models.LambdaStorage.publish_version)
    source = inspect.getsource(publish)
    # moto still numbers versions by count (if it starts counting up forever, the seam can go)
    assert "new_version = len(all_versions) + 1" in source and "code_or_config_updated" in source
    assert list(inspect.signature(publish).parameters) == ["self", "name_or_arn", "description"]
    get_configuration = originals.get("get_configuration", models.LambdaFunction.get_configuration)
    config_source = inspect.getsource(get_configuration)
    for key in ("DeadLetterConfig", "FileSystemConfigs"):  # still dropped by moto
        assert f'"{key}"' not in config_source, key
    assert '"SnapStart": {"ApplyOn": "None"' in config_source
    init = originals.get("__init__", models.LambdaFunction.__init__)
    assert list(inspect.signature(init).parameters)[:3] == ["self", "account_id", "spec"]
    update = originals.get("update_configuration", models.LambdaFunction.update_configuration)
    assert list(inspect.signature(update).parameters) == ["self", "config_updates"]
    assert '"KMSKeyArn"' not in inspect.getsource(update)  # kept at create, dropped on update
    assert "routing_config" in inspect.signature(models.LambdaAlias.__init__).parameters


def test_cloudfront_seams_are_where_the_local_aws_expects_them():
    """moto still lacks PublishFunction and drops function associations (if it gains them, the seam can go)."""
    from moto.cloudfront import models as cf_models
    from moto.cloudfront import responses as cf_responses
    from moto.cloudfront import urls as cf_urls
    from zappa_core.local import cloudfront_gaps

    if not cloudfront_gaps._originals:
        assert not hasattr(cf_responses.CloudFrontResponse, "publish_function")
        assert not any(path.endswith("/publish$") for path in cf_urls.url_paths)
    init = cloudfront_gaps._originals.get("behaviour_init", cf_models.DefaultCacheBehaviour.__init__)
    assert 'self.function_associations = {"Quantity": 0}' in inspect.getsource(init)
    assert list(inspect.signature(cf_models.CloudFrontFunction.__init__).parameters)[:4] == ["self", "account_id", "region_name", "name"]


@pytest.mark.slow
def test_local_start_refuses_a_moto_outside_the_supported_range(tmp_path):
    """A real older moto (5.1.22, from the package index) first on the path: refused before anything starts."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    older = tmp_path / "older"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(older),
                    "moto==5.1.22"], check=True, capture_output=True, timeout=300)
    project = tmp_path / "project"
    project.mkdir()
    env = dict(os.environ, PYTHONPATH=str(older), ZAPPA_CACHE_DIR=str(tmp_path / "cache"))
    result = subprocess.run([str(Path(sys.executable).parent / "zappa"), "local", "start"], cwd=project, env=env,
                            capture_output=True, text=True, check=False, timeout=120)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "Error: moto 5.1.22 is installed; the local AWS supports moto >=5.2.5,<5.3",
        '  hint: pip install "moto[server]>=5.2.5,<5.3" (or pip install "zappa-ng[local]")']
    assert not (project / ".zappa").exists()


def test_policy_seam_where_the_local_aws_refuses_a_statement_id_twice():
    from moto.awslambda.policy import Policy
    from zappa_core.local import conflicts

    add = conflicts._add_statement or Policy.add_statement
    assert list(inspect.signature(add).parameters) == ["self", "raw", "qualifier"]
    source = inspect.getsource(add)
    # moto appends the decoded statement (its id under "Sid") to self.statements: the seam reads both
    assert "self.statements.append(" in source and "self.decode_policy" in source
    assert '"StatementId", "Sid"' in inspect.getsource(Policy.decode_policy)
