"""Settings owned by the events plugin: ``events``, keep-warm, Lex, Cognito and async tasks.

The ``events`` list holds entries of several kinds (a schedule, an S3 bucket, an SQS queue, ... or a kind
added by another plugin). Its entries are kept as plain data in the section and checked one by one against
the models of the installed event-source types (see :mod:`zappa_events.validation`), so a third-party type
needs no change here.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from zappa_core.local.schedule_expressions import ScheduleError, parse_schedule

from zappa_events.naming import COGNITO_CONFIG_KEYS, cognito_config_key

_RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
_CRON = re.compile(r"^cron\((\S+ ){5}\S+\)$")


def check_schedule_expression(expression: str) -> str:
    """Accept ``rate(N unit)`` (singular unit for 1) and six-field ``cron(...)`` whose fields EventBridge takes
    (one of day-of-month and day-of-week is ``?``); raise ``ValueError``."""
    m = _RATE.match(expression)
    if m:
        value, unit = int(m.group(1)), m.group(2)
        if value < 1:
            raise ValueError(f"{expression!r}: a rate must be at least 1")
        if (value == 1) != (not unit.endswith("s")):
            fixed = f"rate(1 {unit.rstrip('s')})" if value == 1 else f"rate({value} {unit}s)"
            raise ValueError(f"{expression!r}: write '{fixed}' (AWS wants a singular unit for 1 only)")
        return expression
    if _CRON.match(expression):
        try:  # the field rules EventBridge applies (those the local scheduler runs by)
            parse_schedule(expression)
        except ScheduleError as exc:
            detail = str(exc).split(": ", 1)[-1]
            raise ValueError(f"{expression!r} is not a cron expression EventBridge takes: {detail}") from None
        return expression
    raise ValueError(f"{expression!r} is not a schedule expression: use 'rate(5 minutes)' or 'cron(0 12 * * ? *)'")


def _dotted(value: str) -> str:
    parts = value.split(".")
    if len(parts) < 2 or not all(p.isidentifier() for p in parts):
        raise ValueError(f"{value!r} is not a dotted path to a function, such as 'my_module.my_function'")
    return value


FunctionPath = Annotated[str, AfterValidator(_dotted)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# -- entries of ``events`` ------------------------------------------------------------------------------


class ScheduleEvent(Strict):
    """A function run on a schedule: ``{function, expression | expressions, name, description, enabled, kwargs}``."""

    function: FunctionPath = Field(description="Dotted path of the function, called as `function(event, context)`.")
    expression: str | None = Field(None, description="`rate(...)` or `cron(...)`.")
    expressions: list[str] | None = Field(None, description="Several expressions; one rule each.")
    name: str | None = Field(None, description="Rule name (the function is appended, as Zappa does).")
    description: str | None = Field(None, description="Rule description.")
    enabled: bool = Field(True, description="Create the rule disabled when false.")
    kwargs: dict[str, Any] = Field(default_factory=dict, description="Delivered in the event as `event['kwargs']`.")

    @field_validator("expression")
    @classmethod
    def _expression(cls, value: str | None) -> str | None:
        return None if value is None else check_schedule_expression(value)

    @field_validator("expressions")
    @classmethod
    def _expressions(cls, value: list[str] | None) -> list[str] | None:
        if value is not None and not value:
            raise ValueError("give at least one expression")
        return None if value is None else [check_schedule_expression(v) for v in value]

    @model_validator(mode="after")
    def _one_expression_setting(self) -> ScheduleEvent:
        if (self.expression is None) == (self.expressions is None):
            raise ValueError("give either 'expression' or 'expressions'")
        return self

    def all_expressions(self) -> list[str]:
        return [self.expression] if self.expression is not None else list(self.expressions or [])


class EventPatternEvent(Strict):
    """A function run for EventBridge events that match ``event_pattern`` (on the default bus)."""

    function: FunctionPath
    event_pattern: dict[str, Any] = Field(description="An EventBridge event pattern, e.g. `{\"source\": [\"aws.ec2\"]}`.")
    name: str | None = Field(None, description="Rule name (the function is appended, as for schedules).")
    description: str | None = None
    enabled: bool = True

    @field_validator("event_pattern")
    @classmethod
    def _not_empty(cls, value: dict[str, Any]) -> dict[str, Any]:
        if not value:
            raise ValueError("an event pattern needs at least one field, such as 'source'")
        return value


class LogsSource(Strict):
    arn: str = Field(description="Log group ARN, `arn:aws:logs:<region>:<account>:log-group:<name>`.")
    filter_pattern: str = Field("", description="CloudWatch Logs filter pattern (empty: every line).")


class LogsEvent(Strict):
    function: FunctionPath
    event_source: LogsSource


class KeyFilter(Strict):
    type: Literal["prefix", "suffix"] = Field(description="`prefix` or `suffix` of the object key.")
    value: str


class S3Source(Strict):
    arn: str = Field(description="`arn:aws:s3:::bucket`.")
    events: list[str] = Field(default_factory=lambda: ["s3:ObjectCreated:*"], description="S3 event types.")
    key_filters: list[KeyFilter] = Field(default_factory=list, description="Object key filters.")
    prefix: str | None = Field(None, description="Only keys that begin with this (Zappa's form of a `prefix` key filter).")
    suffix: str | None = Field(None, description="Only keys that end with this (Zappa's form of a `suffix` key filter).")

    @field_validator("events")
    @classmethod
    def _s3_event_names(cls, value: list[str]) -> list[str]:
        for name in value:
            if not name.startswith("s3:"):
                raise ValueError(f"{name!r} is not an S3 event type (e.g. 's3:ObjectCreated:*')")
        return value

    @model_validator(mode="after")
    def _one_rule_of_each_type(self) -> S3Source:
        for kind in ("prefix", "suffix"):
            count = sum(f.type == kind for f in self.key_filters) + bool(getattr(self, kind))
            if count > 1:
                raise ValueError(f"S3 takes one {kind} rule per notification; give the {kind} once, "
                                 f"as '{kind}' or in 'key_filters'")
        return self

    def filter_rules(self) -> list[dict[str, str]]:
        """The notification's key filter rules, from ``key_filters`` and ``prefix``/``suffix`` alike."""
        rules = [{"type": f.type, "value": f.value} for f in self.key_filters]
        rules += [{"type": kind, "value": getattr(self, kind)} for kind in ("prefix", "suffix") if getattr(self, kind)]
        return sorted(rules, key=lambda f: (f["type"], f["value"]))


