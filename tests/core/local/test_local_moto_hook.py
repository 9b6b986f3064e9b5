"""The one seam into moto: fails loudly when a moto upgrade moves it."""

from __future__ import annotations

import inspect

import moto
import pytest
from moto.awslambda import models
from zappa_core.local import executor


def test_moto_is_the_pinned_version():
    assert moto.__version__ == executor.MOTO_VERSION, (
        f"moto {moto.__version__} is installed but the local executor was checked against {executor.MOTO_VERSION}: "
        "re-read moto.awslambda.models.LambdaFunction._invoke_lambda and update executor.py and this test")


def test_invoke_lambda_has_the_contract_the_executor_replaces():
    method = getattr(models.LambdaFunction, executor.HOOK_METHOD)
    if method is executor._invoke_lambda:
        method = executor._original
    params = list(inspect.signature(method).parameters)
    assert params == ["self", "event"], params
    assert "tuple[str, bool, str]" in str(inspect.signature(method).return_annotation)
    # Every invocation path funnels into it: LambdaFunction.invoke calls it, the event sources call invoke.
    assert "self._invoke_lambda(event=body)" in inspect.getsource(models.LambdaFunction.invoke)
    backend_source = inspect.getsource(models.LambdaBackend)
    for path in ("send_sqs_batch", "send_sns_message", "send_dynamodb_items", "send_kinesis_message"):
        assert f"def {path}" in backend_source, path


@pytest.mark.usefixtures("aws_credentials")
def test_function_attributes_the_executor_reads_exist():
    from conftest import make_zip
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
        spec = executor.spec_from_moto(fn)
        assert spec.code.startswith(b"PK") and spec.code_sha256
        assert (spec.name, spec.version, spec.handler, spec.runtime) == ("f", "$LATEST", "app.handler", "python3.11")
        assert spec.environment == {"A": "b"} and spec.timeout == 3 and spec.memory_size == 128
        assert fn.logs_group_name == "/aws/lambda/f"
        for name in ("ensure_log_group", "create_log_stream", "put_log_events"):
            assert callable(getattr(fn.logs_backend, name)), name
        assert callable(models.LambdaBackend.layers_versions_by_arn)


def test_install_is_idempotent_and_uninstall_restores_moto():
    original = models.LambdaFunction._invoke_lambda
    try:
        first = executor.install(aws_endpoint="http://127.0.0.1:1")
        second = executor.install(aws_endpoint="http://127.0.0.1:2")
        assert first is second and second.aws_endpoint == "http://127.0.0.1:2"
        assert models.LambdaFunction._invoke_lambda is executor._invoke_lambda
    finally:
        executor.uninstall()
    assert models.LambdaFunction._invoke_lambda is original
    assert executor.installed() is None
