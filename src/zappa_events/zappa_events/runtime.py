"""Lambda-side plugin of zappa_events (registered in the ``zappa.runtime`` entry-point group).

Recognises the events the stage's settings wire to the function and runs the right user function with
Zappa's signature ``(event, context)``: schedules and the keep-warm ping, S3, SNS, SQS, DynamoDB and
Kinesis records, EventBridge events, CloudWatch Logs subscriptions, Lex intents, Cognito triggers and
async tasks. The routing tables are built once, at cold start, from the settings in the package manifest.

Standard library only at import time (boto3 is imported by async tasks when they need it).
"""

from __future__ import annotations

import json
import logging
import threading
from typing import Any

from zappa_runtime.hookspecs import hookimpl
from zappa_runtime.records import Handled

from zappa_events import naming

log = logging.getLogger("zappa.events")

ASYNC_COMMANDS = ("zappa.asynchronous.route_lambda_task", "zappa_events.asynchronous.route_lambda_task")
SNS_ASYNC_COMMANDS = ("zappa.asynchronous.route_sns_task", "zappa_events.asynchronous.route_sns_task")
STREAM_SOURCES = ("aws:sqs", "aws:dynamodb", "aws:kinesis")
#: What reading a malformed event raises (a string where a list is expected, a missing key, ...).
MALFORMED = (KeyError, TypeError, AttributeError, IndexError, ValueError)


class Route:
    """One user function wired to a source, with the options the runtime needs."""

    __slots__ = ("function", "partial_batch")

    def __init__(self, function: str, partial_batch: bool = False) -> None:
        self.function = function
        self.partial_batch = partial_batch


