"""deploy / update / rollback / undeploy / status / invoke / plan through the real CLI, in-process moto,
the core's plugins only (the feature plugins have their own tests; the end-to-end test runs them all)."""

from __future__ import annotations

import base64
import hashlib
import json
import zipfile

import pytest

from .conftest import snapshot

pytestmark = pytest.mark.usefixtures("core_only")


def test_deploy_creates_every_core_resource_tagged(project, zappa, aws):
    result = zappa("deploy", "dev")
    assert result.code == 0, result
    assert "Deployment complete" in result.out
    fn = aws("lambda").get_function(FunctionName="demo-dev")
    conf = fn["Configuration"]
    assert conf["Handler"] == "handler.lambda_handler" and conf["Runtime"] == "python3.11"
    assert conf["MemorySize"] == 512 and conf["Timeout"] == 30
    assert conf["Role"].endswith(":role/demo-dev-ZappaLambdaExecutionRole")
    # the in-progress marker is gone once deploy succeeded; the fingerprint records what was deployed
    assert set(fn["Tags"]) == {"ZappaProject", "ZappaFingerprint"} and fn["Tags"]["ZappaProject"] == "demo-dev"
    alias = aws("lambda").get_alias(FunctionName="demo-dev", Name="current")
    assert alias["FunctionVersion"] == "1"
    role_tags = aws("iam").list_role_tags(RoleName="demo-dev-ZappaLambdaExecutionRole")["Tags"]
    assert {"Key": "ZappaProject", "Value": "demo-dev"} in role_tags
    s3 = aws("s3")
    rule = s3.get_bucket_encryption(Bucket="demo-code-bucket")["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert all(s3.get_public_access_block(Bucket="demo-code-bucket")["PublicAccessBlockConfiguration"].values())
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="demo-code-bucket")["Contents"]]
    assert len(keys) == 1 and keys[0].startswith("demo-dev/") and keys[0].endswith(".zip")
    # the object is the package: its sha256 is the function's code hash
    body = s3.get_object(Bucket="demo-code-bucket", Key=keys[0])["Body"].read()
    assert base64.b64encode(hashlib.sha256(body).digest()).decode() == conf["CodeSha256"]
    assert [g["logGroupName"] for g in aws("logs").describe_log_groups()["logGroups"]] == ["/aws/lambda/demo-dev"]


def test_deploy_refuses_an_existing_stage(project, zappa, aws):
    assert zappa("deploy", "dev").code == 0
    again = zappa("deploy", "dev")
    assert again.code == 1
    assert "already deployed" in again.err and "did you mean: zappa update dev" in again.err


def test_update_of_a_stage_never_deployed_says_so(project, zappa, aws):
    result = zappa("update", "dev")
    assert result.code == 1
    assert "not deployed" in result.err and "zappa deploy dev" in result.err


def test_noop_update_uploads_nothing_and_publishes_nothing(project, zappa, aws, aws_calls):
    assert zappa("deploy", "dev").code == 0
    aws_calls.calls.clear()
    result = zappa("update", "dev", "--json")
    assert result.code == 0, result
    out = result.json()
    assert out["uploaded"] is False and out["bytes_uploaded"] == 0 and out["changes"] == []
    assert out["version"] == "1"
    writes = aws_calls.writes()
    assert writes == [], writes  # not a single write: no PutObject, no UpdateFunctionCode, no PublishVersion


def test_noop_update_with_touch_on_is_one_aws_call(project, zappa, aws, aws_calls):
    project.set(touch=True)  # nothing changed: there is nothing to touch, so no URL is even looked up
    assert zappa("deploy", "dev").code == 0
    aws_calls.calls.clear()
    result = zappa("update", "dev")
    assert result.code == 0, result
    assert "Nothing to update" in result.out and "touch:" not in result.out
    assert aws_calls.calls == [("lambda", "GetFunction")], aws_calls.calls


def test_update_with_new_code_publishes_a_new_version(project, zappa, aws):
    assert zappa("deploy", "dev").code == 0
    before = aws("lambda").get_function_configuration(FunctionName="demo-dev")["CodeSha256"]
    project.write_app("2")
    result = zappa("update", "dev", "--json")
    assert result.code == 0, result
    out = result.json()
    assert out["uploaded"] is True and out["bytes_uploaded"] > 0 and out["version"] == "2"
    after = aws("lambda").get_function_configuration(FunctionName="demo-dev")["CodeSha256"]
    assert after != before
    assert aws("lambda").get_alias(FunctionName="demo-dev", Name="current")["FunctionVersion"] == "2"


