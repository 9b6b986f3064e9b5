"""The events settings: Zappa's keys and defaults, entries checked as a union of the installed types."""

from __future__ import annotations

import pytest
from zappa_core.settings import SettingsError


def problems(load_settings, **keys) -> list[str]:
    with pytest.raises(SettingsError) as caught:
        load_settings(**keys)
    return [f"{p.where}: {p.message}" for p in caught.value.problems]


def test_zappa_defaults(load_settings):
    settings = load_settings()
    assert settings.events == [] and settings.bot_events == [] and settings.cognito is None
    assert settings.keep_warm is True and settings.keep_warm_expression == "rate(4 minutes)"
    assert settings.async_source is None and settings.async_resources is True
    assert settings.async_response_table == ""
    assert (settings.async_response_table_read_capacity, settings.async_response_table_write_capacity) == (1, 1)


def test_each_entry_gets_the_errors_of_its_own_type(load_settings):
    found = problems(load_settings, events=[
        {"function": "app.tick", "expression": "every minute"},
        {"function": "app.tick", "expression": "rate(1 hour)", "expressions": ["rate(2 hours)"]},
        {"function": "app.photo", "event_source": {"arn": "arn:aws:s3:::photos", "events": ["ObjectCreated"]}},
        {"function": "app.stream", "event_source": {"arn": "arn:aws:kinesis:us-east-1:1:stream/s", "starting_position": "EARLIEST"}},
        {"function": "app.job", "event_source": {"arn": "arn:aws:sqs:us-east-1:1:q", "batch_size": 0}},
    ])
    assert problems_about(found, 0) == ["events[0].expression: 'every minute' is not a schedule expression: use 'rate(5 minutes)' or 'cron(0 12 * * ? *)'"]
    assert problems_about(found, 1) == ["events[1]: give either 'expression' or 'expressions'"]
    assert "'ObjectCreated' is not an S3 event type" in problems_about(found, 2)[0]
    assert problems_about(found, 3) == ["events[3].event_source.starting_position: must be one of 'TRIM_HORIZON', 'LATEST', not 'EARLIEST'"]
    assert problems_about(found, 4) == ["events[4].event_source.batch_size: must be at least 1, not 0"]


def problems_about(found: list[str], index: int) -> list[str]:
    return [p for p in found if p.startswith((f"events[{index}].", f"events[{index}]:"))]


def test_an_unknown_shape_lists_the_installed_types(load_settings):
    [message] = problems(load_settings, events=[{"function": "app.x", "schedule": "rate(1 minute)"}])
    assert message.startswith("events[0]: no installed event type matches this entry (keys 'function', 'schedule')")
    for shape in ("schedule (expression or expressions, no event_source)", "sqs (event_source.arn is an arn:aws:sqs: ARN)",
                  "eventbridge (event_pattern, no event_source)"):
        assert shape in message


def test_one_source_with_two_sets_of_options_is_refused(load_settings):
    queue = "arn:aws:sqs:us-east-1:123456789012:jobs"
    [message] = problems(load_settings, events=[
        {"function": "app.a", "event_source": {"arn": queue, "batch_size": 5}},
        {"function": "app.b", "event_source": {"arn": queue, "batch_size": 10}}])
    assert message.startswith("events[1]: events[0] uses the same sqs source")
    same = load_settings(events=[{"function": "app.a", "event_source": {"arn": queue}},
                                 {"function": "app.b", "event_source": {"arn": queue}}])
    assert len(same.events) == 2  # several handlers of one queue: one mapping, both run


def test_two_schedules_that_would_share_a_rule_are_refused(load_settings):
    [message] = problems(load_settings, events=[{"function": "app.tick", "expression": "rate(1 hour)"},
                                                {"function": "app.tick", "expression": "rate(2 hours)"}])
    assert "would both be the rule 'demo-dev-app.tick'" in message and "different 'name'" in message


def test_lex_cognito_and_keep_warm_are_typed(load_settings):
    found = problems(load_settings, keep_warm_expression="rate(0 minutes)",
                     bot_events=[{"function": "app.lex", "event_source": {"intent": "Order", "invocation_source": "Hook"}}],
                     cognito={"user_pool": "us-east-1_X", "triggers": [{"source": "PreSignIn", "function": "app.f"}]})
    text = "\n".join(found)
    assert "rate must be at least 1" in text
    assert "bot_events[0].event_source.invocation_source: must be one of 'DialogCodeHook', 'FulfillmentCodeHook', not 'Hook'" in text
    assert "unknown Cognito trigger 'PreSignIn'" in text


def test_stage_status_lists_what_exists(driver, load_settings, moto_aws):
    from zappa_events.plugin import zappa_stage_status

    settings = load_settings(events=[{"function": "app.tick", "expression": "rate(1 minute)"}])
    assert zappa_stage_status(settings, driver.context(settings)) is None
    driver.apply(settings)
    assert zappa_stage_status(settings, driver.context(settings)) == {"events": {"schedule": [
        "demo-dev-app.tick", "demo-dev-zappa-keep-warm-handler.keep_warm_callback"]}}


def test_validation_uses_the_plugins_of_the_manager_that_loads_the_settings(tmp_path):
    """A type from a plugin registered in code (not installed) is known to validation, and unknown to a
    manager without that plugin: validation asks the manager that loads the settings, not a new one."""
    import json

    from pydantic import BaseModel
    from zappa_core.hookspecs import hookimpl
    from zappa_core.plugins import get_plugin_manager
    from zappa_core.settings import load_stage
    from zappa_events.api import EventSourceType

    class QueueEvent(BaseModel):
        function: str
        event_source: dict

    class QueuePlugin:
        @hookimpl
        def zappa_event_sources(self):
            return EventSourceType(type="mq", model=QueueEvent, binder=None,
                                   matches=lambda entry: entry.get("event_source", {}).get("arn", "").startswith("arn:aws:mq:"))

    entry = {"function": "app.on_order", "event_source": {"arn": "arn:aws:mq:us-east-1:1:broker:orders:b-1"}}
    (tmp_path / "zappa_settings.json").write_text(json.dumps({"dev": {
        "app_function": "app.app", "s3_bucket": "deploy-bucket", "aws_region": "us-east-1", "events": [entry]}}))
    settings = load_stage("dev", pm=get_plugin_manager(plugins=[("mq", QueuePlugin())]), project_dir=tmp_path)
    assert settings.events == [entry]
    with pytest.raises(SettingsError) as caught:
        load_stage("dev", pm=get_plugin_manager(), project_dir=tmp_path)
    assert any(p.where == "events[0]" and "no installed event type" in p.message for p in caught.value.problems)
