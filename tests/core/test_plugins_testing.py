"""The ``zappa_core.testing`` pytest plugin, as a plugin author's test suite sees it (found through the
``pytest11`` entry point in a separate pytest run, with no conftest)."""

from __future__ import annotations

import subprocess
import sys

import pytest

AUTHOR_TESTS = '''
import pytest
from zappa_core.errors import AwsError
from zappa_core.plan import Action, Change, ResourceStep
from zappa_core.settings import SettingsError
from zappa_core.testing import run_step, run_steps


def test_stage(zappa_stage):
    settings = zappa_stage({"memory_size": 1024})
    assert settings.memory_size == 1024 and settings.s3_bucket == "test-bucket"
    with pytest.raises(SettingsError, match="did you mean 'timeout_seconds'"):
        zappa_stage({"timout_seconds": 3})


def test_project_and_cli(zappa_project, zappa_cli):
    folder = zappa_project({"dev": {"s3_bucket": "code-bucket"}}, files={"app.py": "app = None"})
    assert (folder / "app.py").read_text() == "app = None"
    result = zappa_cli(["settings", "show", "dev"])
    assert result.returncode == 0 and '"s3_bucket": "code-bucket"' in result.stdout


def test_pm(zappa_pm):
    assert zappa_pm.get_plugin("core.settings") is not None


def test_moto(moto_aws):
    moto_aws.client("sqs").create_queue(QueueName="q")
    assert len(moto_aws.client("sqs").list_queues()["QueueUrls"]) == 1


class TopicStep(ResourceStep):
    """A plugin's step: the stage's SNS topic, subscribed to the stage's function."""

    id = "greeter:topic"
    depends_on = ("core:function",)

    def __init__(self, settings):
        self.name = f"{settings.function_name}-greetings"

    def _find(self, ctx):
        arns = [t["TopicArn"] for t in ctx.aws.client("sns").list_topics()["Topics"]]
        return next((arn for arn in arns if arn.endswith(f":{self.name}")), None)

    def plan(self, ctx):
        found = self._find(ctx)
        return Change(self.id, Action.UNCHANGED if found else Action.CREATE, f"topic {self.name}",
                      outputs={"topic_arn": found or ctx.arn("sns", self.name)})

    def apply(self, ctx, change):
        sns = ctx.aws.client("sns")
        arn = sns.create_topic(Name=self.name)["TopicArn"]
        sns.subscribe(TopicArn=arn, Protocol="lambda", Endpoint=ctx.function.function_arn)

    def plan_destroy(self, ctx):
        found = self._find(ctx)
        return Change(self.id, Action.DELETE if found else Action.UNCHANGED, f"topic {self.name}", data=found)

    def destroy(self, ctx, change):
        ctx.aws.client("sns").delete_topic(TopicArn=change.data)


class NeedsTheTopic(ResourceStep):
    id = "greeter:reader"
    depends_on = ("greeter:topic",)

    def plan(self, ctx):
        # planned after the topic step, with its planned outputs published even before it is applied
        return Change(self.id, Action.UNCHANGED, ctx.outputs["greeter:topic"]["topic_arn"])


def test_steps_on_a_function(zappa_stage, zappa_function):
    settings = zappa_stage({"project_name": "app"})
    function = zappa_function("app-dev")
    ctx = function.context(settings)
    assert ctx.function.function_arn == function.arn and ctx.function.function_name == "app-dev"
    plan = run_steps(ctx, [NeedsTheTopic(), TopicStep(settings)])
    assert [c.step_id for c in plan.changes] == ["greeter:topic", "greeter:reader"]
    assert plan.change_for("greeter:topic").action is Action.CREATE
    assert plan.change_for("greeter:reader").resource.endswith(":app-dev-greetings")
    [subscription] = function.aws.client("sns").list_subscriptions()["Subscriptions"]
    assert subscription["Endpoint"] == function.arn
    assert run_step(ctx, TopicStep(settings)).action is Action.UNCHANGED
    assert run_step(ctx, TopicStep(settings), destroy=True).action is Action.DELETE
    assert function.aws.client("sns").list_topics()["Topics"] == []


def test_a_failing_step_is_named(zappa_stage, zappa_function):
    settings = zappa_stage({"project_name": "app"})
    ctx = zappa_function("app-dev").context(settings)

    class Broken(TopicStep):
        def apply(self, ctx, change):  # a topic that does not exist
            ctx.aws.client("sns").get_topic_attributes(TopicArn=ctx.arn("sns", "missing"))

    with pytest.raises(AwsError, match="step 'greeter:topic' failed on topic app-dev-greetings: NotFound"):
        run_step(ctx, Broken(settings))


def test_the_documented_local_project(zappa_local, zappa_local_project):
    import urllib.request

    project = zappa_local_project(
        {"dev": {"project_name": "hello", "app_function": "app.app", "s3_bucket": "hello-code", "aws_region": "us-east-1"}},
        files={"app.py": "def app(environ, start_response):\\n    start_response('200 OK', [])\\n    return [b'hi']\\n"})
    project.cli("deploy", "dev", "--local")
    url = project.status()["urls"]["api"]
    assert url.startswith(zappa_local.gateway_endpoint)
    with urllib.request.urlopen(url) as response:
        assert response.read() == b"hi"
    assert project.cli("deploy", "dev", "--local", code=1).returncode == 1  # already deployed: update it instead
    project.cli("undeploy", "dev", "--local", "--yes")
    assert zappa_local.state.aws.client("lambda").list_functions()["Functions"] == []
'''


@pytest.mark.needs_plugins  # a feature plugin's settings or hooks
def test_fixtures_are_available_to_any_test_suite(tmp_path):
    (tmp_path / "test_author.py").write_text(AUTHOR_TESTS)
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
                             str(tmp_path / "test_author.py")], cwd=tmp_path, capture_output=True, text=True,
                            timeout=300, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "7 passed" in result.stdout
