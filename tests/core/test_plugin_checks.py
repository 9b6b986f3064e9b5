"""Every hook a plugin implements is declared (zappa_core.plugin_checks), and every hook is called through the
plugin manager, so that a hook wrapper sees it: fresh managers with small plugin classes."""

from __future__ import annotations

import types
import warnings

import pluggy
import pytest
from zappa_core.errors import PluginError
from zappa_core.hookspecs import hookimpl
from zappa_core.plugin_checks import FEATURE_HOOKS, UnknownHookWarning
from zappa_core.plugins import call_each, collect_records, get_plugin_manager
from zappa_core.records import CliCommand


class Misspelled:
    @hookimpl
    def zappa_package_excludes(self, settings):  # the hook is zappa_package_exclude
        return ["*.log"]

    @hookimpl
    def zappa_package_exclude(self, settings):
        return ["*.tmp"]


class Commands:
    @hookimpl
    def zappa_cli_commands(self):
        return [CliCommand(name="greet", app=lambda: None)]


class EventSources:
    @hookimpl
    def zappa_event_sources(self):
        return []


def test_a_third_party_plugin_with_an_unknown_hook_is_warned_about_and_skipped():
    with pytest.warns(UnknownHookWarning, match="plugin 'typo' implements 'zappa_package_excludes', which no hook "
                                                "specification declares .* the plugin was skipped"):
        pm = get_plugin_manager(load_entry_points=False, plugins=[("typo", Misspelled()), ("mine", Commands())])
    assert pm.get_plugin("typo") is None, "its correctly named hooks are left out too: the plugin is skipped whole"
    assert pm.get_plugin("mine") is not None
    assert "*.tmp" not in [p for ps in pm.hook.zappa_package_exclude(settings=None) for p in ps or ()]
    pm.check_pending()  # what is left passes pluggy's own check


def test_every_unknown_hook_of_the_plugin_is_named():
    class Two:
        @hookimpl
        def zappa_plan_resource(self, settings, context):
            return []

        @hookimpl
        def zappa_validate_setting(self, settings):
            return []

    with pytest.warns(UnknownHookWarning, match="'zappa_plan_resource', 'zappa_validate_setting'"):
        get_plugin_manager(load_entry_points=False, plugins=[("two", Two())])


def test_a_built_in_plugin_with_an_unknown_hook_is_an_error():
    module = types.ModuleType("zappa_aws_alb.stale")  # one of the project's own distributions

    @hookimpl
    def zappa_local_route(settings, state):
        return []

    module.zappa_local_route = zappa_local_route
    with pytest.raises(PluginError, match=r"plugin 'alb\.stale' implements 'zappa_local_route', which no hook "
                                          r"specification declares") as info:
        get_plugin_manager(load_entry_points=False, plugins=[("alb.stale", module)])
    assert "report it" in info.value.hint


