"""Checking ``events`` entries against the installed event-source types.

Each entry is validated on its own: its type's ``matches`` picks the model by the entry's shape, so an
entry gets the errors of its own type only (in the words of :mod:`zappa_core.settings.messages`), and an
entry no installed type recognises gets a message that lists the installed types. The rules between
entries then run on the valid ones.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError
from zappa_core.records import SettingsProblem

from zappa_events.records import EventSourceType


def discriminator(types: list[EventSourceType]):
    """The function that names an entry's type from its shape (``None``: no installed type matches)."""

    def tag(entry: Any) -> str | None:
        if isinstance(entry, BaseModel):
            for t in types:
                if isinstance(entry, t.model):
                    return t.type
            return None
        if not isinstance(entry, dict):
            return None
        for t in types:
            if t.matches is not None and t.matches(entry):
                return t.type
        return None

    return tag


def describe_types(types: list[EventSourceType]) -> str:
    parts = []
    for t in types:
        shape = (getattr(t.matches, "__doc__", None) or "").strip()
        owner = f" from plugin '{t.plugin}'" if t.plugin and t.plugin != "events" else ""
        parts.append(f"{t.type} ({shape}{owner})" if shape else f"{t.type}{owner}")
    return ", ".join(parts)


ENTRY_EXAMPLE = '{"function": "app.job", "expression": "rate(1 hour)"}'


def _entry_summary(entry: dict) -> str:
    from zappa_core.settings.messages import show

    source = entry.get("event_source")
    if isinstance(source, dict) and source.get("arn"):
        return f"event_source.arn {show(source['arn'])}"
    return "keys " + ", ".join(map(repr, entry)) if entry else "an empty entry"


# Zappa 0.63 takes an event source of the service 'events' (a rule named by 'rule_name'), but its handler
# never passes the rule's events to the function; here such a rule is an entry of its own.
EVENTS_RULE_SOURCE = (
    "an EventBridge rule is not an event_source here: write the entry without 'event_source', as "
    '{"function": "app.on_event", "event_pattern": {"source": ["aws.ec2"]}, "name": "my-rule"} for the events that '
    'match a pattern, or with "expression" for a schedule; the function then receives each event')


def _is_events_rule_source(entry: dict) -> bool:
    from zappa_core.arns import arn_service

    source = entry.get("event_source")
    return isinstance(source, dict) and isinstance(source.get("arn"), str) and arn_service(source["arn"]) == "events"


def entry_problems(index: int, entry: Any, types: list[EventSourceType]) -> tuple[Any, list[SettingsProblem]]:
    """Validate one entry against the model of its type: ``(model instance or None, problems)``."""
    from zappa_core.settings.messages import explain_error, show

    if not isinstance(entry, dict):
        return None, [SettingsProblem(f"must be a mapping, such as {ENTRY_EXAMPLE}, not {show(entry)}",
                                      key="events", path=(index,))]
    kind = discriminator(types)(entry)
    if kind is None and _is_events_rule_source(entry) and any(t.type == "eventbridge" for t in types):
        return None, [SettingsProblem(EVENTS_RULE_SOURCE, key="events", path=(index, "event_source"))]
    if kind is None:
        return None, [SettingsProblem(
            f"no installed event type matches this entry ({_entry_summary(entry)}); installed types: "
            f"{describe_types(types)}. Another type may come from a plugin: pip install it and run 'zappa plugins'",
            key="events", path=(index,))]
    model = next(t.model for t in types if t.type == kind)
    try:
        return model.model_validate(entry), []
    except ValidationError as exc:
        return None, [SettingsProblem(message, key="events", path=(index, *path))
                      for path, message in explain_error(model, exc)]


def parse_indexed(raw: list[Any], types: list[EventSourceType]) -> tuple[list[tuple[int, Any]], list[SettingsProblem]]:
    """Validate the ``events`` entries one by one: ``([(index, model instance)], problems)`` for the valid
    ones. The rules between entries are checked among the valid entries, so every problem shows at once."""
    tag = discriminator(types)
    problems: list[SettingsProblem] = []
    valid: list[tuple[int, Any]] = []
    for index, entry in enumerate(raw):
        parsed, found = entry_problems(index, entry, types)
        problems += found
        if parsed is not None:
            valid.append((index, parsed))
    return valid, problems + consistency_problems(valid, tag)


