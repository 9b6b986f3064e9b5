"""The Lambda side: authorizer events go to the configured ``authorizer.function`` through the runtime."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest
from zappa_runtime.runtime import Runtime

pytestmark = pytest.mark.needs_plugins

AUTH_MODULE = textwrap.dedent("""
    def authorize(event, context):
        token = event.get("authorizationToken") or (event.get("headers") or {}).get("Authorization")
        effect = "Allow" if token == "allow" else "Deny"
        arn = event.get("methodArn") or event.get("routeArn")
        return {"principalId": "user", "policyDocument": {"Version": "2012-10-17", "Statement": [
            {"Action": "execute-api:Invoke", "Effect": effect, "Resource": arn}]}}
""")


@pytest.fixture
def runtime(tmp_path, monkeypatch, repo_root):
    (tmp_path / "auth_app.py").write_text(AUTH_MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    rt = Runtime({"authorizer": {"function": "auth_app.authorize"}}, root=str(tmp_path))
    rt.register_plugins(["zappa_aws_apigw.runtime"])
    rt.configure_plugins()
    return rt


def _event(name: str, repo_root) -> dict:
    return json.loads((repo_root / "tests" / "runtime" / "events" / name).read_text())


def test_token_event_is_answered_by_the_authorizer_function(runtime, repo_root):
    event = _event("apiGatewayAuthorizerTokenEvent.json", repo_root)
    policy = runtime.invoke(event, None)
    assert policy["policyDocument"]["Statement"][0]["Effect"] == "Allow"
    assert policy["policyDocument"]["Statement"][0]["Resource"] == event["methodArn"]
    event["authorizationToken"] = "nope"
    assert runtime.invoke(event, None)["policyDocument"]["Statement"][0]["Effect"] == "Deny"


def test_request_events_v1_and_v2_are_answered(runtime, repo_root):
    v1 = _event("apiGatewayAuthorizerRequestEvent.json", repo_root)
    assert runtime.invoke(v1, None)["policyDocument"]["Statement"][0]["Resource"] == v1["methodArn"]
    v2 = _event("apiGatewayAuthorizerV2Event.json", repo_root)
    assert runtime.invoke(v2, None)["policyDocument"]["Statement"][0]["Resource"] == v2["routeArn"]


def test_without_an_authorizer_function_the_event_is_not_ours(tmp_path, repo_root):
    from zappa_runtime.records import UnhandledEventError

    rt = Runtime({"authorizer": None}, root=str(tmp_path))
    rt.register_plugins(["zappa_aws_apigw.runtime"])
    rt.configure_plugins()
    with pytest.raises(UnhandledEventError):
        rt.invoke(_event("apiGatewayAuthorizerTokenEvent.json", repo_root), None)


def test_other_events_are_left_alone(runtime):
    from zappa_aws_apigw.runtime import zappa_runtime_handle_event

    assert zappa_runtime_handle_event({"type": "TOKEN"}, None) is None  # no methodArn: not an authorizer
    assert zappa_runtime_handle_event({"Records": []}, None) is None


def test_runtime_module_imports_only_the_standard_library_and_pluggy():
    code = textwrap.dedent("""
        import sys
        before = set(sys.modules)
        import zappa_aws_apigw.runtime
        new = {m.split('.')[0] for m in set(sys.modules) - before}
        allowed = {'zappa_aws_apigw', 'pluggy', 'zappa_runtime'} | set(sys.stdlib_module_names)
        print(sorted(new - allowed))
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
