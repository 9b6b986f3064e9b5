"""The event-source types this plugin provides, as :class:`~zappa_events.api.EventSourceType` records.

An entry of ``events`` has no type tag in Zappa's format: its shape decides. A schedule has ``expression``
or ``expressions``; an event source has ``event_source.arn``, whose service (``arn:aws:<service>:``)
picks the type. A plugin adds a type by returning another record from ``zappa_event_sources``; its
``binder(entries, settings)`` returns the resource step that makes those entries real.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from zappa_core.arns import arn_service

from zappa_events.logs import LogsStep
from zappa_events.mappings import DynamoDBStep, KinesisStep, SqsStep
from zappa_events.records import EventSourceType
from zappa_events.s3 import S3Step
from zappa_events.schedules import EventPatternStep, ScheduleStep
from zappa_events.settings import (
    DynamoDBEvent,
    EventPatternEvent,
    KinesisEvent,
    LogsEvent,
    S3Event,
    ScheduleEvent,
    SnsEvent,
    SqsEvent,
)
from zappa_events.sns import SnsStep


def source_arn(entry: dict) -> str:
    source = entry.get("event_source")
    if isinstance(source, dict) and isinstance(source.get("arn"), str):
        return source["arn"]
    return ""


def arn_of_service(service: str) -> Callable[[dict], bool]:
    """A ``matches`` function: the entry's ``event_source.arn`` is of AWS service ``service``."""

    def matches(entry: dict) -> bool:
        return arn_service(source_arn(entry)) == service

    matches.__doc__ = f"event_source.arn is an arn:aws:{service}: ARN"
    return matches


def is_schedule(entry: dict) -> bool:
    """expression or expressions, no event_source"""
    return ("expression" in entry or "expressions" in entry) and "event_source" not in entry


def is_event_pattern(entry: dict) -> bool:
    """event_pattern, no event_source"""
    return "event_pattern" in entry and "event_source" not in entry


BUILTIN_TYPES: tuple[EventSourceType, ...] = (
    EventSourceType(type="schedule", model=ScheduleEvent, binder=ScheduleStep, matches=is_schedule),
    EventSourceType(type="s3", model=S3Event, binder=S3Step, matches=arn_of_service("s3")),
    EventSourceType(type="sns", model=SnsEvent, binder=SnsStep, matches=arn_of_service("sns")),
    EventSourceType(type="sqs", model=SqsEvent, binder=SqsStep, matches=arn_of_service("sqs")),
    EventSourceType(type="dynamodb", model=DynamoDBEvent, binder=DynamoDBStep, matches=arn_of_service("dynamodb")),
    EventSourceType(type="kinesis", model=KinesisEvent, binder=KinesisStep, matches=arn_of_service("kinesis")),
    EventSourceType(type="eventbridge", model=EventPatternEvent, binder=EventPatternStep, matches=is_event_pattern),
    EventSourceType(type="logs", model=LogsEvent, binder=LogsStep, matches=arn_of_service("logs")),
)


def event_source_types(pm: Any) -> list[EventSourceType]:
    """Every installed type (this plugin's and other plugins'); a type tag provided twice is an error."""
    from zappa_core.plugins import collect_records

    return collect_records(pm, "zappa_event_sources", key="type")


def shape_of(entry: Any) -> str:
    """A few words on how a type is recognised, for error messages."""
    matches = getattr(entry, "matches", None)
    return (matches.__doc__ or "").strip() if matches else ""
