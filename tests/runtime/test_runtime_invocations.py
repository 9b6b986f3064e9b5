"""Direct invocations (`zappa invoke`, `zappa manage`), unknown events and malformed HTTP events."""

from __future__ import annotations

import copy
import json

import events_factory as ev
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rtharness import LambdaError, load_event


def test_command_runs_a_dotted_function_with_zappa_signatures(lambda_app):
    worker = lambda_app("raw")
    assert worker.invoke({"command": "hooks.add", "a": 2, "b": 3}) == 5


def test_raw_command_returns_what_it_printed(lambda_app):
    assert lambda_app("raw").invoke({"raw_command": "import os\nprint(6 * 7, os.environ['STAGE'])"}) == "42 dev\n"


def test_the_cold_start_sets_zappa_environment_variables(lambda_app):
    source = "import os\nprint(os.environ['SERVERTYPE'], os.environ['FRAMEWORK'], os.environ['PROJECT'])"
    assert lambda_app("raw").invoke({"raw_command": source}) == "AWS Lambda Zappa rt-raw\n"


def test_stage_variables_become_environment_variables_and_impossible_names_are_skipped(lambda_app):
    worker = lambda_app("raw")
    stage_vars = {"RT_DB_HOST": "db.internal", "": "empty", "A=B": "eq", "NUL\x00": "nul", "RT_BAD_VALUE": "x\x00y"}
    response = worker.invoke(dict(ev.rest(), stageVariables=stage_vars))
    assert response["statusCode"] == 200
    source = "import os\nprint(os.environ.get('RT_DB_HOST'), os.environ.get('RT_BAD_VALUE'), 'A' in os.environ)"
    assert worker.invoke({"raw_command": source}) == "db.internal None False\n"


def test_a_failing_command_is_raised_unless_the_exception_handler_swallows_it(lambda_app):
    worker = lambda_app("raw")
    with pytest.raises(LambdaError) as raised:
        worker.invoke({"command": "hooks.fail"})
    assert (raised.value.name, raised.value.message) == ("ValueError", "command failed")
    assert worker.invoke({"command": "hooks.fail", "swallow": True}) is None
    assert worker.invoke({"command": "hooks.errors_seen"})[-2:] == ["ValueError: command failed"] * 2


def test_manage_runs_a_django_management_command(lambda_app):
    out = lambda_app("django").invoke({"manage": "check"})
    assert out == "System check identified no issues (0 silenced).\n"


def test_an_unknown_event_is_a_clear_error_naming_its_keys(lambda_app):
    worker = lambda_app("raw")
    with pytest.raises(LambdaError) as raised:
        worker.invoke({"zzz": 1, "aaa": {"nested": True}})
    assert raised.value.name == "UnhandledEventError"
    assert raised.value.message == "no runtime plugin recognises this event (top-level keys: aaa, zzz)"
    assert "no runtime plugin recognises this event; top-level keys: aaa, zzz" in worker.logs()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)
SAMPLES = [load_event(name) for name in (
    "apiGatewayProxyEvent.json", "apiGatewayProxyV2Event.json", "albEvent.json",
    "albMultiValueHeadersEvent.json", "lambdaFunctionUrlIAMEvent.json",
)]
FIELDS = ["httpMethod", "path", "rawPath", "rawQueryString", "headers", "multiValueHeaders", "body",
          "isBase64Encoded", "cookies", "queryStringParameters", "multiValueQueryStringParameters",
          "requestContext", "stageVariables", "version"]


@st.composite
def malformed_http_events(draw):
    event = copy.deepcopy(draw(st.sampled_from(SAMPLES)))
    for _ in range(draw(st.integers(1, 4))):
        field = draw(st.sampled_from(FIELDS))
        where = event
        if field == "requestContext" and isinstance(event.get("requestContext"), dict) and draw(st.booleans()):
            where, field = event["requestContext"], draw(st.sampled_from(["http", "identity", "stage", "elb"]))
        if draw(st.booleans()):
            where[field] = draw(json_values)
        else:
            where.pop(field, None)
    return event


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(event=malformed_http_events())
def test_malformed_http_events_never_crash_the_handler(lambda_app, event):
    worker = lambda_app("raw")
    try:
        response = worker.invoke(event)
    except LambdaError as exc:
        # no longer an HTTP request at all (e.g. `requestContext` gone): a clear error, never the app
        assert exc.name == "UnhandledEventError"
    else:
        assert isinstance(response["statusCode"], int)
        if response["statusCode"] != 200:
            assert 400 <= response["statusCode"] < 600
            assert "message" in json.loads(response["body"])
    assert worker.alive()


@pytest.mark.parametrize(
    "event",
    [
        dict(ev.rest(), httpMethod=7),
        dict(ev.rest(), headers=["not", "a", "dict"], multiValueHeaders=None),
        dict(ev.rest(), body={"not": "text"}),
        dict(ev.v2(), rawPath=["x"]),
        dict(ev.alb(), path=None, httpMethod=None),
    ],
    ids=["method", "headers", "body", "path", "alb-nulls"],
)
def test_broken_http_events_get_a_400(lambda_app, event):
    response = lambda_app("raw").invoke(event)
    assert response["statusCode"] == 400
