"""The one-owner and contribution hooks of packaging, templates and the runtime, exercised through small
plugins registered on fresh plugin managers (as a third-party plugin would)."""

from __future__ import annotations

import json
import sys
import textwrap
import zipfile

import pytest
from zappa_core.hookspecs import hookimpl
from zappa_core.plugins import get_plugin_manager
from zappa_core.records import BuiltPackage, PackageInclude


@pytest.fixture
def project(tmp_path, monkeypatch):
    (tmp_path / "app.py").write_text("def app(environ, start_response):\n    start_response('200 OK', [])\n    return [b'ok']\n")
    (tmp_path / "requirements.txt").write_text("")
    settings = {"dev": {"app_function": "app.app", "s3_bucket": "bucket-for-tests", "aws_region": "us-east-1",
                        "apigateway_enabled": False, "keep_warm": False}}
    (tmp_path / "zappa_settings.json").write_text(json.dumps(settings))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _build(pm, project):
    from zappa_core.packaging import PackageContext
    from zappa_core.settings import load_stage

    settings = load_stage("dev", pm=pm, project_dir=project)
    context = PackageContext(project_dir=project, output=project / "out.zip", quiet=True, pm=pm)
    return pm.hook.zappa_build_package(settings=settings, context=context)


def test_package_include_adds_a_plugin_file_to_the_zip(project):
    class Extra:
        @hookimpl
        def zappa_package_include(self, settings, context):
            return [PackageInclude(arcname="extra/greeting.txt", data=f"hello {settings.stage}".encode())]

    built = _build(get_plugin_manager(plugins=[Extra()]), project)
    with zipfile.ZipFile(built.path) as zf:
        assert zf.read("extra/greeting.txt") == b"hello dev"
        assert "handler.py" in zf.namelist() and "app.py" in zf.namelist()
    # without the plugin the file is not there, and the bytes differ
    plain = _build(get_plugin_manager(), project)
    with zipfile.ZipFile(plain.path) as zf:
        assert "extra/greeting.txt" not in zf.namelist()
    assert plain.sha256 != built.sha256


def test_a_plugin_build_package_replaces_the_core_builder(project):
    made = project / "custom.zip"

    class Builder:
        @hookimpl
        def zappa_build_package(self, settings, context):
            with zipfile.ZipFile(made, "w") as zf:
                zf.writestr("handler.py", "def lambda_handler(event, context):\n    return 'custom'\n")
            return BuiltPackage(path=made, sha256="0" * 64, size=made.stat().st_size, files=1)

    built = _build(get_plugin_manager(plugins=[Builder()]), project)
    assert built.path == made and built.files == 1
    assert not (project / "out.zip").exists()  # the core's builder never ran


def test_cloudformation_template_comes_from_the_front_door_plugin(project, capsys):
    from zappa_core.commands.template import template
    from zappa_core.context import CommandContext

    class FrontDoor:
        @hookimpl
        def zappa_cloudformation_template(self, settings, lambda_arn, role_arn):
            return {"Resources": {"Door": {"Type": "Custom::Door", "Properties": {"Target": lambda_arn, "Role": role_arn}}}}

    ctx = CommandContext(pm=get_plugin_manager(plugins=[FrontDoor()]), stage="dev")
    lam, role = "arn:aws:lambda:us-east-1:123456789012:function:x-dev", "arn:aws:iam::123456789012:role/r"
    assert template(ctx, lambda_arn=lam, role_arn=role) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["Resources"]["Door"]["Properties"] == {"Target": lam, "Role": role}


def test_runtime_configure_is_called_once_with_settings_and_runtime_even_for_late_plugins(tmp_path, monkeypatch):
    from zappa_runtime.runtime import Runtime, make_plugin_manager

    plugin = textwrap.dedent("""
        from zappa_runtime.hookspecs import hookimpl
        CALLS = []
        @hookimpl
        def zappa_runtime_configure(settings, runtime):
            CALLS.append((settings["stage"], runtime))
    """)
    for name in ("early_plugin", "late_plugin"):
        (tmp_path / f"{name}.py").write_text(plugin)
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        runtime = Runtime({"stage": "dev"}, plugin_manager=make_plugin_manager())
        runtime.register_plugins(["early_plugin"])
        runtime.configure_plugins()
        runtime.register_plugins(["late_plugin"])  # historic: configured on registration
        assert sys.modules["early_plugin"].CALLS == [("dev", runtime)]
        assert sys.modules["late_plugin"].CALLS == [("dev", runtime)]
    finally:
        for name in ("early_plugin", "late_plugin"):
            sys.modules.pop(name, None)


def test_bind_domain_gets_the_certify_context_and_must_return_a_binding(zappa_stage):
    """``zappa_bind_domain`` receives the run's deploy context (its AWS clients, local or not) and returns a
    DomainBinding; anything else is the plugin's error, named as such, before any DNS record is written."""
    from zappa_core.commands.certify import bind
    from zappa_core.context import CommandContext
    from zappa_core.errors import PluginError
    from zappa_core.records import DomainBinding

    seen = []

    class Door:
        def __init__(self, answer):
            self.answer = answer

        @hookimpl
        def zappa_bind_domain(self, settings, context, domain, certificate):
            seen.append((context.aws, context.local, context.command))
            return self.answer

    settings = zappa_stage({"domain": "shop.example.com"})
    aws = object()
    good = DomainBinding("shop.example.com", "lb-1.elb.amazonaws.com", "Z35SXDOTRQ7X7K", {"listener": "arn"})
    ctx = CommandContext(pm=get_plugin_manager(load_entry_points=False, plugins=[("door", Door(good))]), local=True)
    assert bind(ctx, settings, aws, "shop.example.com", "arn:aws:acm:us-east-1:1:certificate/a") is good
    assert seen == [(aws, True, "certify")]

    legacy = {"domain": "shop.example.com", "target": "lb-1.elb.amazonaws.com"}
    ctx = CommandContext(pm=get_plugin_manager(load_entry_points=False, plugins=[("door", Door(legacy))]))
    with pytest.raises(PluginError) as caught:
        bind(ctx, settings, aws, "shop.example.com", "arn:aws:acm:us-east-1:1:certificate/a")
    assert "not a DomainBinding" in str(caught.value) and caught.value.exit_code == 2
