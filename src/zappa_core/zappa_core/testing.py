"""pytest fixtures for plugin authors (registered as the ``zappa`` pytest plugin through ``pytest11``).

- ``zappa_pm``: a fresh deploy-side plugin manager with the installed plugins.
- ``zappa_project``: a temporary project folder with a settings file; call it with the stages dict.
- ``zappa_stage``: the validated settings of one stage, from a dict of settings.
- ``zappa_cli``: runs the ``zappa`` command line in this process and returns its exit code and output.
- ``aws_credentials``: fake credentials and region in the environment, so nothing can reach real AWS.
- ``moto_aws``: in-process moto (``mock_aws``) with fake credentials; yields an
  :class:`~zappa_core.aws.AwsClients` factory for ``us-east-1``.
- ``zappa_function``: ``zappa_function("app-dev")`` makes a real function in ``moto_aws`` and returns its
  :class:`DeployedFunction` (the ``core:function`` outputs a plugin's steps plan against).

End to end, through the CLI on the local AWS (what a user runs, then HTTP, WebSockets or events on 127.0.0.1):

- ``zappa_local``: the embedded local AWS (moto server, Lambda executor, gateway with every installed plugin's
  front doors: REST and HTTP APIs, load balancers, function URLs, WebSocket APIs), started once per test module
  and shared by the module's tests; give each test's stage a project name of its own.
- ``zappa_local_project``: ``zappa_local_project({"dev": {...}}, files={"app.py": ...})`` writes a project
  pointed at ``zappa_local`` (as ``zappa local start`` leaves it) and returns its :class:`LocalProject`, whose
  ``cli("deploy", "dev", "--local")`` runs the CLI in its folder.

And for tests of any scope: :func:`local_aws`, the embedded local AWS in this process; :func:`point_at_local`,
a project's ``--local`` commands sent to one; :func:`deploy_function`, a real function on any AWS;
:func:`run_steps`, resource steps planned and applied by the :class:`~zappa_core.engine.Engine` as
``zappa deploy`` and ``zappa undeploy`` do.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pluggy
import pytest

if TYPE_CHECKING:
    from zappa_core.aws import AwsClients
    from zappa_core.engine import Plan
    from zappa_core.plan import Change, DeployContext, FunctionOutputs, ResourceStep

DEFAULT_STAGE = {"app_function": "app.app", "s3_bucket": "test-bucket", "aws_region": "us-east-1"}
#: The handler of :func:`deploy_function` when none is given: answers every event with a 200 "ok".
DEFAULT_HANDLER = "def handler(event, context):\n    return {'statusCode': 200, 'body': 'ok'}\n"
LAMBDA_TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                    "AWS_DEFAULT_REGION": "us-east-1"}


@pytest.fixture
def zappa_pm() -> pluggy.PluginManager:
    from zappa_core.plugins import get_plugin_manager

    return get_plugin_manager()


@pytest.fixture
def zappa_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Path]:
    """Write ``zappa_settings.json`` with ``stages`` (and any ``files``) into a temporary folder and chdir
    into it. Returns the folder."""

    def make(stages: dict[str, Any] | None = None, files: dict[str, str] | None = None) -> Path:
        stages = stages or {"dev": dict(DEFAULT_STAGE)}
        (tmp_path / "zappa_settings.json").write_text(json.dumps(stages, indent=2))
        for name, text in (files or {}).items():
            target = tmp_path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
        monkeypatch.chdir(tmp_path)
        return tmp_path

    return make


@pytest.fixture
def zappa_stage(zappa_project: Callable[..., Path], zappa_pm: Any) -> Callable[..., Any]:
    """``zappa_stage({"memory_size": 1024})``: the validated :class:`~zappa_core.settings.StageSettings` of
    stage ``dev`` (or ``stage=``) with those settings over a minimal valid stage. Bad settings raise
    :class:`~zappa_core.settings.SettingsError` with every problem."""

    def make(settings: dict[str, Any] | None = None, *, stage: str = "dev", base: bool = True) -> Any:
        from zappa_core.settings import load_stages

        body = {**(DEFAULT_STAGE if base else {}), **(settings or {})}
        folder = zappa_project({stage: body})
        return load_stages([stage], pm=zappa_pm, project_dir=folder)[stage]

    return make


@pytest.fixture
def zappa_cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Callable[..., Any]:
    """``zappa_cli(["settings", "show", "dev"], stdin="...")``: run the ``zappa`` command line (the same
    entry point as the console script) in this process, in the current folder. Returns a
    :class:`subprocess.CompletedProcess` with ``returncode``, ``stdout`` and ``stderr``."""
    from zappa_core.__main__ import main

    def run(args: list[str], *, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        monkeypatch.setenv("ZAPPA_NO_CACHE", "1")
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin or ""))
        capsys.readouterr()
        code = main(list(args))
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(list(args), code, out, err)

    return run


@pytest.fixture
def aws_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SECURITY_TOKEN": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(key, value)
    for key in ("AWS_PROFILE", "AWS_REGION", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")


@pytest.fixture
def moto_aws(aws_credentials: None) -> Iterator[AwsClients]:
    from moto import mock_aws

    from zappa_core.aws import AwsClients

    with mock_aws(config={"lambda": {"use_docker": False}}):
        yield AwsClients(region="us-east-1")


@contextmanager
def local_aws(cache_dir: Path, *, for_cli: bool = False, **options: Any) -> Iterator[Any]:
    """The embedded local AWS (:class:`~zappa_core.local.server.LocalAws`) started in this process, with fake
    credentials in the environment and its scheduler off (a test fires rules itself). ``options`` go to
    ``LocalAws`` (``pm=`` gives its gateway the plugins' local routes); ``for_cli`` also points
    ``zappa ... --local`` at it. On exit it is stopped, the Lambda executor is unhooked from moto and the
    environment is restored."""
    from zappa_core.local import moto_seam
    from zappa_core.local.server import LocalAws

    with pytest.MonkeyPatch.context() as mp:
        for key, value in FAKE_CREDENTIALS.items():
            mp.setenv(key, value)
        mp.delenv("AWS_PROFILE", raising=False)
        aws = LocalAws(scheduler=False, cache_dir=cache_dir, **options).start()
        try:
            if for_cli:
                mp.setenv("ZAPPA_LOCAL_ENDPOINT", aws.aws_endpoint)
            yield aws
        finally:
            aws.stop()
            moto_seam.uninstall()


def point_at_local(project: Path, aws: Any) -> None:
    """Send the ``--local`` commands run in ``project`` to ``aws`` (a started :class:`~zappa_core.local.server.LocalAws`):
    the project's ``.zappa/local.json`` names its endpoints, as ``zappa local start`` writes it."""
    from zappa_core.local_state import write_state

    write_state(project, {"aws_endpoint": aws.aws_endpoint, "gateway_endpoint": aws.gateway_endpoint})


@pytest.fixture(scope="module")
def zappa_local(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The embedded local AWS with the installed plugins' front doors, shared by the tests of one module.

    Starting one costs a second or more (moto's import, the executor's first workers), so a module starts it
    once. It is not shared further: moto keeps one state per process, which in-process moto (``moto_aws``)
    resets, so keep tests that use it out of modules that use this. Tests of a module see each other's
    resources: each deploys a project of its own name."""
    from zappa_core.plugins import get_plugin_manager

    with local_aws(tmp_path_factory.mktemp("zappa-local"), pm=get_plugin_manager()) as aws:
        yield aws


@dataclass
class LocalProject:
    """A project folder whose ``--local`` commands reach :attr:`aws`, and the CLI run in it."""

    root: Path
    aws: Any
    run: Callable[..., subprocess.CompletedProcess[str]]

    def cli(self, *args: str, code: int | None = 0, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        """``zappa *args`` in this folder (in this process, as the console script runs it). Fails the test
        unless it exits with ``code`` (``None``: any), showing its output."""
        result = self.run(list(args), cwd=self.root, stdin=stdin)
        assert code is None or result.returncode == code, (
            f"zappa {' '.join(args)}: exit {result.returncode}, expected {code}\n{result.stdout}\n{result.stderr}")
        return result

    def status(self, stage: str = "dev") -> dict[str, Any]:
        """``zappa status STAGE --local --json``, parsed (the public URLs are under ``"urls"``)."""
        return dict(json.loads(self.cli("status", stage, "--local", "--json").stdout))

    def settings(self) -> dict[str, Any]:
        return dict(json.loads((self.root / "zappa_settings.json").read_text()))

    def write_settings(self, stages: dict[str, Any]) -> None:
        (self.root / "zappa_settings.json").write_text(json.dumps(stages, indent=2))


@pytest.fixture
def zappa_local_project(zappa_local: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                        capsys: pytest.CaptureFixture[str]) -> Callable[..., LocalProject]:
    """``zappa_local_project({"dev": {...}}, files={"app.py": source})``: a project in a temporary folder (the
    current one from then on) with those stages and files, pointed at ``zappa_local``.

    Unless ``files`` has a ``requirements.txt``, the project declares no dependencies (an empty one): without
    any, packaging ships every distribution of the environment, as Zappa does, and in a test environment that
    is a package of a hundred megabytes to build, upload and unpack at each cold start."""
    from zappa_core.cli import run as run_cli

    def run(args: list[str], *, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        monkeypatch.chdir(cwd)
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin or ""))
        capsys.readouterr()
        code = run_cli(args)
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(args, code, out, err)

    def make(stages: dict[str, Any], files: dict[str, str] | None = None, name: str = "project") -> LocalProject:
        root = tmp_path / name
        root.mkdir()
        for path, text in {"requirements.txt": "# no dependencies\n", **(files or {})}.items():
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_text(text)
        project = LocalProject(root, zappa_local, run)
        project.write_settings(stages)
        point_at_local(root, zappa_local)
        monkeypatch.chdir(root)
        return project

    return make


# -- resource steps ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeployedFunction:
    """A Lambda function made by :func:`deploy_function`, standing in for what the core's ``core:function``
    step makes, so that a plugin's steps can be tested alone."""

    name: str
    arn: str
    role_arn: str
    aws: AwsClients

    @property
    def outputs(self) -> FunctionOutputs:
        """The ``core:function`` outputs of this function (unqualified: it has no managed alias)."""
        from zappa_core.plan import FunctionOutputs

        return FunctionOutputs(function_name=self.name, function_arn=self.arn, version="$LATEST")

    def context(self, settings: Any, **options: Any) -> DeployContext:
        """A :class:`~zappa_core.plan.DeployContext` for ``settings`` on this function's AWS, with the
        function published as the ``core:function`` step would. ``options`` are the context's other fields
        (``pm``, ``local``, ``echo``, ``command``...)."""
        from zappa_core.plan import DeployContext

        ctx = DeployContext(settings=settings, aws=self.aws, **options)
        ctx.publish_function(self.outputs)
        return ctx


def deploy_function(aws: AwsClients, name: str, *, files: dict[str, str] | None = None,
                    handler: str = "handler.handler", runtime: str = "python3.12", timeout: int = 30) -> DeployedFunction:
    """Create the role ``<name>-role`` and the function ``name`` with boto3 on ``aws`` (in-process moto or
    the local AWS, where the executor runs it): a real zip of ``files`` (``{"handler.py": source}``; by
    default :data:`DEFAULT_HANDLER`)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for arcname, text in (files or {"handler.py": DEFAULT_HANDLER}).items():
            archive.writestr(arcname, text)
    role = aws.client("iam").create_role(RoleName=f"{name}-role", AssumeRolePolicyDocument=LAMBDA_TRUST)["Role"]["Arn"]
    created = aws.client("lambda").create_function(FunctionName=name, Runtime=runtime, Role=role, Handler=handler,
                                                   Code={"ZipFile": buffer.getvalue()}, Timeout=timeout)
    return DeployedFunction(name=name, arn=created["FunctionArn"], role_arn=role, aws=aws)


@pytest.fixture
def zappa_function(moto_aws: AwsClients) -> Callable[..., DeployedFunction]:
    """``zappa_function("app-dev", files=None, handler="handler.handler")``: :func:`deploy_function` on
    ``moto_aws``."""

    def make(name: str, **options: Any) -> DeployedFunction:
        return deploy_function(moto_aws, name, **options)

    return make


def run_steps(ctx: DeployContext, steps: Sequence[ResourceStep], *, destroy: bool = False,
              apply: bool = True) -> Plan:
    """Plan ``steps`` with the :class:`~zappa_core.engine.Engine` and apply the plan, as ``zappa deploy``
    does (``destroy``: as ``zappa undeploy`` does, in reverse order): dependency order, each step's
    planned outputs published in ``ctx.outputs`` before the steps after it are planned, only the changes
    that are not ``unchanged`` applied, a transient AWS error retried and any other raised as
    :class:`~zappa_core.errors.AwsError` naming the step. ``apply=False`` only plans. Returns the plan:
    ``plan.change_for("apigw:rest-api")``, ``plan.changes``."""
    from zappa_core.engine import Engine

    engine = Engine(ctx, list(steps), threads=1, base_delay=0.1)
    plan = engine.plan(destroy=destroy)
    return engine.apply(plan) if apply else plan


def run_step(ctx: DeployContext, step: ResourceStep, *, destroy: bool = False, apply: bool = True) -> Change:
    """:func:`run_steps` with one step; returns its change."""
    return run_steps(ctx, [step], destroy=destroy, apply=apply).changes[0]