def test_configuration_change_is_planned_applied_and_published(project, zappa, aws):
    assert zappa("deploy", "dev").code == 0
    project.set(memory_size=1024, timeout_seconds=60, lambda_description="my app")
    planned = zappa("plan", "dev")
    assert planned.code == 0
    assert "memory_size: 512 -> 1024" in planned.out and "timeout_seconds: 30 -> 60" in planned.out
    assert aws("lambda").get_function_configuration(FunctionName="demo-dev")["MemorySize"] == 512  # plan wrote nothing
    assert zappa("update", "dev").code == 0
    conf = aws("lambda").get_function_configuration(FunctionName="demo-dev", Qualifier="current")
    assert (conf["MemorySize"], conf["Timeout"], conf["Description"]) == (1024, 60, "my app")
    assert conf["Version"] == "2"


def test_remote_environment_variables_are_kept_unless_overwritten(project, zappa, aws):
    project.set(aws_environment_variables={"MODE": "prod", "LEVEL": "1"})
    assert zappa("deploy", "dev").code == 0
    lam = aws("lambda")
    lam.update_function_configuration(FunctionName="demo-dev", Environment={"Variables": {"MODE": "prod", "LEVEL": "1", "SET_BY_HAND": "x"}})
    project.set(aws_environment_variables={"MODE": "staging", "LEVEL": "1"})
    assert zappa("update", "dev").code == 0
    env = lam.get_function_configuration(FunctionName="demo-dev")["Environment"]["Variables"]
    assert env == {"MODE": "staging", "LEVEL": "1", "SET_BY_HAND": "x"}


def test_old_versions_and_their_zips_are_pruned(project, zappa, aws):
    project.set(num_retained_versions=2)
    assert zappa("deploy", "dev").code == 0
    # Two updates: a third would meet moto's numbering of a new version as len(versions) + 1, which repeats
    # numbers once old versions are deleted (AWS never does).
    for version in ("2", "3"):
        project.write_app(version)
        assert zappa("update", "dev").code == 0
    lam = aws("lambda")
    versions = [v["Version"] for v in lam.list_versions_by_function(FunctionName="demo-dev")["Versions"]]
    assert versions == ["$LATEST", "2", "3"]
    keys = [o["Key"] for o in aws("s3").list_objects_v2(Bucket="demo-code-bucket")["Contents"]]
    assert len(keys) == 2  # the zips of the retained versions (rollback uses them); the others are gone


def test_reserved_concurrency_follows_the_settings(project, zappa, aws):
    project.set(lambda_concurrency=5)
    assert zappa("deploy", "dev").code == 0
    assert aws("lambda").get_function_concurrency(FunctionName="demo-dev")["ReservedConcurrentExecutions"] == 5
    project.set(lambda_concurrency=None)
    assert zappa("update", "dev").code == 0
    assert "ReservedConcurrentExecutions" not in aws("lambda").get_function_concurrency(FunctionName="demo-dev")


def test_rollback_makes_the_previous_code_live_again(project, zappa, aws):
    assert zappa("deploy", "dev").code == 0
    lam = aws("lambda")
    first = lam.get_function_configuration(FunctionName="demo-dev")["CodeSha256"]
    project.write_app("2")
    assert zappa("update", "dev").code == 0
    result = zappa("rollback", "dev", "-n", "1")
    assert result.code == 0, result
    assert "version 1's code is live again" in result.out
    assert lam.get_function_configuration(FunctionName="demo-dev")["CodeSha256"] == first
    assert lam.get_function_configuration(FunctionName="demo-dev", Qualifier="current")["CodeSha256"] == first
    # the next update brings the newer code back
    update = zappa("update", "dev", "--json")
    assert update.json()["uploaded"] is False  # its zip is still in S3
    assert lam.get_function_configuration(FunctionName="demo-dev")["CodeSha256"] != first


def test_rollback_further_than_retained_versions_fails_cleanly(project, zappa, aws):
    assert zappa("deploy", "dev").code == 0
    result = zappa("rollback", "dev", "-n", "3")
    assert result.code == 1
    assert "only 0 earlier version(s)" in result.err


