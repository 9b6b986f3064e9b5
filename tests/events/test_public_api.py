"""The events plugin's contract with event-source plugins: the ``zappa_event_sources`` hook it publishes
(documented like the core's hooks) and ``zappa_events.api``, the one module such a plugin imports."""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import pytest
from zappa_core.plugins import get_plugin_manager

REPO = Path(__file__).resolve().parents[2]
MQ_PLUGIN = REPO / "examples" / "zappa-mq-events" / "zappa_mq_events"


def test_the_hook_is_published_by_the_events_plugin_and_documented():
    import zappa_core.hookspecs

    from zappa_events import hookspecs

    assert not hasattr(zappa_core.hookspecs, "zappa_event_sources")  # the core knows no event source
    assert get_plugin_manager().hook.zappa_event_sources.spec.namespace is hookspecs
    signature = f"zappa_event_sources({', '.join(inspect.signature(hookspecs.zappa_event_sources).parameters)})"
    text = (REPO / "docs" / "plugins.md").read_text()
    section = text[text.index(f"### `{signature}`"):]
    section = section[:section.find("\n### ", 5)]
    assert re.search(r"\*\*Kind:\*\* collect", section) and "zappa_events.api" in section


def test_without_the_events_plugin_no_manager_has_the_hook(monkeypatch):
    monkeypatch.setenv("ZAPPA_DISABLE_PLUGINS", "events")
    pm = get_plugin_manager()
    assert pm.get_plugin("events") is None and not hasattr(pm.hook, "zappa_event_sources")
    assert "schedule" not in {name for _, name in _commands(pm)}


def _commands(pm):
    from zappa_core.plugins import collect_records

    return [(record.plugin, record.name) for record in collect_records(pm, "zappa_cli_commands", key="name")]


def test_schedule_and_unschedule_are_the_events_plugins_commands():
    commands = sorted(_commands(get_plugin_manager()))
    assert [c for c in commands if c[0] == "events"] == [("events", "schedule"), ("events", "unschedule")]
    assert not [c for c in commands if c[1] in ("schedule", "unschedule") and c[0] != "events"]


def test_every_public_name_is_importable_and_documented():
    from zappa_events import api

    for name in api.__all__:
        assert getattr(api, name) is not None
        assert f"`{name}`" in (REPO / "docs" / "reference" / "events.md").read_text(), name


@pytest.mark.parametrize("path", sorted(MQ_PLUGIN.glob("*.py")), ids=lambda p: p.name)
def test_the_mq_example_imports_only_the_public_module(path):
    imported = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
        elif isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
    zappa = {name for name in imported if name.startswith(("zappa_events", "zappa_core"))}
    assert zappa <= {"zappa_events.api"}, zappa
