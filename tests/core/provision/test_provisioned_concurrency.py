"""``provisioned_concurrency`` through the real CLI: what ``zappa plan`` shows, the calls ``deploy`` and
``update`` make on the managed alias, a second update that makes none, a changed value, a removed setting,
``undeploy``, and the settings it refuses.

moto has no Get/Put/DeleteProvisionedConcurrencyConfig, so those three operations are answered in the test
process (:mod:`moto_gaps`) from the dict below, the way Lambda answers them: parameters checked against the
API's model, the function and the alias looked up in moto, the configuration gone with its function.
Everything else (function, versions, alias, tags) is moto.
"""

from __future__ import annotations

from typing import Any

import pytest
from moto_gaps import Recorder, Refusal, answer_in_process

pytestmark = pytest.mark.usefixtures("core_only")

ON_ALIAS = {"FunctionName": "demo-dev", "Qualifier": "current"}
MARK = "ZappaProvisionedConcurrency"  # the function's tag while zappa manages the configuration


class ProvisionedConcurrency:
    """Lambda's provisioned-concurrency configurations: ``(function name, qualifier) -> executions``."""

    def __init__(self) -> None:
        self.requested: dict[tuple[str, str], int] = {}

    def handlers(self) -> dict[str, Any]:
        return {"GetProvisionedConcurrencyConfig": self.get, "PutProvisionedConcurrencyConfig": self.put,
                "DeleteProvisionedConcurrencyConfig": self.delete}

    def _target(self, calls: Recorder, client: Any, params: dict[str, Any]) -> tuple[str, str]:
        name = params["FunctionName"].split(":")[6] if params["FunctionName"].startswith("arn:") else params["FunctionName"]
        qualifier = params["Qualifier"]
        try:
            calls.moto(client, "GetFunction", FunctionName=name)
        except client.exceptions.ResourceNotFoundException:
            self.requested = {k: v for k, v in self.requested.items() if k[0] != name}  # deleted with its function
            raise
        if qualifier == "$LATEST":
            raise Refusal("InvalidParameterValueException", "Provisioned Concurrency Configs cannot be applied to unpublished function versions.")
        if qualifier.isdigit():
            calls.moto(client, "GetFunctionConfiguration", FunctionName=name, Qualifier=qualifier)
        else:
            calls.moto(client, "GetAlias", FunctionName=name, Name=qualifier)
        return name, qualifier

    def get(self, calls: Recorder, client: Any, params: dict[str, Any]) -> dict[str, Any]:
        key = self._target(calls, client, params)
        if key not in self.requested:
            raise Refusal("ProvisionedConcurrencyConfigNotFoundException", "No Provisioned Concurrency Config found for this function", 404)
        n = self.requested[key]
        return {"RequestedProvisionedConcurrentExecutions": n, "AvailableProvisionedConcurrentExecutions": n,
                "AllocatedProvisionedConcurrentExecutions": n, "Status": "READY"}

    def put(self, calls: Recorder, client: Any, params: dict[str, Any]) -> dict[str, Any]:
        key = self._target(calls, client, params)
        self.requested[key] = params["ProvisionedConcurrentExecutions"]
        return {"RequestedProvisionedConcurrentExecutions": self.requested[key],
                "AllocatedProvisionedConcurrentExecutions": 0, "Status": "IN_PROGRESS"}

    def delete(self, calls: Recorder, client: Any, params: dict[str, Any]) -> dict[str, Any]:
        key = self._target(calls, client, params)
        if self.requested.pop(key, None) is None:
            raise Refusal("ResourceNotFoundException", "No Provisioned Concurrency Config found for this function", 404)
        return {}


@pytest.fixture
def provisioned() -> ProvisionedConcurrency:
    return ProvisionedConcurrency()


@pytest.fixture
def calls(aws, provisioned: ProvisionedConcurrency, monkeypatch: pytest.MonkeyPatch) -> Recorder:
    return answer_in_process(monkeypatch, provisioned.handlers())


def writes(calls: Recorder) -> list[str]:
    return [c.operation for c in calls.writes()]


def test_deploy_plans_and_puts_it_on_the_managed_alias(project, zappa, aws, calls, provisioned):
    project.set(provisioned_concurrency=3)
    planned = zappa("plan", "dev")
    assert planned.code == 0, planned
    assert "provisioned_concurrency: 3" in planned.out
    assert provisioned.requested == {}  # plan wrote nothing

    calls.calls.clear()
    assert zappa("deploy", "dev").code == 0
    assert calls.named("PutProvisionedConcurrencyConfig") == [{**ON_ALIAS, "ProvisionedConcurrentExecutions": 3}]
    order = writes(calls)
    assert order.index("CreateAlias") < order.index("PutProvisionedConcurrencyConfig")
    assert provisioned.requested == {("demo-dev", "current"): 3}
    assert function_tags(aws)[MARK] == "true"


def function_tags(aws) -> dict[str, str]:
    return aws("lambda").get_function(FunctionName="demo-dev")["Tags"]