class SnsSource(Strict):
    arn: str = Field(description="Topic ARN.")
    filters: dict[str, Any] | None = Field(None, description="Subscription filter policy.")
    events: list[str] = Field(default_factory=list, description="Accepted for compatibility; SNS has one event.")


class SqsSource(Strict):
    arn: str = Field(description="Queue ARN.")
    batch_size: int = Field(10, ge=1, le=10000)
    enabled: bool = True
    batch_window: int | None = Field(None, ge=0, le=300, description="MaximumBatchingWindowInSeconds.")
    report_batch_item_failures: bool = Field(False, description="Retry only the records that failed (`batchItemFailures`).")
    events: list[str] = Field(default_factory=list, description="Accepted for compatibility.")


class StreamSource(Strict):
    arn: str = Field(description="DynamoDB stream or Kinesis stream ARN.")
    starting_position: Literal["TRIM_HORIZON", "LATEST"] = "TRIM_HORIZON"
    batch_size: int = Field(100, ge=1, le=10000)
    enabled: bool = True
    batch_window: int | None = Field(None, ge=0, le=300, description="MaximumBatchingWindowInSeconds.")
    report_batch_item_failures: bool = Field(False, description="Retry from the first failed record (`batchItemFailures`).")
    events: list[str] = Field(default_factory=list, description="Accepted for compatibility.")


class S3Event(Strict):
    function: FunctionPath
    event_source: S3Source


class SnsEvent(Strict):
    function: FunctionPath
    event_source: SnsSource


