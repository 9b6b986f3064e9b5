"""The WebSocket API step against in-process moto: deploy, re-plan, change the routes, undeploy; the
execution role may manage the connections of this API only; status and the template show it."""

from __future__ import annotations

import json

import pytest
from zappa_core.plan import Action
from zappa_core.testing import run_step

pytestmark = pytest.mark.needs_plugins

WS_FILES = {"chat.py": "from zappa.websocket import on_connect\n"}


def test_websocket_api_lifecycle(make_settings, ctx_for, function, zappa_pm):
    from zappa_aws_apigw.websocket_api import WebSocketApiStep

    settings = make_settings(websocket_handler_module="chat", role_name="app-dev-role", files=WS_FILES)
    ctx = ctx_for(settings)
    step = WebSocketApiStep(settings)
    assert run_step(ctx, step).action is Action.CREATE
    assert step.plan(ctx).action is Action.UNCHANGED, step.plan(ctx).details
    v2 = ctx.aws.client("apigatewayv2")
    [api] = [a for a in v2.get_apis()["Items"] if a["ProtocolType"] == "WEBSOCKET"]
    api_id = api["ApiId"]
    assert api["Name"] == "app-dev-ws" and api["Tags"]["ZappaProject"] == "app-dev"
    assert api["RouteSelectionExpression"] == "$request.body.action"
    [integration] = v2.get_integrations(ApiId=api_id)["Items"]
    assert integration["IntegrationType"] == "AWS_PROXY"
    assert integration["IntegrationUri"] == f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{function.arn}/invocations"
    routes = {r["RouteKey"]: r["Target"] for r in v2.get_routes(ApiId=api_id)["Items"]}
    assert routes == dict.fromkeys(("$connect", "$disconnect", "$default"), f"integrations/{integration['IntegrationId']}")
    [stage] = v2.get_stages(ApiId=api_id)["Items"]
    assert stage["StageName"] == "dev" and stage["AutoDeploy"] is True
    assert ctx.outputs[step.id]["url"] == f"wss://{api_id}.execute-api.us-east-1.amazonaws.com/dev"
    assert f"WebSocket URL: wss://{api_id}.execute-api.us-east-1.amazonaws.com/dev" in ctx.lines
    policy = json.loads(ctx.aws.client("lambda").get_policy(FunctionName="app-dev")["Policy"])
    [grant] = [s for s in policy["Statement"] if s["Sid"].startswith("zappa-apigw-ws-")]
    assert grant["Condition"]["ArnLike"]["AWS:SourceArn"] == f"arn:aws:execute-api:us-east-1:123456789012:{api_id}/*"
    role_policy = ctx.aws.client("iam").get_role_policy(RoleName="app-dev-role", PolicyName="zappa-websocket-connections")
    assert role_policy["PolicyDocument"]["Statement"] == [{
        "Effect": "Allow", "Action": ["execute-api:ManageConnections"],
        "Resource": [f"arn:aws:execute-api:us-east-1:123456789012:{api_id}/dev/*/@connections/*"]}]

    [status] = [s for s in zappa_pm.hook.zappa_stage_status(settings=settings, context=ctx) if s]
    assert status["urls"]["websocket"] == f"wss://{api_id}.execute-api.us-east-1.amazonaws.com/dev"

    # custom routes and another selection expression: only those change, on the same API
    changed = make_settings(websocket_handler_module="chat", role_name="app-dev-role", files=WS_FILES,
                            websocket_routes=["sendmessage", "join"], websocket_route_selection_expression="$request.body.type")
    ctx2 = ctx_for(changed)
    plan = WebSocketApiStep(changed).plan(ctx2)
    assert plan.action is Action.UPDATE
    assert sorted(plan.details) == ["route join", "route selection expression -> $request.body.type", "route sendmessage"]
    run_step(ctx2, WebSocketApiStep(changed))
    assert {r["RouteKey"] for r in v2.get_routes(ApiId=api_id)["Items"]} == {"$connect", "$disconnect", "$default", "sendmessage", "join"}
    assert v2.get_api(ApiId=api_id)["RouteSelectionExpression"] == "$request.body.type"

    # the setting removed: the API, its permission and the role policy go
    off = make_settings(role_name="app-dev-role")
    plan = WebSocketApiStep(off).plan(ctx_for(off))
    assert plan.action is Action.DELETE and "role policy zappa-websocket-connections" in plan.details
    run_step(ctx_for(off), WebSocketApiStep(off))
    assert not [a for a in v2.get_apis()["Items"] if a["ProtocolType"] == "WEBSOCKET"]
    assert ctx.aws.client("iam").list_role_policies(RoleName="app-dev-role")["PolicyNames"] == []
    assert WebSocketApiStep(off).plan(ctx_for(off)).action is Action.UNCHANGED


def test_websocket_settings_are_checked(make_settings, tmp_path):
    from zappa_core.settings import SettingsError

    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    good = make_settings(websocket_handler_module="pkg", websocket_routes=["sendmessage", "join-room"])
    assert good.websocket_routes == ["sendmessage", "join-room"]
    bad = [
        ({"websocket_route_selection_expression": "$request.method"}, "'$request.body.<field>'"),
        ({"websocket_routes": ["$custom"]}, "does not start with '$'"),
        ({"websocket_routes": ["a b"]}, "no spaces"),
        ({"websocket_routes": ["x", "x"]}, "listed twice"),
    ]
    for keys, message in bad:
        with pytest.raises(SettingsError) as info:
            make_settings(websocket_handler_module="chat", files=WS_FILES, **keys)
        assert message in str(info.value), (keys, str(info.value))


def test_package_names_handlers_that_no_setting_names(tmp_path, monkeypatch, capsys):
    """Zappa guesses the module from the project's imports; here the package step names it instead."""
    from zappa_core.cli import run

    (tmp_path / "app.py").write_text("def app(environ, start_response):\n    return []\n")
    (tmp_path / "requirements.txt").write_text("")  # the project's imports are read, not the environment's
    (tmp_path / "realtime").mkdir()
    (tmp_path / "realtime" / "__init__.py").write_text("")
    (tmp_path / "realtime" / "ws.py").write_text("from zappa.websocket import on_connect, on_message\n")
    (tmp_path / "zappa_settings.json").write_text(json.dumps({"dev": {
        "project_name": "app", "app_function": "app.app", "s3_bucket": "bucket", "aws_region": "us-east-1"}}))
    monkeypatch.chdir(tmp_path)
    assert run(["package", "dev", "-o", str(tmp_path / "out.zip")]) == 0
    captured = capsys.readouterr()
    assert ("realtime.ws imports zappa.websocket but 'websocket_handler_module' is not set, so no WebSocket API is "
            "deployed (Zappa would guess it): set \"websocket_handler_module\": \"realtime.ws\"") in captured.out + captured.err