def test_an_update_with_nothing_changed_makes_no_call(project, zappa, aws, calls, provisioned):
    project.set(provisioned_concurrency=3)
    assert zappa("deploy", "dev").code == 0
    for command in (("update", "dev"), ("update", "dev", "--refresh")):
        calls.calls.clear()
        result = zappa(*command, "--json")
        assert result.code == 0, result
        assert result.json()["changes"] == [] and writes(calls) == [], command
    # plan reads the configuration and finds it as the settings want it
    planned = zappa("plan", "dev", "--json").json()
    assert {c["step"]: c["action"] for c in planned["changes"]}["core:function"] == "unchanged"
    assert calls.named("GetProvisionedConcurrencyConfig")[-1] == ON_ALIAS
    assert provisioned.requested == {("demo-dev", "current"): 3}


def test_a_new_value_is_planned_and_put(project, zappa, aws, calls, provisioned):
    project.set(provisioned_concurrency=3)
    assert zappa("deploy", "dev").code == 0
    project.set(provisioned_concurrency=5)
    planned = zappa("plan", "dev")
    assert "provisioned_concurrency: 3 -> 5" in planned.out, planned
    calls.calls.clear()
    result = zappa("update", "dev", "--json")
    assert result.code == 0, result
    assert calls.named("PutProvisionedConcurrencyConfig") == [{**ON_ALIAS, "ProvisionedConcurrentExecutions": 5}]
    assert provisioned.requested == {("demo-dev", "current"): 5}


@pytest.mark.parametrize("removed", [None, 0], ids=["null", "zero"])
def test_removing_the_setting_deletes_the_configuration(removed, project, zappa, aws, calls, provisioned):
    project.set(provisioned_concurrency=3)
    assert zappa("deploy", "dev").code == 0
    project.set(provisioned_concurrency=removed)
    planned = zappa("plan", "dev")
    assert "provisioned_concurrency: 3 -> (none)" in planned.out, planned
    calls.calls.clear()
    assert zappa("update", "dev").code == 0
    assert calls.named("DeleteProvisionedConcurrencyConfig") == [ON_ALIAS]
    assert calls.named("PutProvisionedConcurrencyConfig") == []
    assert provisioned.requested == {} and MARK not in function_tags(aws)
    # and then it stays removed: the next update reads and writes nothing about it
    calls.calls.clear()
    assert zappa("update", "dev", "--refresh").code == 0
    assert writes(calls) == []


def test_a_configuration_deleted_by_hand_is_put_back(project, zappa, aws, calls, provisioned):
    project.set(provisioned_concurrency=3)
    assert zappa("deploy", "dev").code == 0
    aws("lambda").delete_provisioned_concurrency_config(**ON_ALIAS)
    assert "provisioned_concurrency: (none) -> 3" in zappa("plan", "dev").out
    assert zappa("update", "dev", "--refresh").code == 0
    assert provisioned.requested == {("demo-dev", "current"): 3}


def test_a_setting_removed_after_the_configuration_was_deleted_by_hand_leaves_nothing(project, zappa, aws, calls, provisioned):
    project.set(provisioned_concurrency=3)
    assert zappa("deploy", "dev").code == 0
    aws("lambda").delete_provisioned_concurrency_config(**ON_ALIAS)
    project.set(provisioned_concurrency=None)
    assert f"tags: remove {MARK}" in zappa("plan", "dev").out
    assert zappa("update", "dev").code == 0
    assert MARK not in function_tags(aws)
    calls.calls.clear()
    assert zappa("plan", "dev").code == 0
    assert calls.named("GetProvisionedConcurrencyConfig") == []  # nothing left to look after


def test_a_configuration_zappa_did_not_make_is_left_alone(project, zappa, aws, calls, provisioned):
    assert zappa("deploy", "dev").code == 0
    aws("lambda").put_provisioned_concurrency_config(**ON_ALIAS, ProvisionedConcurrentExecutions=2)
    calls.calls.clear()
    planned = zappa("plan", "dev")
    assert "provisioned_concurrency" not in planned.out, planned
    assert zappa("update", "dev", "--refresh").code == 0
    assert writes(calls) == [] and provisioned.requested == {("demo-dev", "current"): 2}


def test_undeploy_takes_it_away_with_the_function(project, zappa, aws, calls, provisioned):
    project.set(provisioned_concurrency=3)
    assert zappa("deploy", "dev").code == 0
    calls.calls.clear()
    assert zappa("undeploy", "dev", "--yes").code == 0
    assert calls.named("DeleteFunction") == [{"FunctionName": "demo-dev"}]
    lam = aws("lambda")
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.get_provisioned_concurrency_config(**ON_ALIAS)
    assert provisioned.requested == {}


@pytest.mark.parametrize(("settings", "message"), [
    ({"provisioned_concurrency": -1}, "'provisioned_concurrency': must be at least 0, not -1"),
    ({"provisioned_concurrency": "some"}, "'provisioned_concurrency': must be a whole number (or null), not 'some'"),
    ({"provisioned_concurrency": 10, "lambda_concurrency": 4},
     "'provisioned_concurrency': 10 is more than the function's reserved concurrency (lambda_concurrency: 4)"),
], ids=["negative", "not-a-number", "above-reserved"])
def test_bad_values_are_settings_errors_before_any_aws_call(settings, message, project, zappa, calls):
    project.set(**settings)
    for command in (("plan", "dev"), ("deploy", "dev")):
        result = zappa(*command)
        assert result.code == 2, (command, result)
        assert message in result.err, result
    assert calls.calls == []
