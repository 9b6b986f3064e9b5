"""The plugin manager on fresh managers with small plugin classes."""

from __future__ import annotations

import sys
import textwrap
from importlib import metadata

import pytest
from zappa_core.errors import PluginError
from zappa_core.hookspecs import hookimpl
from zappa_core.plugins import collect_records, get_plugin_manager, plugin_infos
from zappa_core.records import CliCommand, SettingsSection

from zappa_core import plugins as plugins_module


class Commands:
    def __init__(self, *names):
        self.names = names

    @hookimpl
    def zappa_cli_commands(self):
        return [CliCommand(name=n, app=lambda: None) for n in self.names]


def test_core_plugins_are_registered_first_and_named():
    pm = get_plugin_manager(load_entry_points=False)
    names = [name for name, plugin in pm.list_name_plugin() if plugin is not None]
    assert names[:3] == ["core.settings", "core.packaging", "core.resources"]


def test_disable_plugins_blocks_by_name(monkeypatch):
    monkeypatch.setenv("ZAPPA_DISABLE_PLUGINS", " alb , core.resources")
    pm = get_plugin_manager()
    assert pm.get_plugin("alb") is None and pm.is_blocked("alb")
    assert pm.get_plugin("core.resources") is None
    assert pm.get_plugin("core.settings") is not None


def test_records_are_stamped_with_their_plugin():
    pm = get_plugin_manager(load_entry_points=False, plugins=[("first", Commands("hello"))])
    records = collect_records(pm, "zappa_cli_commands", key="name")
    (record,) = [r for r in records if r.name == "hello"]
    assert record.plugin == "first"
    assert {r.plugin for r in records if r is not record} <= {"core.secrets"}  # the core's own command


def test_duplicate_record_names_name_both_plugins():
    pm = get_plugin_manager(load_entry_points=False, plugins=[("first", Commands("hello")), ("second", Commands("hello"))])
    with pytest.raises(PluginError) as info:
        collect_records(pm, "zappa_cli_commands", key="name")
    assert "'hello' is provided by both plugin" in str(info.value)
    assert "plugin 'first'" in str(info.value) and "plugin 'second'" in str(info.value)
    assert info.value.exit_code == 2


def test_settings_key_declared_by_two_plugins_is_an_error(tmp_path):
    from pydantic import BaseModel, ConfigDict
    from zappa_core.settings import load_stages

    class Clashing(BaseModel):
        model_config = ConfigDict(extra="forbid")
        memory_size: int = 1

    class Plugin:
        @hookimpl
        def zappa_settings_sections(self):
            return SettingsSection(name="clashing", model=Clashing)

    (tmp_path / "zappa_settings.json").write_text('{"dev": {}}')
    pm = get_plugin_manager(load_entry_points=False, plugins=[("clashing", Plugin())])
    with pytest.raises(PluginError) as info:
        load_stages(["dev"], pm=pm, project_dir=tmp_path)
    assert "setting 'memory_size' is declared by plugin" in str(info.value)
    assert "plugin 'clashing' (section 'clashing')" in str(info.value)
    assert "plugin 'core.settings' (section 'core')" in str(info.value)


def _fake_entry_points(monkeypatch, tmp_path, modules: dict[str, str], eps: list[tuple[str, str]]):
    for name, source in modules.items():
        (tmp_path / f"{name}.py").write_text(textwrap.dedent(source))
    monkeypatch.syspath_prepend(str(tmp_path))
    entries = [metadata.EntryPoint(name=n, value=v, group="zappa") for n, v in eps]
    monkeypatch.setattr(plugins_module, "_entry_points", lambda group: sorted(entries, key=lambda e: e.name))


