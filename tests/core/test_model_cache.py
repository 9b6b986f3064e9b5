"""botocore's service models kept parsed in the user cache: a warm cache gives the same clients as botocore's
own loader, a stale or broken cache entry is read again from botocore, other model folders are honoured."""

from __future__ import annotations

import json
import os

import botocore.session
import pytest
from botocore.exceptions import UnknownServiceError
from moto import mock_aws

from zappa_core import model_cache


@pytest.fixture
def cache(tmp_path, monkeypatch, aws_credentials):
    monkeypatch.setenv("ZAPPA_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("ZAPPA_NO_CACHE", raising=False)
    monkeypatch.delenv("AWS_DATA_PATH", raising=False)
    monkeypatch.setattr(botocore.loaders.Loader, "CUSTOMER_DATA_PATH", str(tmp_path / "no-such-models"))
    return tmp_path / "cache"


def session_with(loader):
    session = botocore.session.Session()
    session.register_component("data_loader", loader)
    return session


def client(loader, service="lambda", region="eu-west-1"):
    return session_with(loader).create_client(service, region_name=region)


def describe(made):
    model = made.meta.service_model
    return (made.meta.endpoint_url, sorted(model.operation_names), model.operation_model("CreateFunction").input_shape.members.keys())


def cached_files(folder):
    return sorted(p.name for p in folder.rglob("*.marshal"))


def test_a_warm_cache_makes_the_same_client_as_botocore(cache):
    reference = describe(client(botocore.loaders.create_loader()))
    cold = model_cache.create_loader()
    assert describe(client(cold)) == reference
    written = cached_files(cache)
    assert written and (cache / f"botocore-{botocore.__version__}").is_dir()

    warm = model_cache.create_loader()
    assert describe(client(warm)) == reference
    assert cached_files(cache) == written
    with mock_aws():  # the warm client really works
        made = client(model_cache.create_loader(), region="us-east-1")
        assert made.list_functions()["Functions"] == []
    with pytest.raises(UnknownServiceError):
        client(model_cache.create_loader(), service="no-such-service")


def test_stale_or_broken_entries_are_read_again_from_botocore(cache):
    reference = describe(client(model_cache.create_loader()))
    for entry in (cache / f"botocore-{botocore.__version__}").glob("*.marshal"):
        entry.write_bytes(b"not marshal data")
    assert describe(client(model_cache.create_loader())) == reference
    loader = model_cache.create_loader()
    source = os.path.join(model_cache.BUILTIN_DATA, "partitions.json")
    stale = model_cache._entry(loader.folder, source)
    model_cache._write(stale, [model_cache._FORMAT, source, 1, 1], {"partitions": []})  # another file's size
    assert loader.load_data("partitions")["partitions"]  # read from botocore's file, not the stale entry


def test_models_from_another_folder_are_found_and_not_cached(cache, tmp_path, monkeypatch):
    extra = tmp_path / "models"
    lambda_model = botocore.loaders.create_loader().load_service_model("lambda", "service-2")
    custom = dict(lambda_model, metadata=dict(lambda_model["metadata"], endpointPrefix="mylambda",
                                               signingName="lambda", serviceId="My Lambda"))
    folder = extra / "my-lambda" / "2015-03-31"
    folder.mkdir(parents=True)
    (folder / "service-2.json").write_text(json.dumps(custom))
    (folder / "endpoint-rule-set-1.json").write_text(json.dumps(
        botocore.loaders.create_loader().load_service_model("lambda", "endpoint-rule-set-1")))
    monkeypatch.setenv("AWS_DATA_PATH", str(extra))
    loader = model_cache.create_loader()
    assert "my-lambda" in loader.list_available_services("service-2")
    assert client(loader, service="my-lambda").meta.service_model.service_id == "My Lambda"
    assert not [p for p in cache.rglob("*.marshal") if b"my-lambda" in p.read_bytes()]


def test_the_cache_can_be_turned_off_or_unwritable(cache, monkeypatch, tmp_path):
    monkeypatch.setenv("ZAPPA_NO_CACHE", "1")
    assert describe(client(model_cache.create_loader()))[1]
    assert not cache.exists()

    monkeypatch.delenv("ZAPPA_NO_CACHE")
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache folder would be")
    monkeypatch.setenv("ZAPPA_CACHE_DIR", str(blocked))
    assert describe(client(model_cache.create_loader()))[1]
