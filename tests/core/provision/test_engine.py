"""The engine with steps written for the test (no AWS): ordering, planning, applying, retries, errors."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from zappa_core.engine import Engine, order_steps
from zappa_core.errors import AwsError, PluginError
from zappa_core.plan import Action, Change, DeployContext, ResourceStep

from zappa_core import retry as retry_module


class FakeSettings:
    stage = "dev"
    function_name = "demo-dev"
    zappa_project_tag = "demo-dev"
    tags = None


class Step(ResourceStep):
    def __init__(self, id, depends_on=(), exists=False, log=None, fail=None, outputs=None):
        self.id, self.depends_on, self.exists = id, tuple(depends_on), exists
        self.log = log if log is not None else []
        self.fail = list(fail or [])
        self.outputs = outputs or {}
        self.seen_outputs = None

    def plan(self, ctx):
        self.seen_outputs = {k: dict(v) for k, v in ctx.outputs.items()}
        self.log.append(("plan", self.id))
        action = Action.UNCHANGED if self.exists else Action.CREATE
        return Change(self.id, action, f"thing {self.id}", outputs=dict(self.outputs))

    def apply(self, ctx, change):
        self.log.append(("apply", self.id))
        if self.fail:
            raise self.fail.pop(0)
        self.exists = True

    def plan_destroy(self, ctx):
        return Change(self.id, Action.DELETE if self.exists else Action.UNCHANGED, f"thing {self.id}")

    def destroy(self, ctx, change):
        self.log.append(("destroy", self.id))
        self.exists = False


def ctx():
    return DeployContext(settings=FakeSettings(), aws=None, pm=None, echo=lambda *_: None)


def error(code, status=400):
    return ClientError({"Error": {"Code": code, "Message": f"{code} happened"},
                        "ResponseMetadata": {"HTTPStatusCode": status}}, "DoThing")


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch):
    monkeypatch.setattr(retry_module, "sleep", lambda s: None)


def ids(steps):
    return [s.id for s in steps]


def test_order_follows_dependencies_and_keeps_the_given_order_otherwise():
    steps = [Step("c", ["b"]), Step("a"), Step("b", ["a", "not-installed:step"]), Step("d")]
    assert ids(order_steps(steps)) == ["a", "b", "c", "d"]


def test_a_cycle_is_an_error_that_names_it():
    with pytest.raises(PluginError, match=r"cycle: x -> y -> x|cycle: y -> x -> y"):
        order_steps([Step("x", ["y"]), Step("y", ["x"]), Step("z")])
    with pytest.raises(PluginError, match="depends on itself"):
        order_steps([Step("x", ["x"])])


def test_plan_reads_in_order_and_passes_outputs_forward_without_applying():
    log = []
    role = Step("core:role", log=log, outputs={"role_arn": "arn:role"})
    fn = Step("core:function", ["core:role"], log=log)
    plan = Engine(ctx(), [fn, role]).plan()
    assert [c.step_id for c in plan.changes] == ["core:role", "core:function"]
    assert fn.seen_outputs == {"core:role": {"role_arn": "arn:role"}}
    assert log == [("plan", "core:role"), ("plan", "core:function")]
    assert "2 to create" in plan.render()


class IdleStep(Step):
    """An event type the stage does not use: nothing wanted, nothing found."""

    def plan(self, ctx):
        return Change(self.id, Action.UNCHANGED, "0 things", empty=True)


def test_the_rendered_plan_leaves_out_steps_with_nothing_to_manage():
    plan = Engine(ctx(), [Step("core:function", exists=True), IdleStep("events:sqs"), IdleStep("events:s3"),
                          Step("events:schedule")]).plan()
    assert plan.render().splitlines() == [
        "Plan for stage 'dev' (demo-dev): 1 to create, 0 to update, 0 to delete, 1 unchanged",
        "  = core:function    unchanged  thing core:function",
        "  + events:schedule  create     thing events:schedule",
    ]
    assert [(c["step"], c["empty"]) for c in plan.to_json()["changes"]] == [
        ("core:function", False), ("events:sqs", True), ("events:s3", True), ("events:schedule", False)]


def test_apply_touches_only_what_differs():
    log = []
    steps = [Step("a", exists=True, log=log), Step("b", ["a"], log=log)]
    Engine(ctx(), steps).run()
    assert [entry for entry in log if entry[0] == "apply"] == [("apply", "b")]


def test_destroy_runs_in_reverse_order():
    log = []
    steps = [Step("a", exists=True, log=log), Step("b", ["a"], exists=True, log=log)]
    Engine(ctx(), steps).run(destroy=True)
    assert [entry for entry in log if entry[0] == "destroy"] == [("destroy", "b"), ("destroy", "a")]


def test_a_transient_error_is_retried_after_planning_again():
    log = []
    step = Step("a", log=log, fail=[error("ThrottlingException"), error("ResourceConflictException", 409)])
    Engine(ctx(), [step]).run()
    assert step.exists
    assert log == [("plan", "a"), ("apply", "a"), ("plan", "a"), ("apply", "a"), ("plan", "a"), ("apply", "a")]


def test_a_hard_error_names_the_step_the_resource_and_the_aws_error():
    step = Step("core:thing", fail=[error("AccessDenied", 403)])
    with pytest.raises(AwsError) as raised:
        Engine(ctx(), [step]).run()
    text = str(raised.value)
    assert "step 'core:thing' failed on thing core:thing: AccessDenied: AccessDenied happened" in text
    assert "docs/iam.md" in text  # the hint for a permission problem


def test_transient_errors_give_up_after_a_few_attempts():
    step = Step("a", fail=[error("Throttling")] * 10)
    with pytest.raises(AwsError, match="Throttling"):
        Engine(ctx(), [step], attempts=3).run()


def test_duplicate_step_ids_across_plugins_are_an_error():
    import pluggy

    from zappa_core import hookspecs

    class One:
        @hookspecs.hookimpl
        def zappa_plan_resources(self, settings, context):
            return [Step("x:same")]

    class Two:
        @hookspecs.hookimpl
        def zappa_plan_resources(self, settings, context):
            return [Step("x:same")]

    pm = pluggy.PluginManager("zappa")
    pm.add_hookspecs(hookspecs)
    pm.register(One(), name="one")
    pm.register(Two(), name="two")
    context = ctx()
    context.pm = pm
    with pytest.raises(PluginError, match="'x:same' is returned by plugin 'one' and by plugin 'two'"):
        Engine(context)


def test_before_and_after_apply_hooks_see_the_plan_and_the_outcome():
    import pluggy

    from zappa_core import hookspecs

    seen = []

    class Watcher:
        @hookspecs.hookimpl
        def zappa_before_apply(self, plan):
            seen.append(("before", [c.step_id for c in plan]))

        @hookspecs.hookimpl
        def zappa_after_apply(self, plan, outcome):
            seen.append(("after", outcome if outcome == "ok" else type(outcome).__name__))

    pm = pluggy.PluginManager("zappa")
    pm.add_hookspecs(hookspecs)
    pm.register(Watcher())
    context = ctx()
    context.pm = pm
    Engine(context, [Step("a")]).run()
    with pytest.raises(AwsError):
        Engine(context, [Step("b", fail=[error("Boom")])]).run()
    assert seen == [("before", ["a"]), ("after", "ok"), ("before", ["b"]), ("after", "AwsError")]