def test_undeploy_removes_everything_but_the_shared_bucket(project, zappa, aws):
    assert zappa("deploy", "dev").code == 0
    result = zappa("undeploy", "dev", "--yes", "--remove-logs")
    assert result.code == 0, result
    state = snapshot(aws)
    assert "function" not in state
    assert state["roles"] == [] and state["objects"] == [] and state["log_groups"] == []
    assert state["buckets"] == ["demo-code-bucket"]
    # undeploy from a fresh clone (nothing local) of a stage that is gone: nothing to do, exit 0
    assert zappa("undeploy", "dev", "--yes").code == 0


def test_undeploy_keeps_logs_without_remove_logs(project, zappa, aws):
    assert zappa("deploy", "dev").code == 0
    assert zappa("undeploy", "dev", "--yes").code == 0
    assert [g["logGroupName"] for g in aws("logs").describe_log_groups()["logGroups"]] == ["/aws/lambda/demo-dev"]


def test_undeploy_asks_first_and_removes_nothing_on_no(project, zappa, aws):
    assert zappa("deploy", "dev").code == 0
    result = zappa("undeploy", "dev", stdin="n\n")
    assert result.code == 1 and "cancelled" in result.err
    assert aws("lambda").get_function(FunctionName="demo-dev")
    assert zappa("undeploy", "dev", stdin="y\n").code == 0