class Dispatcher:
    """The routing tables of one stage and the dispatch of one event."""

    def __init__(self, settings: dict, runtime: Any) -> None:
        self.runtime = runtime
        self.lambda_name = settings.get("function_name") or _slug(f"{settings.get('project_name', '')}-{settings.get('stage', '')}")
        self.rules: dict[str, tuple[str, dict]] = {}
        self.sources: dict[str, list[Route]] = {}
        self.patterns: list[tuple[dict, str]] = []
        for entry in settings.get("events") or []:
            self._add_entry(entry)
        self.bots = {
            f"{b['event_source']['intent']}:{b['event_source']['invocation_source']}": b["function"]
            for b in settings.get("bot_events") or []
        }
        cognito = settings.get("cognito") or {}
        self.cognito_exact = {t["source"]: t["function"] for t in cognito.get("triggers") or []}
        self.cognito_keys = {naming.cognito_config_key(t["source"]): t["function"] for t in cognito.get("triggers") or []}
        self.async_topic = naming.async_topic_name(self.lambda_name)
        self._in_user_code = threading.local()

    def _add_entry(self, entry: dict) -> None:
        function = entry.get("function")
        if not function:
            return
        source = entry.get("event_source")
        if isinstance(source, dict) and source.get("arn"):
            route = Route(function, bool(source.get("report_batch_item_failures")))
            self.sources.setdefault(source["arn"], []).append(route)
        elif isinstance(entry.get("event_pattern"), dict):
            self.patterns.append((entry["event_pattern"], function))
        expressions = entry.get("expressions") or ([entry["expression"]] if entry.get("expression") else [])
        for index, _ in enumerate(expressions):
            rule = naming.rule_name(self.lambda_name, function, entry.get("name"), index)
            self.rules[rule] = (function, entry.get("kwargs") or {})

    # -- dispatch ------------------------------------------------------------------------------------------

    def handle(self, event: Any, context: Any) -> Handled | None:
        """The result of the function the event is wired to; None when the event is not one of this
        plugin's, or is malformed (the runtime then raises its documented ``UnhandledEventError``). Errors
        of the user's functions are raised as they are."""
        self._in_user_code.active = False
        try:
            return self.dispatch(event, context)
        except MALFORMED as exc:
            if getattr(self._in_user_code, "active", False):
                raise
            log.warning("malformed event, not dispatched (%s: %s)", type(exc).__name__, exc)
            return None

    def dispatch(self, event: Any, context: Any) -> Handled | None:
        if not isinstance(event, dict):
            return None
        if isinstance(event.get("Records"), list) and event["Records"]:
            return self.records(event, context)
        if event.get("command") in ASYNC_COMMANDS:
            from zappa_events.asynchronous import route_lambda_task

            self._in_user_code.active = True
            return Handled(route_lambda_task(event, context))
        if "detail-type" in event and "source" in event:
            return self.eventbridge(event, context)
        if "awslogs" in event:
            return self.logs(event, context)
        if "triggerSource" in event and "userPoolId" in event:
            return self.cognito(event, context)
        if "bot" in event and ("currentIntent" in event or "sessionState" in event):
            return self.lex(event, context)
        return None

    def run(self, function: str, event: Any, context: Any) -> Any:
        self._in_user_code.active = True  # stays set when the function raises: its error is not the event's
        result = self.runtime.run_function(self.runtime.import_function(function), event, context)
        self._in_user_code.active = False
        return result

    def run_all(self, functions: list[str], event: Any, context: Any) -> Handled:
        results = [self.run(f, event, context) for f in functions]
        return Handled(results[0] if len(results) == 1 else results)

    def eventbridge(self, event: dict, context: Any) -> Handled | None:
        if event.get("detail-type") == "Scheduled Event" and event.get("source") == "aws.events":
            resources = event.get("resources") or []
            rule = naming.rule_from_arn(resources[0]) if resources else ""
            if naming.is_keep_warm_rule(rule):
                return Handled({"zappa": "warm"})
            if rule in self.rules:
                function, kwargs = self.rules[rule]
                if kwargs and "kwargs" not in event:
                    event = {**event, "kwargs": kwargs}
                return Handled(self.run(function, event, context))
            legacy = rule.rsplit("-", 1)[-1]  # Zappa's rule names end with the function's dotted path
            if "." in legacy:
                return Handled(self.run(legacy, event, context))
            return None
        functions = [function for pattern, function in self.patterns if pattern_matches(pattern, event)]
        return self.run_all(functions, event, context) if functions else None

    def logs(self, event: dict, context: Any) -> Handled | None:
        group = log_group_of(event)
        functions = [r.function for arn, routes in self.sources.items()
                     if group and ":log-group:" in arn and naming.log_group_name(arn) == group
                     for r in routes]
        return self.run_all(functions, event, context) if functions else None

    def cognito(self, event: dict, context: Any) -> Handled | None:
        source = str(event["triggerSource"])
        function = self.cognito_exact.get(source) or self.cognito_keys.get(naming.cognito_config_key(source))
        if function is None:
            return None
        result = self.run(function, event, context)
        return Handled(event if result is None else result)  # Cognito wants the event back

    def lex(self, event: dict, context: Any) -> Handled | None:
        intent = (event.get("currentIntent") or {}).get("name") or \
            (((event.get("sessionState") or {}).get("intent")) or {}).get("name")
        function = self.bots.get(f"{intent}:{event.get('invocationSource')}")
        return Handled(self.run(function, event, context)) if function else None

    # -- records -------------------------------------------------------------------------------------------

    def records(self, event: dict, context: Any) -> Handled | None:
        first = event["Records"][0]
        if not isinstance(first, dict):
            return None
        if "s3" in first:
            return self.s3(event, context)
        if "Sns" in first:
            return self.sns(event, context)
        if first.get("eventSource") in STREAM_SOURCES:
            return self.streams(event, context)
        return None

    def s3(self, event: dict, context: Any) -> Handled | None:
        s3 = event["Records"][0]["s3"]
        function = naming.function_from_notification_id(str(s3.get("configurationId", "")))
        if function is None:
            routes = self.sources.get((s3.get("bucket") or {}).get("arn", ""), [])
            if not routes:
                return None
            return self.run_all([r.function for r in routes], event, context)
        return Handled(self.run(function, event, context))

    def sns(self, event: dict, context: Any) -> Handled | None:
        record = event["Records"][0]["Sns"]
        topic = str(record.get("TopicArn", ""))
        task = _sns_task(record)
        if task is not None and (topic.rsplit(":", 1)[-1] == self.async_topic or task.get("command") in SNS_ASYNC_COMMANDS):
            from zappa_events.asynchronous import run_task

            self._in_user_code.active = True
            return Handled(run_task(task))
        routes = self.sources.get(topic, [])
        return self.run_all([r.function for r in routes], event, context) if routes else None

    def streams(self, event: dict, context: Any) -> Handled | None:
        by_source: dict[str, list[dict]] = {}
        for record in event["Records"]:
            by_source.setdefault(str(record.get("eventSourceARN", "")), []).append(record)
        outcomes: list[Any] = []
        failures: list[dict] = []
        partial = False
        for arn, records in by_source.items():
            routes = self.sources.get(arn) or self.sources.get(_table_stream_prefix(arn, self.sources)) or []
            if not routes:
                return None
            batch = event if len(by_source) == 1 else {**event, "Records": records}
            for route in routes:
                if route.partial_batch:
                    partial = True
                    failures += self.partial_batch(route.function, batch, context)
                else:
                    outcomes.append(self.run(route.function, batch, context))
        if partial:
            return Handled({"batchItemFailures": _unique(failures)})
        return Handled(outcomes[0] if len(outcomes) == 1 else outcomes)

    def partial_batch(self, function: str, event: dict, context: Any) -> list[dict]:
        """Run ``function`` once per record; return the ``batchItemFailures`` AWS retries.

        SQS retries exactly the failed messages. A stream retries from the first failed record onwards,
        so for streams processing stops at the first failure (later records would run twice otherwise).
        """
        failures: list[dict] = []
        for record in event["Records"]:
            try:
                result = self.run(function, {**event, "Records": [record]}, context)
            except Exception as exc:  # the record is reported, not the whole batch
                self._in_user_code.active = False
                if self.runtime.handle_exception(exc, {**event, "Records": [record]}, context):
                    continue
                log.exception("%s failed on record %s", function, item_identifier(record))
                failures.append({"itemIdentifier": item_identifier(record)})
                if record.get("eventSource") != "aws:sqs":
                    break
                continue
            if isinstance(result, dict) and result.get("batchItemFailures"):
                failures += list(result["batchItemFailures"])
                if record.get("eventSource") != "aws:sqs":
                    break
        return failures


