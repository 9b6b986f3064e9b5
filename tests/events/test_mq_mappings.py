"""The Amazon MQ event source of ``examples/zappa-mq-events`` applied: the plan, the exact Lambda calls of
its binder, a second apply that makes none, changed options, a changed queue, a removed entry, undeploy,
mappings on later pages of the listing, a mapping still disabling, and the entries its settings model
refuses. (``test_third_party_source.py`` installs the same example with pip and runs it through the CLI;
here its plugin module is imported from the example's folder so that the calls can be watched in-process.)

moto's CreateEventSourceMapping accepts only SQS, DynamoDB and Kinesis sources, so the mappings of MQ
brokers are answered in the test process (:mod:`moto_gaps`) from the dict below, the way Lambda answers
them: parameters checked against the API's model, the function and the broker looked up in moto (the broker
and its secret are made in moto), one queue and a BASIC_AUTH secret required. Every other call, including
the SQS mapping of the mixed test, is moto's.
"""

from __future__ import annotations

import importlib
import json
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from moto_gaps import Recorder, Refusal, answer_in_process
from zappa_core.settings import SettingsError

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "zappa-mq-events"
STEP = "mq:mappings"


class MqMappings:
    """Lambda's event-source mappings of Amazon MQ brokers: ``UUID -> the mapping as Lambda describes it``."""

    def __init__(self) -> None:
        self.mappings: dict[str, dict[str, Any]] = {}
        self.page_size: int | None = None  # Lambda chooses how many mappings a page holds; a test may make it 1

    def handlers(self) -> dict[str, Any]:
        return {"CreateEventSourceMapping": self.create, "UpdateEventSourceMapping": self.update,
                "DeleteEventSourceMapping": self.delete, "GetEventSourceMapping": self.get,
                "ListEventSourceMappings": self.list}

    @staticmethod
    def _function_arn(calls: Recorder, client: Any, name: str) -> str:
        return calls.moto(client, "GetFunction", FunctionName=name)["Configuration"]["FunctionArn"]

    def create(self, calls: Recorder, client: Any, params: dict[str, Any]) -> dict[str, Any]:
        source = params["EventSourceArn"]
        if not source.startswith("arn:aws:mq:"):
            return calls.moto(client, "CreateEventSourceMapping", **params)
        import boto3

        function = self._function_arn(calls, client, params["FunctionName"])
        calls.moto(boto3.client("mq", region_name=client.meta.region_name), "DescribeBroker", BrokerId=source.split(":")[-1])
        queues = params.get("Queues") or []
        if len(queues) != 1:
            raise Refusal("InvalidParameterValueException", "Queues: give exactly one queue of the broker")
        access = params.get("SourceAccessConfigurations") or []
        if "BASIC_AUTH" not in {a["Type"] for a in access}:
            raise Refusal("InvalidParameterValueException", "SourceAccessConfigurations: an MQ broker needs a BASIC_AUTH secret")
        for m in self.mappings.values():
            if (m["EventSourceArn"], m["Queues"], m["FunctionArn"]) == (source, queues, function):
                raise Refusal("ResourceConflictException", f"a mapping of this source and function exists: {m['UUID']}", 409)
        key = str(uuid.uuid4())
        self.mappings[key] = {
            "UUID": key, "EventSourceArn": source, "FunctionArn": function, "Queues": queues,
            "BatchSize": params.get("BatchSize", 100), "SourceAccessConfigurations": access,
            "MaximumBatchingWindowInSeconds": params.get("MaximumBatchingWindowInSeconds", 0),
            "State": "Enabled" if params.get("Enabled", True) else "Disabled", "StateTransitionReason": "USER_INITIATED"}
        return dict(self.mappings[key], State="Creating")

    def update(self, calls: Recorder, client: Any, params: dict[str, Any]) -> dict[str, Any]:
        m = self.mappings.get(params["UUID"])
        if m is None:
            return calls.moto(client, "UpdateEventSourceMapping", **params)
        if "FunctionName" in params:
            m["FunctionArn"] = self._function_arn(calls, client, params["FunctionName"])
        if "Enabled" in params:
            m["State"] = "Enabled" if params["Enabled"] else "Disabled"
        for key in ("BatchSize", "SourceAccessConfigurations", "MaximumBatchingWindowInSeconds"):
            if key in params:
                m[key] = params[key]
        return dict(m, State="Updating")

    def delete(self, calls: Recorder, client: Any, params: dict[str, Any]) -> dict[str, Any]:
        m = self.mappings.pop(params["UUID"], None)
        if m is None:
            return calls.moto(client, "DeleteEventSourceMapping", **params)
        return dict(m, State="Deleting")

    def get(self, calls: Recorder, client: Any, params: dict[str, Any]) -> dict[str, Any]:
        m = self.mappings.get(params["UUID"])
        return dict(m) if m is not None else calls.moto(client, "GetEventSourceMapping", **params)

    def list(self, calls: Recorder, client: Any, params: dict[str, Any]) -> dict[str, Any]:
        params = dict(params)  # the recorded call keeps its Marker
        marker = params.pop("Marker", None)
        listed = calls.moto(client, "ListEventSourceMappings", **params)["EventSourceMappings"]
        function = params.get("FunctionName")
        for m in self.mappings.values():
            if function and function not in (m["FunctionArn"], m["FunctionArn"].split(":")[6]):
                continue
            if params.get("EventSourceArn") not in (None, m["EventSourceArn"]):
                continue
            listed.append(dict(m))
        start = int(marker or 0)
        end = len(listed) if self.page_size is None else start + self.page_size
        page: dict[str, Any] = {"EventSourceMappings": listed[start:end]}
        if end < len(listed):
            page["NextMarker"] = str(end)
        return page