def parse_events(raw: list[Any], types: list[EventSourceType]) -> tuple[dict[str, list[Any]], list[SettingsProblem]]:
    """Validate the ``events`` entries: ``({type: [model instances]}, problems)``."""
    tag = discriminator(types)
    valid, problems = parse_indexed(raw, types)
    grouped: dict[str, list[Any]] = {t.type: [] for t in types}
    for _, parsed in valid:
        grouped[tag(parsed)].append(parsed)
    return grouped, problems


def consistency_problems(entries: list[tuple[int, Any]], tag: Any) -> list[SettingsProblem]:
    """Rules between entries: one set of options per queue, stream or topic."""
    from zappa_events.mappings import mapping_spec

    problems: list[SettingsProblem] = []
    first: dict[tuple[str, str], tuple[int, Any]] = {}
    for index, entry in entries:
        kind = tag(entry)
        if kind in ("sqs", "dynamodb", "kinesis", "sns"):
            options = entry.event_source.filters if kind == "sns" else mapping_spec(entry.event_source)
            key = (kind, entry.event_source.arn)
            if key in first and first[key][1] != options:
                what = "filters" if kind == "sns" else "options (batch_size, enabled, ...)"
                problems.append(SettingsProblem(
                    f"events[{first[key][0]}] uses the same {kind} source {entry.event_source.arn} "
                    f"with different {what}; AWS keeps one {'subscription' if kind == 'sns' else 'mapping'} per source "
                    "and function, so give them the same ones", key="events", path=(index,)))
            first.setdefault(key, (index, options))
    return problems


# EventBridge's limit of targets on one rule.
MAX_RULE_TARGETS = 5


def rule_name_problems(settings: Any, schedules: list[tuple[int, Any]],
                       patterns: list[tuple[int, Any]] = ()) -> list[SettingsProblem]:
    """Entries that would be the same EventBridge rule. The same function scheduled twice with the same
    expression shares one rule, with one target (and its own ``kwargs``) per entry, as in Zappa; but a rule
    has one schedule, so different expressions (or states) under one name cannot both be kept."""
    from zappa_events import naming

    problems: list[SettingsProblem] = []
    owner: dict[str, tuple[str, Any]] = {}
    targets: dict[str, int] = {}
    if settings.keep_warm:
        owner[naming.keep_warm_rule_name(settings.function_name)] = ("the keep-warm ping", None)
    for index, entry in schedules:
        for position, expression in enumerate(entry.all_expressions()):
            rule = naming.rule_name(settings.function_name, entry.function, entry.name, position)
            shape = (expression, entry.enabled)
            if rule in owner and owner[rule][1] == shape:
                targets[rule] = targets.get(rule, 1) + 1
                if targets[rule] == MAX_RULE_TARGETS + 1:
                    problems.append(SettingsProblem(
                        f"{entry.function} is scheduled as rule '{rule}' more than {MAX_RULE_TARGETS} times; an "
                        f"EventBridge rule takes at most {MAX_RULE_TARGETS} targets, so give some a different 'name'",
                        key="events", path=(index,)))
                continue
            if rule in owner:
                what, other = owner[rule]
                why = ("an EventBridge rule has one schedule" if other is not None and other[0] != expression
                       else "an EventBridge rule is either enabled or disabled" if other is not None
                       else "the keep-warm ping has its own rule")
                problems.append(SettingsProblem(
                    f"the schedule of {entry.function} ({expression}) and {what} would both be the rule '{rule}', "
                    f"but {why}; give one of them a different 'name'", key="events", path=(index,)))
                continue
            owner[rule] = (f"events[{index}] ({expression})", shape)
    for index, entry in patterns:
        rule = naming.rule_name(settings.function_name, entry.function, entry.name)
        if rule in owner:
            problems.append(SettingsProblem(
                f"the event pattern of {entry.function} and {owner[rule][0]} would both be the rule '{rule}'; "
                "give one of them a different 'name'", key="events", path=(index,)))
        owner.setdefault(rule, (f"the event pattern of events[{index}]", None))
    return problems
