"""Deploy-side plugin of zappa_events (registered in the ``zappa`` entry-point group)."""

from __future__ import annotations

from typing import Any

from zappa_core.hookspecs import hookimpl
from zappa_core.records import SettingsProblem, SettingsSection


@hookimpl
def zappa_settings_sections():
    from zappa_events.settings import EventsSettings

    return SettingsSection(name="events", model=EventsSettings, description="schedules, event sources, Lex, Cognito, async tasks")


@hookimpl
def zappa_addhooks(pluginmanager):
    from zappa_events import hookspecs

    pluginmanager.add_hookspecs(hookspecs)


@hookimpl
def zappa_event_sources():
    from zappa_events.sources import BUILTIN_TYPES

    return list(BUILTIN_TYPES)


@hookimpl
def zappa_cli_commands():
    """``zappa schedule`` and ``zappa unschedule``."""
    from zappa_core.records import CliCommand

    from zappa_events.commands import schedule, unschedule

    return [CliCommand(name="schedule", app=schedule, help="Create or update the stage's schedules and event sources (idempotent)."),
            CliCommand(name="unschedule", app=unschedule, help="Remove the stage's schedules and event sources (idempotent).")]


@hookimpl
def zappa_package_include(settings, context):
    """Zappa's import path for async tasks, ``zappa.asynchronous``: a small module that re-exports
    :mod:`zappa_events.asynchronous` in the ``zappa`` namespace package (shipped with the runtime module that imports it)."""
    from pathlib import Path

    from zappa_core.records import PackageInclude

    folder = Path(__file__).resolve().parent.parent / "zappa"
    return [PackageInclude(arcname="zappa/asynchronous.py", source=folder / "asynchronous.py")]


def _plugin_manager(holder: Any) -> Any:
    pm = getattr(holder, "pm", None)
    if pm is None:
        from zappa_core.plugins import get_plugin_manager

        pm = get_plugin_manager()
    return pm


@hookimpl
def zappa_validate_settings(settings):
    from zappa_events.settings import check_schedule_expression
    from zappa_events.sources import event_source_types
    from zappa_events.validation import discriminator, parse_indexed, rule_name_problems

    types = event_source_types(_plugin_manager(settings))
    valid, problems = parse_indexed(settings.events, types)
    if settings.keep_warm:  # Zappa reads the expression only then; an unused one is not a problem
        try:
            check_schedule_expression(settings.keep_warm_expression)
        except ValueError as exc:
            problems.append(SettingsProblem(str(exc), key="keep_warm_expression"))
    tag = discriminator(types)
    problems += rule_name_problems(settings, [(i, e) for i, e in valid if tag(e) == "schedule"],
                                   [(i, e) for i, e in valid if tag(e) == "eventbridge"])
    return problems


def event_steps(settings: Any, pm: Any = None) -> list[Any]:
    """The resource steps of the stage's events: one per installed event-source type (so entries removed
    from the settings are removed from AWS), then Cognito, Lex and async tasks."""
    from zappa_core.settings import SettingsError

    from zappa_events.async_resources import AsyncStep
    from zappa_events.cognito import CognitoStep, LexStep
    from zappa_events.sources import event_source_types
    from zappa_events.validation import parse_events

    types = event_source_types(pm if pm is not None else _plugin_manager(None))
    grouped, problems = parse_events(settings.events, types)
    if problems:
        raise SettingsError(problems)
    steps = [t.binder(grouped.get(t.type, []), settings) for t in types]
    return steps + [CognitoStep(settings), LexStep(settings), AsyncStep(settings)]


@hookimpl
def zappa_plan_resources(settings, context):
    return event_steps(settings, _plugin_manager(context))


@hookimpl
def zappa_stage_status(settings, context):
    """What exists for the stage: rules, notifications, subscriptions, mappings, triggers, async resources."""
    status: dict[str, list[str]] = {}
    for step in event_steps(settings, _plugin_manager(context)):
        existing = getattr(step, "existing", None)
        if existing is None:
            continue
        found = existing(context)
        if found:
            status[step.id.split(":", 1)[-1]] = sorted(found)
    return {"events": status} if status else None