def test_undeploy_leaves_a_role_it_does_not_own(project, zappa, aws):
    iam = aws("iam")
    arn = iam.create_role(RoleName="shared-role", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                                 "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
    project.set(manage_roles=False, role_arn=arn)
    assert zappa("deploy", "dev").code == 0
    assert aws("lambda").get_function_configuration(FunctionName="demo-dev")["Role"] == arn
    assert [r["RoleName"] for r in iam.list_roles()["Roles"]] == ["shared-role"]
    assert iam.list_role_policies(RoleName="shared-role")["PolicyNames"] == []
    assert zappa("undeploy", "dev", "--yes").code == 0
    assert [r["RoleName"] for r in iam.list_roles()["Roles"]] == ["shared-role"]


def test_status_json_describes_the_stage(project, zappa, aws):
    assert zappa("deploy", "dev").code == 0
    result = zappa("status", "dev", "--json")
    assert result.code == 0, result
    st = result.json()
    assert st["function_name"] == "demo-dev" and st["live_version"] == "1" and st["versions"] == ["1"]
    assert st["memory_size"] == 512 and st["runtime"] == "python3.11"
    assert st["urls"] == {}  # no front door plugin in this test
    assert st["log_group"] == "/aws/lambda/demo-dev"


def test_status_counts_an_invocation_stamped_in_the_second_it_asks(project, zappa, aws):
    """Lambda stamps a point with its minute: an invocation in the first second of a minute, counted by a status
    in that same second, carries a stamp no earlier than the query's own end (CloudWatch's end is exclusive, to
    the second). A point stamped a little ahead stands for it, whatever second the test runs in."""
    import datetime as dt

    assert zappa("deploy", "dev").code == 0
    stamp = dt.datetime.now(dt.timezone.utc).replace(microsecond=0) + dt.timedelta(seconds=20)
    aws("cloudwatch").put_metric_data(Namespace="AWS/Lambda", MetricData=[{
        "MetricName": "Invocations", "Value": 1.0, "Unit": "Count", "Timestamp": stamp,
        "Dimensions": [{"Name": "FunctionName", "Value": "demo-dev"}]}])
    result = zappa("status", "dev", "--json")
    assert result.code == 0, result
    assert result.json()["invocations_24h"] == 1


def test_status_of_a_stage_not_deployed_exits_1(project, zappa, aws):
    result = zappa("status", "dev")
    assert result.code == 1 and "not deployed" in result.err


def test_plan_json_lists_every_core_step(project, zappa, aws):
    result = zappa("plan", "dev", "--json")
    assert result.code == 0, result
    plan = result.json()
    assert [c["step"] for c in plan["changes"]] == ["core:role", "core:bucket", "core:project-archive", "core:code",
                                                    "core:dependencies-layer", "core:log-group", "core:function",
                                                    "core:secrets"]
    # neither slim_handler nor dependencies_layer nor secrets: nothing to upload, publish or check besides the package
    assert {c["step"]: c["action"] for c in plan["changes"] if c["empty"]} == {
        "core:project-archive": "unchanged", "core:dependencies-layer": "unchanged", "core:secrets": "unchanged"}
    assert {c["action"] for c in plan["changes"] if not c["empty"]} == {"create"}
    assert snapshot(aws)["buckets"] == []  # planning created nothing


def test_invoke_prints_what_the_function_returned(project, zappa, aws):
    assert zappa("deploy", "dev").code == 0
    # In-process moto without the local executor echoes the event back: what was sent is what we see.
    result = zappa("invoke", "dev", "app.hello")
    assert result.code == 0, result
    assert json.loads(result.out) == {"command": "app.hello"}
    raw = zappa("invoke", "dev", "print(1)", "--raw", "--json")
    assert raw.json()["result"] == {"raw_command": "print(1)"}
    bad = zappa("invoke", "dev", "--payload", "{not json")
    assert bad.code == 2


def test_manage_is_for_django_projects(project, zappa, aws):
    result = zappa("manage", "dev", "migrate")
    assert result.code == 2 and "Django" in result.err


def test_prebuilt_zip_and_no_upload(project, zappa, aws, tmp_path):
    assert zappa("deploy", "dev").code == 0
    lam = aws("lambda")
    prebuilt = tmp_path / "prebuilt.zip"
    with zipfile.ZipFile(prebuilt, "w") as zf:
        zf.writestr("handler.py", "def lambda_handler(event, context):\n    return 'prebuilt'\n")
    result = zappa("update", "dev", "-z", str(prebuilt), "--json")
    assert result.code == 0, result
    sha = base64.b64encode(hashlib.sha256(prebuilt.read_bytes()).digest()).decode()
    assert lam.get_function_configuration(FunctionName="demo-dev")["CodeSha256"] == sha
    project.set(memory_size=256)
    no_upload = zappa("update", "dev", "--no-upload", "--json")
    assert no_upload.code == 0, no_upload
    assert no_upload.json()["uploaded"] is False
    conf = lam.get_function_configuration(FunctionName="demo-dev")
    assert conf["CodeSha256"] == sha and conf["MemorySize"] == 256  # configuration updated, code left alone


def test_callbacks_run_at_settings_zip_and_post(project, zappa, aws):
    (project.root / "hooks.py").write_text(
        "import pathlib\n"
        "def note(name):\n"
        "    def f(cli):\n"
        "        with open(pathlib.Path(cli.settings.project_dir) / 'calls.txt', 'a') as fh:\n"
        "            fh.write(f'{name} {cli.lambda_name} {bool(cli.zip_path)}\\n')\n"
        "    return f\n"
        "on_settings, on_zip, on_post = note('settings'), note('zip'), note('post')\n")
    project.set(callbacks={"settings": "hooks.on_settings", "zip": "hooks.on_zip", "post": "hooks.on_post"})
    assert zappa("deploy", "dev").code == 0
    assert (project.root / "calls.txt").read_text().splitlines() == [
        "settings demo-dev False", "zip demo-dev True", "post demo-dev True"]


def test_a_callback_that_cannot_be_imported_stops_before_anything_is_deployed(project, zappa, aws):
    project.set(callbacks={"settings": "no_such_module.on_settings"})
    result = zappa("deploy", "dev")
    assert result.code == 2
    assert "callback 'settings' 'no_such_module.on_settings' cannot be imported" in result.err
    assert aws("lambda").list_functions()["Functions"] == []


def test_all_stages_continue_past_a_failed_stage(project, zappa, aws):
    project.stages["bad"] = dict(project.stages["dev"], project_name="other", role_name="missing-role", manage_roles=False)
    project.stages["prod"] = dict(project.stages["dev"])
    project.save()
    result = zappa("deploy", "--all")
    assert result.code == 1
    assert "deploy summary:" in result.out
    assert "dev" in result.out and "prod" in result.out and "FAILED" in result.out
    names = {f["FunctionName"] for f in aws("lambda").list_functions()["Functions"]}
    assert names == {"demo-dev", "demo-prod"}


def test_a_settings_error_exits_2_without_any_aws_call(project, zappa, aws_calls):
    project.set(memory_sise=1024)
    for command in (("deploy", "dev"), ("update", "dev"), ("undeploy", "dev", "--yes"), ("status", "dev"),
                    ("plan", "dev"), ("rollback", "dev"), ("invoke", "dev", "app.hello"), ("tail", "dev")):
        result = zappa(*command)
        assert result.code == 2, (command, result)
        assert "did you mean 'memory_size'" in result.err
    assert aws_calls.calls == []


def test_a_missing_policy_file_is_a_settings_error(project, zappa, aws_calls):
    project.set(attach_policy="policy.json")
    result = zappa("deploy", "dev")
    assert result.code == 2 and "policy file not found" in result.err
    assert aws_calls.calls == []


def test_update_notices_a_function_changed_by_hand(project, zappa, aws):
    assert zappa("deploy", "dev").code == 0
    lam = aws("lambda")
    lam.update_function_configuration(FunctionName="demo-dev", MemorySize=2048)
    result = zappa("update", "dev", "--json")
    assert result.code == 0, result
    assert lam.get_function_configuration(FunctionName="demo-dev")["MemorySize"] == 512
    assert result.json()["version"] == "2"


def test_refresh_reads_every_resource(project, zappa, aws):
    assert zappa("deploy", "dev").code == 0
    logs = aws("logs")
    logs.delete_log_group(logGroupName="/aws/lambda/demo-dev")
    # same package, same settings, function untouched: update reads only the function ...
    assert zappa("update", "dev").code == 0
    assert logs.describe_log_groups()["logGroups"] == []
    # ... plan and --refresh read everything
    assert "+ core:log-group" in zappa("plan", "dev").out
    assert zappa("update", "dev", "--refresh").code == 0
    assert [g["logGroupName"] for g in logs.describe_log_groups()["logGroups"]] == ["/aws/lambda/demo-dev"]


def test_update_after_a_code_change_alone_plans_only_the_code_and_the_function(project, zappa, aws, aws_calls):
    assert zappa("deploy", "dev").code == 0
    project.write_app("2")
    aws_calls.calls.clear()
    result = zappa("update", "dev")
    assert result.code == 0, result
    assert "(2 change(s), only the code changed)" in result.out
    services = {service for service, _ in aws_calls.calls}
    assert services == {"lambda", "s3"}, aws_calls.calls  # neither the role, the bucket nor the log group is read
    assert aws("lambda").get_alias(FunctionName="demo-dev", Name="current")["FunctionVersion"] == "2"
    again = zappa("update", "dev")
    assert "Nothing to update" in again.out  # what the code-only update applied was recorded


def test_a_code_change_with_a_setting_change_plans_every_step(project, zappa, aws, aws_calls):
    assert zappa("deploy", "dev").code == 0
    project.write_app("2")
    project.set(memory_size=1024)
    aws_calls.calls.clear()
    result = zappa("update", "dev")
    assert result.code == 0, result
    assert "(2 change(s), 3 unchanged)" in result.out
    assert ("iam", "GetRole") in aws_calls.calls
    conf = aws("lambda").get_function_configuration(FunctionName="demo-dev", Qualifier="current")
    assert conf["MemorySize"] == 1024 and conf["Version"] == "2"


def test_a_code_change_after_a_drift_by_hand_puts_the_settings_back(project, zappa, aws):
    assert zappa("deploy", "dev").code == 0
    aws("lambda").update_function_configuration(FunctionName="demo-dev", MemorySize=2048)
    project.write_app("2")
    result = zappa("update", "dev")
    assert result.code == 0, result
    assert "only the code changed" not in result.out
    assert aws("lambda").get_function_configuration(FunctionName="demo-dev", Qualifier="current")["MemorySize"] == 512


def test_a_plugin_step_that_may_follow_the_code_is_planned_after_a_code_change(project, zappa, aws, monkeypatch):
    from zappa_core.hookspecs import hookimpl
    from zappa_core.plan import Action, Change, ResourceStep

    from zappa_core import plugins

    planned = []

    class Watches(ResourceStep):  # says nothing of follows_code: it may read the package
        id = "thirdparty:watch"
        depends_on = ("core:function",)

        def plan(self, ctx):
            planned.append(ctx.function.version)
            return Change(self.id, Action.UNCHANGED, "watch")

    class Plugin:
        @hookimpl
        def zappa_plan_resources(self, settings, context):
            return [Watches()]

    real = plugins.get_plugin_manager
    monkeypatch.setattr(plugins, "get_plugin_manager", lambda **kw: real(plugins=[("watch", Plugin())], **kw))
    assert zappa("deploy", "dev").code == 0
    project.write_app("2")
    result = zappa("update", "dev")
    assert result.code == 0, result
    assert "only the code changed" not in result.out
    assert planned[-1] == "1"  # planned against the live version, before the new one was published