# -- helpers ------------------------------------------------------------------------------------------------


def item_identifier(record: dict) -> str:
    """The id AWS expects in ``batchItemFailures``: the SQS message id or the stream sequence number."""
    if record.get("eventSource") == "aws:sqs":
        return str(record.get("messageId", ""))
    if "kinesis" in record:
        return str(record["kinesis"].get("sequenceNumber", ""))
    return str((record.get("dynamodb") or {}).get("SequenceNumber", ""))


def _unique(items: list[dict]) -> list[dict]:
    seen, out = set(), []
    for item in items:
        key = item.get("itemIdentifier")
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


def _table_stream_prefix(arn: str, sources: dict[str, list[Route]]) -> str:
    """A DynamoDB stream ARN configured without its timestamp label matches the record's full ARN."""
    if "/stream/" not in arn:
        return ""
    table = arn.split("/stream/", 1)[0]
    return next((a for a in sources if a == table or a.startswith(table + "/stream/")), "")


def _sns_task(record: dict) -> dict | None:
    message = record.get("Message")
    if not isinstance(message, str) or '"task_path"' not in message:
        return None
    try:
        task = json.loads(message)
    except ValueError:
        return None
    return task if isinstance(task, dict) and "task_path" in task else None


def log_group_of(event: dict) -> str:
    import base64
    import gzip

    try:
        data = json.loads(gzip.decompress(base64.b64decode(event["awslogs"]["data"])))
    except (KeyError, TypeError, ValueError, OSError):
        return ""
    return str(data.get("logGroup", ""))


def pattern_matches(pattern: dict, event: Any) -> bool:
    """Whether ``event`` matches an EventBridge event pattern (values, prefix, suffix, anything-but,
    exists, equals-ignore-case and numeric comparisons)."""
    if not isinstance(event, dict):
        return False
    for key, expected in pattern.items():
        present, value = key in event, event.get(key)
        if isinstance(expected, dict):
            if not pattern_matches(expected, value):
                return False
        elif isinstance(expected, list):
            if not any(_value_matches(rule, value, present) for rule in expected):
                return False
        elif not (present and value == expected):
            return False
    return True


def _value_matches(rule: Any, value: Any, present: bool) -> bool:
    values = value if isinstance(value, list) else [value]
    if not isinstance(rule, dict):
        return present and rule in values
    if "exists" in rule:
        return present == bool(rule["exists"])
    if not present:
        return False
    if "prefix" in rule:
        return any(isinstance(v, str) and v.startswith(rule["prefix"]) for v in values)
    if "suffix" in rule:
        return any(isinstance(v, str) and v.endswith(rule["suffix"]) for v in values)
    if "equals-ignore-case" in rule:
        return any(isinstance(v, str) and v.lower() == str(rule["equals-ignore-case"]).lower() for v in values)
    if "anything-but" in rule:
        excluded = rule["anything-but"]
        if isinstance(excluded, dict):
            return not _value_matches(excluded, value, present)
        excluded = excluded if isinstance(excluded, list) else [excluded]
        return all(v not in excluded for v in values)
    if "numeric" in rule:
        return any(isinstance(v, (int, float)) and _numeric(rule["numeric"], v) for v in values)
    return False


def _numeric(conditions: list, number: float) -> bool:
    checks = {"=": lambda a, b: a == b, "<": lambda a, b: a < b, "<=": lambda a, b: a <= b,
              ">": lambda a, b: a > b, ">=": lambda a, b: a >= b}
    pairs = zip(conditions[::2], conditions[1::2], strict=False)
    return all(op in checks and checks[op](number, bound) for op, bound in pairs)


def _slug(text: str) -> str:
    import re

    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


# -- hooks --------------------------------------------------------------------------------------------------

_dispatcher: Dispatcher | None = None


@hookimpl
def zappa_runtime_configure(settings, runtime):
    global _dispatcher
    _dispatcher = Dispatcher(settings, runtime)
    from zappa_events import asynchronous

    asynchronous.configure(settings)


@hookimpl
def zappa_runtime_handle_event(event, context):
    if _dispatcher is None:
        return None
    return _dispatcher.handle(event, context)
