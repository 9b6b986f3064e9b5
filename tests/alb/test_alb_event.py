"""The ALB event the local route builds, and the HTTP response it makes of the function's answer."""

from __future__ import annotations

import base64
import json

import pytest
from zappa_aws_alb.local import AlbRoute, alb_event, alb_response, multi_value_query
from zappa_core.local.http import LocalRequest

pytestmark = pytest.mark.needs_plugins

TG = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/shop-dev/0123456789abcdef"


def test_the_event_has_the_shape_of_the_sample_with_multi_value_headers(repo_root):
    sample = json.loads((repo_root / "tests" / "runtime" / "events" / "albMultiValueQueryStringEvent.json").read_text())
    request = LocalRequest(method="GET", path="/todos", query="parameter1=value1&parameter1=value2&parameter2=value",
                           headers=[("Accept", "*/*"), ("Header2", "value1"), ("header2", "value2")])
    event = alb_event(request, TG)
    assert set(event) == set(sample)
    assert set(event["requestContext"]["elb"]) == set(sample["requestContext"]["elb"])
    assert event["multiValueQueryStringParameters"] == sample["multiValueQueryStringParameters"]
    assert event["multiValueHeaders"]["header2"] == ["value1", "value2"]
    assert event["multiValueHeaders"]["x-forwarded-proto"] == ["http"]
    assert event["multiValueHeaders"]["x-forwarded-port"] == ["80"]
    assert (event["body"], event["isBase64Encoded"]) == ("", False)


def test_query_values_stay_percent_encoded_as_alb_sends_them():
    assert multi_value_query("q=a%20b&q=%E2%9C%93&flag&empty=") == {"q": ["a%20b", "%E2%9C%93"], "flag": [""], "empty": [""]}
    assert multi_value_query("") == {}


def test_a_binary_body_is_base64_and_text_is_not():
    binary = alb_event(LocalRequest(method="post", path="/up", body=b"\xff\x00\x01"), TG)
    assert binary["isBase64Encoded"] and base64.b64decode(binary["body"]) == b"\xff\x00\x01"
    assert binary["httpMethod"] == "POST"
    text = alb_event(LocalRequest(method="POST", path="/up", body="héllo".encode()), TG)
    assert (text["body"], text["isBase64Encoded"]) == ("héllo", False)


def test_the_response_keeps_every_header_value_and_decodes_base64():
    response = alb_response({"statusCode": 302, "statusDescription": "302 Found",
                             "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"], "Location": ["/x"]},
                             "body": base64.b64encode(b"\x89PNG").decode(), "isBase64Encoded": True}, None)
    assert response.status == 302 and response.body == b"\x89PNG"
    assert [v for k, v in response.headers if k == "Set-Cookie"] == ["a=1", "b=2"]
    assert ("content-length", "4") in response.headers


@pytest.mark.parametrize("payload,error,reason", [
    ({"errorMessage": "boom", "errorType": "RuntimeError"}, "Unhandled", "the function failed: boom"),
    ({"body": "no status"}, None, "has no statusCode"),
    ("just a string", None, "has no statusCode"),
    ({"statusCode": "abc"}, None, "is not a number"),
    ({"statusCode": 200, "body": "@@@", "isBase64Encoded": True}, None, "not base64"),
])
def test_a_bad_answer_is_a_502(payload, error, reason):
    response = alb_response(payload, error)
    assert response.status == 502 and reason in json.loads(response.body)["reason"]


def test_the_route_invokes_the_registered_target_with_its_qualifier():
    calls = []

    class State:
        def invoke(self, function, event, qualifier=None):
            calls.append((function, qualifier, event["path"]))
            return {"statusCode": 200, "headers": {"X-One": "1"}, "body": "ok"}, None

    route = AlbRoute(state=State(), target_group_arn=TG, target="arn:aws:lambda:us-east-1:123456789012:function:shop-dev:current")
    response = route(LocalRequest(method="GET", path="/a%2Fb"))
    assert calls == [("arn:aws:lambda:us-east-1:123456789012:function:shop-dev", "current", "/a%2Fb")]
    assert response.status == 200 and response.body == b"ok" and ("X-One", "1") in response.headers
