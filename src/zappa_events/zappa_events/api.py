"""What a plugin that adds an event-source type uses from the events plugin: the public, stable names.

A type is an :class:`EventSourceType` returned from the ``zappa_event_sources`` hook (marked with
:data:`hookimpl`). Its binder is usually a :class:`DiffStep`: it lists what the settings want
(``desired``) and what exists (``existing``), and the step creates, updates and deletes the difference.
:func:`function_arn` is the stage function's ARN, :func:`function_mappings` its Lambda event-source mappings
of one service (with :func:`is_enabled` reading their state), :func:`arn_of_service` a ``matches`` function
for the entries whose ``event_source.arn`` is of one AWS service, and :func:`is_not_found` the one rule for
"AWS says it does not exist". Everything else in ``zappa_events`` may change between releases.
"""

from __future__ import annotations

from zappa_core.awserrors import is_not_found
from zappa_core.hookspecs import hookimpl

from zappa_events.awsutil import function_arn
from zappa_events.diffstep import DiffStep, Operation
from zappa_events.mappings import MappingStep, function_mappings, is_enabled, mapping_spec
from zappa_events.records import EventSourceType
from zappa_events.sources import arn_of_service

__all__ = [
    "DiffStep",
    "EventSourceType",
    "MappingStep",
    "Operation",
    "arn_of_service",
    "function_arn",
    "function_mappings",
    "hookimpl",
    "is_enabled",
    "is_not_found",
    "mapping_spec",
]
