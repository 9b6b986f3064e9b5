"""Checking ``events`` entries against the installed event-source types.

The entries are validated as one list of a discriminated union built from the registered types: each
type's ``matches`` picks the model by the entry's shape, so an entry gets the errors of its own type only,
and an entry no installed type recognises gets a message that lists the installed types.
"""

from __future__ import annotations

import difflib
import functools
import operator
import typing
from typing import Annotated, Any

from pydantic import BaseModel, Discriminator, Tag, TypeAdapter, ValidationError
from zappa_core.records import EventSourceType, SettingsProblem

UNKNOWN = "unknown_event_type"


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


def events_adapter(types: list[EventSourceType]) -> TypeAdapter:
    """A ``TypeAdapter`` of ``list[Union[<each type's model>]]`` discriminated by shape."""
    choices = tuple(Annotated[t.model, Tag(t.type)] for t in types)
    if len(choices) == 1:
        choices += (Annotated[_NoOtherType, Tag("\0none")],)
    members = functools.reduce(operator.or_, choices)  # Union[...] of the installed types' models
    union = Annotated[members, Discriminator(discriminator(types), custom_error_type=UNKNOWN,
                                                   custom_error_message="no installed event type matches this entry")]
    return TypeAdapter(list[union])


class _NoOtherType(BaseModel):
    """Placeholder second member so that a single installed type still forms a union."""


def describe_types(types: list[EventSourceType]) -> str:
    parts = []
    for t in types:
        shape = (getattr(t.matches, "__doc__", None) or "").strip()
        owner = f" from plugin '{t.plugin}'" if t.plugin and t.plugin != "events" else ""
        parts.append(f"{t.type} ({shape}{owner})" if shape else f"{t.type}{owner}")
    return ", ".join(parts)


def _sub_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _sub_model(arg)
        if found is not None:
            return found
    return None


def _fields_at(model: type[BaseModel], path: list[Any]) -> list[str]:
    """The field names of the model found by following ``path`` (names and list indexes) from ``model``."""
    current: type[BaseModel] | None = model
    for part in path:
        if isinstance(part, int) or current is None:
            continue
        field = current.model_fields.get(part)
        current = _sub_model(field.annotation) if field is not None else None
    return list(current.model_fields) if current is not None else []


def _entry_summary(entry: Any) -> str:
    if not isinstance(entry, dict):
        return f"a {type(entry).__name__}, not a mapping"
    source = entry.get("event_source")
    if isinstance(source, dict) and source.get("arn"):
        return f"event_source.arn {source['arn']!r}"
    return "keys " + ", ".join(map(repr, entry)) if entry else "an empty entry"


def _message(err: dict[str, Any], entry: Any, types: list[EventSourceType]) -> str:
    loc = list(err["loc"])
    index = loc[0] if loc and isinstance(loc[0], int) else None
    where = f"events[{index}]" if index is not None else "events"
    if err["type"] == UNKNOWN:
        seen = _entry_summary(entry)
        return (f"{where}: no installed event type matches this entry ({seen}); installed types: "
                f"{describe_types(types)}. Another type may come from a plugin: pip install it and run 'zappa plugins'")
    tag = loc[1] if len(loc) > 1 else None
    path = loc[2:]
    by_tag = {t.type: t for t in types}
    label = f"{where} ({tag})" if tag in by_tag else where
    dotted = ".".join(str(p) for p in path)
    if err["type"] == "extra_forbidden" and tag in by_tag:
        known = _fields_at(by_tag[tag].model, path[:-1])
        close = difflib.get_close_matches(str(path[-1]), known, n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close else (f"; expected one of: {', '.join(known)}" if known else "")
        return f"{label}: {dotted}: unknown key{hint}"
    message = err["msg"].removeprefix("Value error, ")
    return f"{label}: {dotted}: {message}" if dotted else f"{label}: {message}"


def parse_events(raw: list[Any], types: list[EventSourceType]) -> tuple[dict[str, list[Any]], list[SettingsProblem]]:
    """Validate the ``events`` entries: ``({type: [model instances]}, problems)``."""
    tag = discriminator(types)
    try:
        parsed = events_adapter(types).validate_python(raw)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            index = err["loc"][0] if err["loc"] and isinstance(err["loc"][0], int) else None
            entry = raw[index] if index is not None and index < len(raw) else None
            problems.append(SettingsProblem(_message(err, entry, types), key="events"))
        return {}, problems
    grouped: dict[str, list[Any]] = {t.type: [] for t in types}
    for entry in parsed:
        grouped[tag(entry)].append(entry)
    return grouped, consistency_problems(parsed, tag)


def consistency_problems(entries: list[Any], tag: Any) -> list[SettingsProblem]:
    """Rules between entries: one rule name per schedule, one set of options per queue, stream or topic."""
    from zappa_events.mappings import mapping_spec

    problems: list[SettingsProblem] = []
    first: dict[tuple[str, str], tuple[int, Any]] = {}
    for index, entry in enumerate(entries):
        kind = tag(entry)
        if kind in ("sqs", "dynamodb", "kinesis", "sns"):
            options = entry.event_source.filters if kind == "sns" else mapping_spec(entry.event_source)
            key = (kind, entry.event_source.arn)
            if key in first and first[key][1] != options:
                what = "filters" if kind == "sns" else "options (batch_size, enabled, ...)"
                problems.append(SettingsProblem(
                    f"events[{index}] and events[{first[key][0]}] use the same {kind} source {entry.event_source.arn} "
                    f"with different {what}; AWS keeps one {'subscription' if kind == 'sns' else 'mapping'} per source "
                    "and function, so give them the same ones", key="events"))
            first.setdefault(key, (index, options))
    return problems


def rule_name_problems(settings: Any, schedules: list[Any], patterns: list[Any] = ()) -> list[SettingsProblem]:
    from zappa_events import naming

    problems: list[SettingsProblem] = []
    owner: dict[str, str] = {}
    if settings.keep_warm:
        owner[naming.keep_warm_rule_name(settings.function_name)] = "the keep-warm ping"
    for entry in schedules:
        for index, _ in enumerate(entry.all_expressions()):
            rule = naming.rule_name(settings.function_name, entry.function, entry.name, index)
            if rule in owner:
                problems.append(SettingsProblem(
                    f"the schedule of {entry.function} and {owner[rule]} would both be the rule '{rule}'; "
                    "give one of them a different 'name'", key="events"))
            owner.setdefault(rule, f"the schedule of {entry.function}")
    for entry in patterns:
        rule = naming.rule_name(settings.function_name, entry.function, entry.name)
        if rule in owner:
            problems.append(SettingsProblem(
                f"the event pattern of {entry.function} and {owner[rule]} would both be the rule '{rule}'; "
                "give one of them a different 'name'", key="events"))
        owner.setdefault(rule, f"the event pattern of {entry.function}")
    return problems