class SqsEvent(Strict):
    function: FunctionPath
    event_source: SqsSource


class DynamoDBEvent(Strict):
    function: FunctionPath
    event_source: StreamSource


class KinesisEvent(Strict):
    function: FunctionPath
    event_source: StreamSource


# -- Lex and Cognito -------------------------------------------------------------------------------------


class BotEventSource(Strict):
    intent: str
    invocation_source: Literal["DialogCodeHook", "FulfillmentCodeHook"]
    arn: str | None = Field(None, description="The intent's ARN (`arn:aws:lex:REGION:ACCOUNT:intent:NAME:VERSION`); "
                            "its region and account scope the permission Lex gets to call the function.")

    @model_validator(mode="after")
    def _arn_of_the_intent(self) -> BotEventSource:
        if self.arn is None:
            return self
        parts = self.arn.split(":")
        if len(parts) < 6 or parts[:3] != ["arn", parts[1], "lex"] or not parts[1].startswith("aws"):
            raise ValueError(f"'arn' must be an Amazon Lex ARN (arn:aws:lex:REGION:ACCOUNT:intent:NAME), not {self.arn!r}")
        if parts[5] == "intent" and len(parts) > 6 and parts[6] != self.intent:
            raise ValueError(f"'arn' names the intent {parts[6]!r}, but 'intent' is {self.intent!r}")
        return self

    def lex_scope(self) -> tuple[str, str] | None:
        """``(region, account)`` of ``arn``, when it is given."""
        if self.arn is None:
            return None
        parts = self.arn.split(":")
        return parts[3], parts[4]


class BotEvent(Strict):
    function: FunctionPath
    event_source: BotEventSource


class CognitoTrigger(Strict):
    source: str = Field(description="A trigger source such as `PreSignUp_SignUp` (its prefix picks the LambdaConfig key).")
    function: FunctionPath

    @field_validator("source")
    @classmethod
    def _known_trigger(cls, value: str) -> str:
        if cognito_config_key(value) not in COGNITO_CONFIG_KEYS:
            raise ValueError(f"unknown Cognito trigger {value!r}; known: {', '.join(COGNITO_CONFIG_KEYS)}")
        return value


class CognitoSettings(Strict):
    user_pool: str = Field(description="User pool id, e.g. `us-east-1_AbC123`.")
    triggers: list[CognitoTrigger] = Field(default_factory=list)


# -- the section -----------------------------------------------------------------------------------------


# The entries are checked one by one against the installed types (zappa_events.validation), so that one
# entry that is not a mapping does not hide the problems of the others.
EventEntries = Annotated[list[Any], WithJsonSchema({"type": "array", "items": {"type": "object"}})]


class EventsSettings(Strict):
    events: EventEntries = Field(default_factory=list, description="Scheduled functions and event sources (S3, SNS, SQS, DynamoDB, Kinesis, and types added by plugins). Each entry is checked against the installed event-source types.")
    keep_warm: bool = Field(True, description="Ping the function on a schedule to keep it warm.")
    keep_warm_expression: str = Field("rate(4 minutes)", description="Schedule of the keep-warm ping (read only with `keep_warm`, as in Zappa).")
    bot_events: list[BotEvent] = Field(default_factory=list, description="Amazon Lex intents: `{function, event_source: {intent, invocation_source}}`.")
    cognito: CognitoSettings | None = Field(None, description="`{user_pool, triggers: [{source, function}]}` Cognito user pool triggers.")
    async_source: Literal["lambda", "sns"] | None = Field(None, description="Default service for `@task`: `lambda` or `sns`.")
    async_resources: bool = Field(True, description="Create the SNS topic and DynamoDB table that async tasks use.")
    async_response_table: str = Field("", description="DynamoDB table for `capture_response=True` task results.")
    async_response_table_read_capacity: int = Field(1, ge=1, description="Read capacity of the response table.")
    async_response_table_write_capacity: int = Field(1, ge=1, description="Write capacity of the response table.")