def test_broken_plugin_warns_and_is_skipped(monkeypatch, tmp_path):
    _fake_entry_points(monkeypatch, tmp_path, {
        "zp_broken_mod": "raise RuntimeError('boom at import')",
        "zp_good_mod": """
            from zappa_core.hookspecs import hookimpl
            @hookimpl
            def zappa_package_exclude(settings):
                return ["*.md"]
        """,
    }, [("broken", "zp_broken_mod"), ("good", "zp_good_mod")])
    with pytest.warns(plugins_module.PluginLoadWarning, match="plugin 'broken' .* RuntimeError: boom at import"):
        pm = get_plugin_manager()
    assert pm.get_plugin("broken") is None and pm.get_plugin("good") is not None
    sys.modules.pop("zp_good_mod", None)


def test_name_clash_is_a_clear_error(monkeypatch, tmp_path):
    _fake_entry_points(monkeypatch, tmp_path, {"zp_a": "", "zp_b": ""}, [("same", "zp_a"), ("same", "zp_b")])
    with pytest.raises(PluginError, match="two plugins are named 'same'") as info:
        get_plugin_manager()
    assert "ZAPPA_DISABLE_PLUGINS=same" in str(info.value)


def test_plugin_infos_list_hooks_of_code_registered_plugins():
    pm = get_plugin_manager(load_entry_points=False, plugins=[("mine", Commands("x"))])
    infos = {i.name: i for i in plugin_infos(pm)}
    assert infos["mine"].hooks == ("zappa_cli_commands",)
    assert infos["mine"].distribution == "(registered in code)"
    assert "zappa_settings_sections" in infos["core.settings"].hooks


def test_addhooks_lets_a_plugin_publish_its_own_hooks():
    import pluggy

    spec = pluggy.HookspecMarker("zappa")

    class Specs:
        @spec
        def zappa_custom_thing(self):
            """A hook of a plugin."""

    class Publisher:
        @hookimpl
        def zappa_addhooks(self, pluginmanager):
            pluginmanager.add_hookspecs(Specs)

    class Implementer:
        @hookimpl
        def zappa_custom_thing(self):
            return 42

    pm = get_plugin_manager(load_entry_points=False, plugins=[("publisher", Publisher()), ("impl", Implementer())])
    assert pm.hook.zappa_custom_thing() == [42]


def test_plugin_command_clashing_with_a_builtin_is_an_error():
    from zappa_core.cli import build_command

    pm = get_plugin_manager(load_entry_points=False, plugins=[("bad", Commands("deploy"))])
    with pytest.raises(PluginError, match="adds a command 'deploy', which is a built-in command"):
        build_command(pm)


def test_a_plugin_can_read_another_settings_file_format(tmp_path):
    """zappa_load_settings_file is firstresult: a plugin's reader runs before the core's default."""
    from zappa_core.settings import load_stages
    from zappa_core.settings.files import LoadedFile

    class IniReader:
        @hookimpl
        def zappa_load_settings_file(self, path):
            if path.suffix != ".ini":
                return None
            data, lines, stage = {}, {}, None
            for number, line in enumerate(path.read_text().splitlines(), start=1):
                if line.startswith("["):
                    stage = line.strip("[]")
                    data[stage], lines[(stage,)] = {}, number
                elif "=" in line:
                    key, value = (part.strip() for part in line.split("=", 1))
                    data[stage][key], lines[(stage, key)] = value, number
            return LoadedFile(path, data, lines, "ini")

    path = tmp_path / "settings.ini"
    path.write_text("[dev]\ns3_bucket = code-bucket\nremote_evn = x\n")
    pm = get_plugin_manager(load_entry_points=False, plugins=[("ini", IniReader())])
    with pytest.raises(Exception) as info:
        load_stages(["dev"], pm=pm, settings_file=path, project_dir=tmp_path)
    assert f"{path}:3, stage 'dev': 'remote_evn': unknown setting; did you mean 'remote_env'?" in str(info.value)
    path.write_text("[dev]\ns3_bucket = code-bucket\n")
    assert load_stages(["dev"], pm=pm, settings_file=path, project_dir=tmp_path)["dev"].s3_bucket == "code-bucket"