def test_the_installed_plugins_implement_only_declared_hooks():
    """Every plugin of the project, loaded from its entry point: none is out of step with the specifications
    (one would raise here)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pm = get_plugin_manager()
    pm.check_pending()


@pytest.mark.needs_plugins  # a feature plugin's settings or hooks
def test_a_feature_hook_is_checked_after_the_feature_publishes_it():
    """``zappa_event_sources`` is declared by the events plugin through ``zappa_addhooks``: registered with it,
    an implementation is a known hook (the check runs after the historic call)."""
    pm = get_plugin_manager(plugins=[("queues", EventSources())])
    assert pm.hook.zappa_event_sources.has_spec()
    assert pm.get_plugin("queues") is not None


def test_a_hook_of_a_feature_that_is_not_there_is_kept_quietly():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pm = get_plugin_manager(load_entry_points=False, plugins=[("queues", EventSources())])
    assert not pm.hook.zappa_event_sources.has_spec()
    assert pm.get_plugin("queues") is not None


def test_an_optional_hook_is_not_an_error():
    class Optional:
        @hookimpl(optionalhook=True)
        def zappa_something_later(self):
            return 1

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pm = get_plugin_manager(load_entry_points=False, plugins=[("later", Optional())])
    assert pm.get_plugin("later") is not None


@pytest.mark.needs_plugins  # a feature plugin's settings or hooks
def test_feature_hooks_are_those_the_features_publish():
    from zappa_certs import hookspecs as certs
    from zappa_events import hookspecs as events

    published = {}
    for extra, module in (("events", events), ("certs", certs)):
        pm = pluggy.PluginManager("zappa")
        pm.add_hookspecs(module)
        published.update((name, extra) for name in vars(pm.hook) if not name.startswith("_"))
    assert published == FEATURE_HOOKS


# -- every call goes through the plugin manager ----------------------------------------------------------


class Spy:
    """A hook wrapper recording the hooks it wraps and what they returned."""

    def __init__(self):
        self.seen: list[tuple[str, object]] = []

    def record(self, name):
        result = yield
        self.seen.append((name, result))
        return result

    @hookimpl(wrapper=True)
    def zappa_cli_commands(self):
        return (yield from self.record("zappa_cli_commands"))

    @hookimpl(wrapper=True)
    def zappa_plan_resources(self, settings, context):
        return (yield from self.record("zappa_plan_resources"))

    @hookimpl(wrapper=True)
    def zappa_local_routes(self, settings, state):
        return (yield from self.record("zappa_local_routes"))


def test_a_hook_wrapper_sees_the_calls_made_plugin_by_plugin():
    spy = Spy()
    pm = get_plugin_manager(load_entry_points=False, plugins=[("mine", Commands()), ("spy", spy)])
    records = collect_records(pm, "zappa_cli_commands", "name")
    assert ("mine", "greet") in [(r.plugin, r.name) for r in records]
    commanders = [impl for impl in pm.hook.zappa_cli_commands.get_hookimpls() if not impl.wrapper]
    assert len(spy.seen) == len(commanders) > 1, "once per plugin, each call wrapped"
    assert [["greet"]] in [[[c.name for c in cs] for cs in result] for _, result in spy.seen]


def test_the_engine_and_the_local_gateway_call_through_the_manager(zappa_stage):
    from zappa_core.engine import collect_steps
    from zappa_core.local.gateway import routes_from_plugins
    from zappa_core.plan import DeployContext

    class Routes:
        @hookimpl
        def zappa_local_routes(self, settings, state):
            return []

    spy = Spy()
    pm = get_plugin_manager(load_entry_points=False, plugins=[("routes", Routes()), ("spy", spy)])
    traced: list[str] = []
    undo = pm.add_hookcall_monitoring(lambda name, impls, kwargs: traced.append(name), lambda *a: None)
    try:
        steps = collect_steps(DeployContext(settings=zappa_stage({"project_name": "app"}), aws=None, pm=pm))
        routes_from_plugins(pm, state=None)()
    finally:
        undo()
    assert "core:function" in [step.id for _, step in steps]
    planners = [impl for impl in pm.hook.zappa_plan_resources.get_hookimpls() if not impl.wrapper]
    assert [name for name, _ in spy.seen].count("zappa_plan_resources") == len(planners)
    assert sum(len(result) for name, result in spy.seen if name == "zappa_plan_resources") == len(planners)
    assert ("zappa_local_routes", [[]]) in spy.seen
    assert "zappa_plan_resources" in traced and "zappa_local_routes" in traced


def test_call_each_keeps_each_plugins_answer_apart():
    class Other(Commands):
        @hookimpl
        def zappa_cli_commands(self):
            return [CliCommand(name="wave", app=lambda: None)]

    pm = get_plugin_manager(load_entry_points=False, plugins=[("mine", Commands()), ("other", Other())])
    def answers(**options):
        return [(plugin, command.name) for plugin, command in call_each(pm, "zappa_cli_commands", **options)
                if plugin in ("mine", "other")]

    assert answers() == [("other", "wave"), ("mine", "greet")]  # pluggy's order: the last registered first
    assert answers(registration_order=True) == [("mine", "greet"), ("other", "wave")]