class Mq:
    """The MQ plugin loaded, a broker and its secret in moto, and the calls made from then on."""

    def __init__(self, pm: Any, folder: Path, broker: str, secret: str, calls: Recorder, lam: MqMappings) -> None:
        self.pm, self.folder, self.broker, self.secret, self.calls, self.lam = pm, folder, broker, secret, calls, lam

    def entry(self, **source: Any) -> dict[str, Any]:
        return {"function": "app.on_order",
                "event_source": {"arn": self.broker, "queues": ["orders"], "secret_arn": self.secret, **source}}

    def settings(self, *entries: dict[str, Any], **keys: Any) -> Any:
        from zappa_core.settings import load_stage

        stage = {"app_function": "app.app", "s3_bucket": "deploy-bucket", "aws_region": "us-east-1",
                 "project_name": "demo", "keep_warm": False, "events": list(entries), **keys}
        (self.folder / "zappa_settings.json").write_text(json.dumps({"dev": stage}))
        return load_stage("dev", pm=self.pm, project_dir=self.folder)

    def writes(self) -> list[tuple[str, dict[str, Any]]]:
        return [(c.operation, c.params) for c in self.calls.writes()]


@pytest.fixture
def mq_plugin(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.syspath_prepend(str(EXAMPLE))
    yield importlib.import_module("zappa_mq_events.plugin")
    for name in [n for n in sys.modules if n.split(".")[0] == "zappa_mq_events"]:
        del sys.modules[name]


@pytest.fixture
def mq(driver, mq_plugin, moto_aws, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Mq:
    from zappa_core.plugins import get_plugin_manager

    driver.pm = get_plugin_manager(plugins=[("mq", mq_plugin)])
    broker = moto_aws.client("mq").create_broker(
        BrokerName="orders", EngineType="ACTIVEMQ", EngineVersion="5.17.6", HostInstanceType="mq.t3.micro",
        DeploymentMode="SINGLE_INSTANCE", PubliclyAccessible=False, AutoMinorVersionUpgrade=True,
        Users=[{"Username": "app", "Password": "a-long-password"}])["BrokerArn"]
    secrets = moto_aws.client("secretsmanager")
    secret = secrets.create_secret(Name="mq-login", SecretString='{"username": "app", "password": "a-long-password"}')["ARN"]
    lam = MqMappings()
    return Mq(driver.pm, tmp_path, broker, secret, answer_in_process(monkeypatch, lam.handlers()), lam)


def details(plan: dict[str, Any]) -> tuple[str, list[str]]:
    return plan[STEP].action.value, plan[STEP].details


@pytest.mark.parametrize("virtual_host", [None, "/orders"], ids=["activemq", "rabbitmq-vhost"])
def test_plan_then_apply_creates_one_mapping_of_the_queue_with_its_secret(virtual_host, mq, driver, function):
    source = {"batch_size": 10, **({"virtual_host": virtual_host} if virtual_host else {})}
    settings = mq.settings(mq.entry(**source))
    assert details(driver.plan(settings)) == ("create", [f"+ mapping {mq.broker}/orders (queue orders, batch 10)"])
    assert mq.writes() == []

    driver.apply(settings)
    access = [{"Type": "BASIC_AUTH", "URI": mq.secret}] + ([{"Type": "VIRTUAL_HOST", "URI": virtual_host}] if virtual_host else [])
    assert mq.writes() == [("CreateEventSourceMapping", {
        "EventSourceArn": mq.broker, "FunctionName": function.arn, "Queues": ["orders"], "BatchSize": 10,
        "Enabled": True, "SourceAccessConfigurations": access})]
    [mapping] = mq.lam.mappings.values()
    assert (mapping["State"], mapping["FunctionArn"]) == ("Enabled", function.arn)


def test_the_execution_role_may_describe_the_broker_read_the_secret_and_reach_its_vpc(mq, driver):
    settings = mq.settings(mq.entry())
    [step] = [s for s in driver.steps(settings) if s.id == STEP]
    assert step.iam_statements(driver.context(settings)) == [
        {"Effect": "Allow", "Action": ["mq:DescribeBroker"], "Resource": [mq.broker]},
        {"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"], "Resource": [mq.secret]},
        {"Effect": "Allow", "Resource": "*", "Action": [
            "ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "ec2:DescribeNetworkInterfaces",
            "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs"]}]
    without = mq.settings()
    [step] = [s for s in driver.steps(without) if s.id == STEP]
    assert step.iam_statements(driver.context(without)) == []  # no MQ entry, no MQ permission


def test_a_second_apply_with_nothing_changed_makes_no_call(mq, driver, function):
    settings = mq.settings(mq.entry(batch_size=10, enabled=False))
    driver.apply(settings)
    mq.calls.calls.clear()
    changes = driver.apply(settings)
    assert details(changes) == ("unchanged", [])
    assert mq.writes() == []


def test_mappings_on_later_pages_are_found(mq, driver, function):
    mq.lam.page_size = 1
    settings = mq.settings(mq.entry(), mq.entry(queues=["invoices"]))
    driver.apply(settings)
    assert sorted(m["Queues"][0] for m in mq.lam.mappings.values()) == ["invoices", "orders"]
    mq.calls.calls.clear()
    assert details(driver.apply(settings)) == ("unchanged", [])
    assert mq.writes() == []
    assert "1" in [params.get("Marker") for params in mq.calls.named("ListEventSourceMappings")]  # the second page was asked for


def test_a_mapping_still_disabling_reads_as_disabled(mq, driver, function):
    settings = mq.settings(mq.entry(enabled=False))
    driver.apply(settings)
    [mapping] = mq.lam.mappings.values()
    mapping["State"] = "Disabling"  # Lambda takes a while to stop polling the broker
    assert details(driver.plan(settings)) == ("unchanged", [])


def test_changed_options_update_the_mapping_in_place_and_then_settle(mq, driver, function):
    driver.apply(mq.settings(mq.entry(batch_size=10)))
    [key] = mq.lam.mappings
    login = mq.secret.replace("mq-login", "mq-login-2")
    changed = mq.settings(mq.entry(batch_size=50, enabled=False, secret_arn=login))
    assert details(driver.plan(changed)) == ("update", [f"~ mapping {mq.broker}/orders (queue orders, batch 50)"])
    mq.calls.calls.clear()
    driver.apply(changed)
    assert mq.writes() == [("UpdateEventSourceMapping", {
        "UUID": key, "BatchSize": 50, "Enabled": False, "SourceAccessConfigurations": [{"Type": "BASIC_AUTH", "URI": login}]})]
    assert mq.lam.mappings[key]["State"] == "Disabled"
    assert details(driver.plan(changed))[0] == "unchanged"  # the new secret is what Lambda now has


def test_another_queue_replaces_the_mapping(mq, driver, function):
    driver.apply(mq.settings(mq.entry()))
    [old] = mq.lam.mappings
    moved = mq.settings(mq.entry(queues=["invoices"]))
    assert details(driver.plan(moved)) == ("update", [f"- mapping {mq.broker}/orders (queue orders, batch 100)",
                                                       f"+ mapping {mq.broker}/invoices (queue invoices, batch 100)"])
    mq.calls.calls.clear()
    driver.apply(moved)
    assert [op for op, _ in mq.writes()] == ["DeleteEventSourceMapping", "CreateEventSourceMapping"]
    assert mq.writes()[0][1] == {"UUID": old}
    assert [m["Queues"] for m in mq.lam.mappings.values()] == [["invoices"]]


def test_a_removed_entry_is_deleted_and_other_sources_are_left_to_their_own_step(mq, driver, function, moto_aws):
    sqs = moto_aws.client("sqs")
    queue = sqs.get_queue_attributes(QueueUrl=sqs.create_queue(QueueName="jobs")["QueueUrl"],
                                     AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    jobs = {"function": "app.job", "event_source": {"arn": queue}}
    driver.apply(mq.settings(mq.entry(), jobs))
    [key] = mq.lam.mappings
    listed = moto_aws.client("lambda").list_event_source_mappings(FunctionName=function.arn)["EventSourceMappings"]
    assert sorted(m["EventSourceArn"] for m in listed) == sorted([mq.broker, queue])  # moto's and this test's, side by side

    only_jobs = mq.settings(jobs)
    assert details(driver.plan(only_jobs)) == ("delete", [f"- mapping {mq.broker}/orders (queue orders, batch 100)"])
    mq.calls.calls.clear()
    driver.apply(only_jobs)
    assert mq.writes() == [("DeleteEventSourceMapping", {"UUID": key})]
    listed = moto_aws.client("lambda").list_event_source_mappings(FunctionName=function.arn)["EventSourceMappings"]
    assert [m["EventSourceArn"] for m in listed] == [queue]


def test_undeploy_deletes_the_mapping(mq, driver, function):
    settings = mq.settings(mq.entry())
    driver.apply(settings)
    [key] = mq.lam.mappings
    mq.calls.calls.clear()
    assert driver.destroy(settings)[STEP].action.value == "delete"
    assert ("DeleteEventSourceMapping", {"UUID": key}) in mq.writes()
    assert mq.lam.mappings == {}
    assert driver.destroy(settings)[STEP].action.value == "unchanged"


@pytest.mark.parametrize(("source", "message"), [
    ({"queues": []}, "events[0].event_source.queues: needs at least 1 item"),
    ({"queues": ["orders", "invoices"]}, "events[0].event_source.queues: takes at most 1 item"),
    ({"batch_size": 0}, "events[0].event_source.batch_size: must be at least 1, not 0"),
    ({"batch_size": 10001}, "events[0].event_source.batch_size: must be at most 10000, not 10001"),
    ({"secret_arn": None}, "events[0].event_source.secret_arn: must be a string, not null"),
    ({"queue": "orders"}, "events[0].event_source.queue: unknown key; did you mean 'queues'?"),
], ids=["no-queue", "two-queues", "batch-0", "batch-10001", "no-secret", "misspelt-key"])
def test_entries_the_settings_refuse_before_any_call(source, message, mq):
    with pytest.raises(SettingsError) as caught:
        mq.settings(mq.entry(**source))
    assert message in [f"{p.where}: {p.message}" for p in caught.value.problems]
    assert mq.calls.calls == []
