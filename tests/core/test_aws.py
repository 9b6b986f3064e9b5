"""The AWS client factory: endpoints for every service, profile and region, retries, local mode."""

from __future__ import annotations

import pytest
from zappa_core.aws import LOCAL_CREDENTIALS, AwsClients

SERVICES = ["lambda", "s3", "iam", "apigateway", "apigatewayv2", "cloudfront", "sts", "events", "logs", "sns",
            "sqs", "dynamodb", "kinesis", "elbv2", "acm", "route53", "cognito-idp", "cloudformation"]


@pytest.fixture
def no_aws_env(aws_credentials, tmp_path, monkeypatch):
    config = tmp_path / "config"
    config.write_text("[profile work]\nregion = eu-central-1\n")
    credentials = tmp_path / "credentials"
    credentials.write_text("[work]\naws_access_key_id = WORKKEY\naws_secret_access_key = worksecret\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))


@pytest.mark.parametrize("service", SERVICES)
def test_endpoint_urls_are_honoured_for_every_service(no_aws_env, service):
    endpoint = f"http://127.0.0.1:9/{service}"
    clients = AwsClients(region="eu-west-1", endpoint_urls={service: endpoint})
    client = clients.client(service)
    assert client.meta.endpoint_url == endpoint
    assert client.meta.region_name == "eu-west-1"
    other = next(s for s in SERVICES if s != service)
    assert clients.client(other).meta.endpoint_url != endpoint


def test_settings_drive_region_profile_and_endpoints(no_aws_env, zappa_stage):
    settings = zappa_stage({"aws_region": "ap-south-1", "profile_name": "work",
                            "aws_endpoint_urls": {"apigatewayv2": "http://127.0.0.1:9"}})
    clients = AwsClients.for_settings(settings)
    lam = clients.client("lambda")
    assert lam.meta.region_name == "ap-south-1"
    assert clients.session.get_credentials().access_key == "WORKKEY"
    assert clients.client("apigatewayv2").meta.endpoint_url == "http://127.0.0.1:9"
    assert "ap-south-1" in lam.meta.endpoint_url


def test_profile_region_is_used_when_none_is_set(no_aws_env, monkeypatch):
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    clients = AwsClients(profile="work")
    assert clients.client("s3").meta.region_name == "eu-central-1"
    assert clients.region == "eu-central-1"


def test_retries_are_configured(no_aws_env):
    client = AwsClients(region="us-east-1").client("lambda")
    retries = client.meta.config.retries
    assert retries["mode"] == "adaptive" and retries["total_max_attempts"] >= 5


def test_clients_are_cached_per_service_and_region(no_aws_env):
    clients = AwsClients(region="us-east-1")
    assert clients.client("sqs") is clients.client("sqs")
    assert clients.client("sqs", region="us-west-2").meta.region_name == "us-west-2"


@pytest.mark.parametrize("service", SERVICES)
def test_local_mode_uses_the_local_endpoint_and_dummy_credentials(no_aws_env, service):
    clients = AwsClients(profile="work", region=None, endpoint_urls={service: "http://elsewhere:1"},
                         local_endpoint="http://127.0.0.1:4566")
    client = clients.client(service)
    assert client.meta.endpoint_url == "http://127.0.0.1:4566"
    credentials = clients.session.get_credentials()
    assert credentials.access_key == LOCAL_CREDENTIALS["aws_access_key_id"]
    assert client.meta.region_name == "us-east-1"


def test_resources_get_the_endpoint_too(no_aws_env):
    clients = AwsClients(region="us-east-1", endpoint_urls={"s3": "http://127.0.0.1:9"})
    assert clients.resource("s3").meta.client.meta.endpoint_url == "http://127.0.0.1:9"


def test_moto_fixture_gives_working_clients(moto_aws):
    s3 = moto_aws.client("s3")
    s3.create_bucket(Bucket="fixture-bucket")
    assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["fixture-bucket"]
    assert moto_aws.account_id() == "123456789012"


def test_s3_clients_upload_files_with_the_transfer_methods(moto_aws, tmp_path):
    s3 = moto_aws.client("s3")
    s3.create_bucket(Bucket="transfer-bucket")
    source = tmp_path / "package.zip"
    source.write_bytes(b"zip bytes " * 1000)
    s3.upload_file(str(source), "transfer-bucket", "package.zip")
    assert s3.get_object(Bucket="transfer-bucket", Key="package.zip")["Body"].read() == source.read_bytes()


def test_a_lambda_client_loads_neither_boto3_nor_pyopenssl(no_aws_env, monkeypatch):
    """The no-op update only needs a Lambda client and the region: boto3 (S3 transfers, resources) and
    pyOpenSSL (which botocore imports only for the SSL context class it then does not use) stay unloaded,
    and pyOpenSSL's urllib3 module still imports afterwards."""
    import subprocess
    import sys

    monkeypatch.delenv("AWS_DEFAULT_REGION")
    code = (
        "import ssl, sys\n"
        "from zappa_core.aws import AwsClients\n"
        "AwsClients(region='us-east-1').client('lambda')\n"
        "assert AwsClients(profile='work').resolve_region() == 'eu-central-1'\n"
        "print(sorted(m for m in ('boto3', 'OpenSSL', 's3transfer') if m in sys.modules))\n"
        "import botocore.httpsession\n"
        "print(botocore.httpsession.SSLContext is ssl.SSLContext)\n"
        "try:\n"
        "    import urllib3.contrib.pyopenssl as p\n"
        "    print(p.orig_util_SSLContext is ssl.SSLContext)\n"
        "except ImportError:\n"
        "    print(True)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split("\n")
    assert out[:3] == ["[]", "True", "True"]


def test_the_boto3_session_shares_profile_region_and_credentials(no_aws_env, monkeypatch):
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    clients = AwsClients(profile="work")
    assert clients.session.region_name == "eu-central-1"
    assert clients.session.get_credentials().access_key == "WORKKEY"
    assert clients.client("lambda")._request_signer._credentials.access_key == "WORKKEY"
