"""Zappa's forms load, and every problem reads in one style, all at once, where it is written: through the
real ``zappa`` command (``settings check``, ``settings show``), with nothing calling AWS."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.needs_plugins

BASE = {"app_function": "app.app", "s3_bucket": "code-bucket", "aws_region": "us-east-1", "runtime": "python3.12"}


@pytest.fixture
def check(zappa_cli, tmp_path, monkeypatch):
    """Write ``stages`` to a settings file (JSON by default) and run ``zappa <args>`` on it."""

    def run(stages: dict | str, *args: str, name: str = "zappa_settings.json"):
        monkeypatch.chdir(tmp_path)
        text = stages if isinstance(stages, str) else json.dumps(stages, indent=2)
        (tmp_path / name).write_text(text)
        return zappa_cli(list(args) or ["settings", "check"])

    return run


def problem_lines(result) -> list[str]:
    """The problems printed, without the file path (each line ``:LINE, stage ...: 'key': message``)."""
    return [line.split("zappa_settings", 1)[1].split(":", 1)[1] for line in result.stderr.splitlines()
            if line.startswith("  - ")]


def shown(check, stage: dict) -> dict:
    result = check({"dev": {**BASE, **stage}}, "settings", "show", "dev")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


# -- Zappa's forms are accepted -----------------------------------------------------------------------------


def test_s3_prefix_and_suffix_as_zappa_writes_them(check):
    entry = {"function": "app.on_upload", "event_source": {
        "arn": "arn:aws:s3:::uploads", "events": ["s3:ObjectCreated:*"], "prefix": "photos/", "suffix": ".jpg"}}
    assert shown(check, {"events": [entry]})["events"] == [entry]


def test_s3_prefix_beside_key_filters_of_another_type_and_the_same_type_twice(check):
    source = {"arn": "arn:aws:s3:::uploads", "prefix": "in/", "key_filters": [{"type": "suffix", "value": ".csv"}]}
    assert shown(check, {"events": [{"function": "app.f", "event_source": source}]})
    twice = {**source, "key_filters": [{"type": "prefix", "value": "out/"}]}
    result = check({"dev": {**BASE, "events": [{"function": "app.f", "event_source": twice}]}})
    assert result.returncode == 2
    assert problem_lines(result) == ["10, stage 'dev': 'events[0].event_source': S3 takes one prefix rule per "
                                     "notification; give the prefix once, as 'prefix' or in 'key_filters'"]


@pytest.mark.parametrize(("written", "read"), [("WARN", "WARN"), ("FATAL", "FATAL"), ("warning", "WARNING"),
                                               ("info", "INFO"), ("Critical", "CRITICAL")])
def test_any_level_name_python_logging_accepts(check, written, read):
    assert shown(check, {"log_level": written})["log_level"] == read


def test_a_level_logging_does_not_know_is_refused_with_the_closest(check):
    result = check({"dev": {**BASE, "log_level": "WARNINGS"}})
    assert problem_lines(result) == ["7, stage 'dev': 'log_level': must be one of 'CRITICAL', 'FATAL', 'ERROR', "
                                     "'WARNING', 'WARN', 'INFO', 'DEBUG', 'NOTSET', not 'WARNINGS'; did you mean 'WARNING'?"]


def test_bot_events_arn_is_accepted_and_must_name_the_intent(check):
    arn = "arn:aws:lex:us-east-1:123456789012:intent:OrderFlowers:$LATEST"
    entry = {"function": "app.lex", "event_source": {"arn": arn, "intent": "OrderFlowers",
                                                       "invocation_source": "DialogCodeHook"}}
    assert shown(check, {"bot_events": [entry]})["bot_events"][0]["event_source"]["arn"] == arn
    other = {**entry, "event_source": {**entry["event_source"], "intent": "BookTrip"}}
    result = check({"dev": {**BASE, "bot_events": [other]}})
    assert problem_lines(result) == ["10, stage 'dev': 'bot_events[0].event_source': 'arn' names the intent "
                                     "'OrderFlowers', but 'intent' is 'BookTrip'"]


def test_app_function_with_django_settings(check):
    settings = shown(check, {"django_settings": "proj.settings"})
    assert (settings["app_function"], settings["django_settings"]) == ("app.app", "proj.settings")


def test_one_function_twice_with_different_kwargs_on_one_expression(check):
    events = [{"function": "app.report", "expression": "rate(1 day)", "kwargs": {"region": r}} for r in ("eu", "us")]
    assert shown(check, {"events": events})["events"] == events


def test_user_keys_are_kept_and_never_checked(check):
    settings = shown(check, {"x_regex_excludes": [r".*\.pyc$"], "x_notes": {"owner": 3}})
    assert settings["x_regex_excludes"] == [r".*\.pyc$"] and settings["x_notes"] == {"owner": 3}
    result = check({"dev": {**BASE, "X_notes": True}})  # only the lower-case prefix is the user's
    assert problem_lines(result) == ["7, stage 'dev': 'X_notes': unknown setting; to keep a value of your own here, "
                                     "name it 'x_notes'"]


# -- every problem at once, in one style --------------------------------------------------------------------


def test_every_problem_of_every_stage_in_one_run(check):
    """An unknown key does not hide the old runtime, a type error does not hide a rule, and a second
    stage's problems come in the same run."""
    result = check({
        "dev": {**BASE, "memroy_size": 512, "runtime": "python3.6", "manage_roles": False, "memory_size": "big"},
        "prod": {**BASE, "timeout": 60, "slim_handler": True, "s3_bucket": "YOUR_BUCKET"},
    })
    assert result.returncode == 2
    assert problem_lines(result) == [
        "6, stage 'dev': 'runtime': Lambda no longer runs python3.6; use python3.9 or later, such as 'python3.12'",
        "7, stage 'dev': 'memroy_size': unknown setting; did you mean 'memory_size'?",
        "8, stage 'dev': 'manage_roles': 'manage_roles: false' needs 'role_name' or 'role_arn'",
        "9, stage 'dev': 'memory_size': must be a whole number, not 'big'",
        "13, stage 'prod': 's3_bucket': 'YOUR_BUCKET' is not a valid S3 bucket name (it has upper-case letters): S3 "
        "bucket names are 3 to 63 lowercase letters, digits, '.' and '-', beginning and ending with a letter or digit; "
        "it looks like a placeholder that was not filled in",
        "16, stage 'prod': 'timeout': unknown setting; did you mean 'timeout_seconds'?",
    ]
    assert "4 settings problem(s)" not in result.stderr and "6 settings problem(s)" in result.stderr


def test_a_rule_about_a_value_that_is_itself_wrong_is_not_repeated(check):
    result = check({"dev": {**BASE, "manage_roles": False, "role_name": 7}})
    assert problem_lines(result) == ["8, stage 'dev': 'role_name': must be a string (or null), not 7"]


def test_check_names_a_stage_or_checks_all_and_says_so(check):
    stages = {"dev": BASE, "prod": {"extends": "dev", "memory_size": 1024}}
    result = check(stages)
    assert result.returncode == 0 and result.stdout.endswith(": 2 stage(s) valid: dev, prod\n")
    result = check(stages, "settings", "check", "prod")
    assert result.stdout.endswith(": 1 stage(s) valid: prod\n")


def test_check_json_lists_the_problems(check):
    result = check({"dev": {**BASE, "timout_seconds": 3}}, "settings", "check", "--json")
    assert result.returncode == 2
    report = json.loads(result.stdout)
    assert report["valid"] is False
    [problem] = report["problems"]
    assert (problem["stage"], problem["key"], problem["line"]) == ("dev", "timout_seconds", 7)
    assert problem["message"] == "unknown setting; did you mean 'timeout_seconds'?"


def test_an_inherited_value_is_reported_where_it_is_written_naming_who_inherits_it(check):
    text = ('{\n  "base": {\n    "s3_bucket": "code-bucket",\n    "log_level": "LOUD"\n  },\n'
            '  "dev": {"extends": "base", "app_function": "app.app"},\n'
            '  "prod": {"extends": "base", "timeout_seconds": 0}\n}\n')
    result = check(text, "deploy", "dev")
    assert problem_lines(result) == [
        "4, stage 'base' (inherited by 'dev'): 'log_level': must be one of 'CRITICAL', 'FATAL', 'ERROR', 'WARNING', "
        "'WARN', 'INFO', 'DEBUG', 'NOTSET', not 'LOUD'"]
    result = check(text)
    assert problem_lines(result) == [
        "4, stage 'base' (inherited by 'dev', 'prod'): 'log_level': must be one of 'CRITICAL', 'FATAL', 'ERROR', "
        "'WARNING', 'WARN', 'INFO', 'DEBUG', 'NOTSET', not 'LOUD'",
        "7, stage 'prod': 'timeout_seconds': must be at least 1, not 0"]


def test_an_inherited_nested_value_points_at_its_own_line(check):
    text = ("base:\n  s3_bucket: code-bucket\n  events:\n    - function: app.tick\n      expression: rate(5 minute)\n"
            "dev:\n  extends: base\n")
    result = check(text, "settings", "check", "dev", name="zappa_settings.yml")
    assert problem_lines(result) == [
        "5, stage 'base' (inherited by 'dev'): 'events[0].expression': 'rate(5 minute)': write 'rate(5 minutes)' "
        "(AWS wants a singular unit for 1 only)"]


@pytest.mark.parametrize(("key", "value", "message"), [
    ("iam_authorizer", True, "unknown setting; did you mean 'iam_authorization'?"),
    ("timeout", 30, "unknown setting; did you mean 'timeout_seconds'?"),
    ("memory", 1024, "unknown setting; did you mean 'memory_size'?"),
    ("asgi", True, "unknown setting; did you mean \"app_type\": \"asgi\"?"),
    ("region", "us-east-1", "unknown setting; did you mean 'aws_region'?"),
    ("stage", "dev", "unknown setting: a stage is named by the key that holds its settings, and the API Gateway "
                     "stage is named after it; remove it"),
    ("include_packages", ["requests"], "unknown setting: the dependencies shipped are those the app declares "
     "(requirements.txt or pyproject.toml); 'include' adds shared libraries (.so) and 'exclude' leaves files out"),
    ("comment", "prod stage", "unknown setting; JSON has no comments key, but this file may use // and /* */ "
     "comments; or keep the note under an 'x_' key (such as 'x_comment'), which is yours and never checked"),
    ("owner_team", "web", "unknown setting; to keep a value of your own here, name it 'x_owner_team'"),
    ("http_methods", ["GET"], "Zappa no longer has this setting and nothing replaces it: API Gateway sends every "
     "HTTP method to the app (one {proxy+} route) since Zappa 0.36.1 (2017); remove it"),
    ("parameter_depth", 8, "Zappa no longer has this setting and nothing replaces it: API Gateway sends every path "
     "to the app (one {proxy+} route) since Zappa 0.36.1 (2017); remove it"),
    ("integration_response_codes", [200], "Zappa no longer has this setting and nothing replaces it: the app's own "
     "status codes reach the client unchanged since Zappa 0.36.1 (2017); remove it"),
    ("method_response_codes", [200], "Zappa no longer has this setting and nothing replaces it: the app's own status "
     "codes reach the client unchanged since Zappa 0.36.1 (2017); remove it"),
    ("lets_encrypt_expression", "rate(15 days)", "Zappa no longer has this setting and nothing replaces it: Zappa 0.41 "
     "(2017) stopped renewing certificates on a schedule; run 'zappa certify' to renew; remove it"),
    ("extra_tags", {"team": "web"}, "Zappa renamed this setting: write 'tags'"),
    ("using_route53", False, "Zappa renamed this setting: write 'route53_enabled'"),
], ids=lambda v: v if isinstance(v, str) and " " not in v else None)
def test_unknown_keys_get_advice_beyond_spelling(check, key, value, message):
    result = check({"dev": {**BASE, key: value}})
    assert result.returncode == 2
    assert problem_lines(result) == [f"7, stage 'dev': '{key}': {message}"]


def test_a_comment_key_in_yaml_is_pointed_at_yaml_comments(check):
    result = check("dev:\n  s3_bucket: code-bucket\n  comment: the dev stage\n", name="zappa_settings.yml")
    assert problem_lines(result) == ["3, stage 'dev': 'comment': unknown setting; write a # comment instead, or keep "
                                     "the note under an 'x_' key (such as 'x_comment'), which is yours"]


@pytest.mark.parametrize("runtime", ["python2.7", "python3.6", "python3.8"])
def test_every_old_runtime_reads_the_same(check, runtime):
    result = check({"dev": {**BASE, "runtime": runtime}})
    assert problem_lines(result) == [f"6, stage 'dev': 'runtime': Lambda no longer runs {runtime}; use python3.9 or "
                                     "later, such as 'python3.12'"]


def test_a_placeholder_region(check):
    result = check({"dev": {**BASE, "aws_region": "your-region-here"}})
    assert problem_lines(result) == ["5, stage 'dev': 'aws_region': 'your-region-here' is not an AWS region; it looks "
                                     "like a placeholder that was not filled in (a region looks like 'us-east-1')"]


@pytest.mark.parametrize(("region", "hint"), [
    ("mars-north-1", "a region looks like 'us-east-1' or 'eu-west-2'"),
    ("us-est-1", "did you mean 'us-east-1' or 'us-west-1'?"),
    ("us-east1", "did you mean 'us-east-1'?"),
    ("EU_WEST_1", "did you mean 'eu-west-1'?"),
])
def test_a_region_botocore_does_not_know(check, region, hint):
    import botocore

    result = check({"dev": {**BASE, "aws_region": region}})
    [line] = problem_lines(result)
    assert line.startswith(f"5, stage 'dev': 'aws_region': {region!r} is not an AWS region; {hint} (if it is a region "
                           f"newer than botocore {botocore.__version__}")


@pytest.mark.parametrize(("bucket", "reason"), [
    ("YOUR_BUCKET_NAME", "it has upper-case letters"),
    ("my_bucket", "it has '_'"),
    ("ab", "it is too short"),
    ("<bucket>", "it has characters S3 does not allow"),
    ("-bucket-", "it does not begin and end with a letter or digit"),
])
def test_a_bucket_name_s3_refuses(check, bucket, reason):
    result = check({"dev": {**BASE, "s3_bucket": bucket}})
    [line] = problem_lines(result)
    assert line.startswith(f"4, stage 'dev': 's3_bucket': {bucket!r} is not a valid S3 bucket name ({reason})")


def test_a_bucket_written_as_a_url(check):
    result = check({"dev": {**BASE, "s3_bucket": "s3://code-bucket/zips"}})
    assert problem_lines(result) == ["4, stage 'dev': 's3_bucket': 's3://code-bucket/zips' is not a bucket name; "
                                     "write the bucket's name alone: 'code-bucket'"]


def test_environment_values_that_are_not_strings_name_the_variable_and_the_fix(check):
    text = ("dev:\n  s3_bucket: code-bucket\n  environment_variables:\n    DEBUG: true\n    WORKERS: 4\n"
            "    NAME: ok\n  aws_environment_variables:\n    RATE: 0.5\n")
    result = check(text, name="zappa_settings.yml")
    assert problem_lines(result) == [
        "4, stage 'dev': 'environment_variables.DEBUG': true is not a string; environment variables hold text, "
        "so quote it: \"true\"",
        "5, stage 'dev': 'environment_variables.WORKERS': 4 is not a string; environment variables hold text, "
        "so quote it: \"4\"",
        "8, stage 'dev': 'aws_environment_variables.RATE': 0.5 is not a string; environment variables hold text, "
        "so quote it: \"0.5\""]


def test_nested_problems_read_like_the_others(check):
    result = check({"dev": {**BASE, "cors": {"alowed_origin": "*"}, "bot_events": [
        {"function": "app.lex", "event_source": {"intent": "Order"}}]}})
    assert problem_lines(result) == [
        "8, stage 'dev': 'cors.alowed_origin': unknown key; did you mean 'allowed_origin'?",
        "13, stage 'dev': 'bot_events[0].event_source': needs 'invocation_source'"]
    assert "Input should" not in result.stderr and "Extra inputs" not in result.stderr


def test_rules_zappa_enforces_when_it_loads_a_stage(check):
    result = check({"dev": {**BASE, "ephemeral_storage": {}, "binary_support": False,
                            "additional_text_mimetypes": ["application/vnd.api+json"], "project_name": "my.project",
                            "vpc_config": {"SubnetIds": ["s"]}, "efs_config": [{"Arn": "arn:a", "LocalMountPath": "/data"}]}})
    assert problem_lines(result) == [
        "7, stage 'dev': 'ephemeral_storage': needs 'Size' (MB of /tmp, 512 to 10240), as in {\"Size\": 1024}",
        "9, stage 'dev': 'additional_text_mimetypes': 'additional_text_mimetypes' needs 'binary_support' (as in "
        "Zappa): without it every response is text already",
        "12, stage 'dev': 'project_name': 'my.project' may contain only letters, digits, '-' and '_' (it names the "
        "Lambda function)",
        "19, stage 'dev': 'efs_config[0]': LocalMountPath must start with '/mnt/' (Lambda's rule), not '/data'"]


def test_app_function_with_django_settings_runs_the_app_with_the_settings_module_set(tmp_path, monkeypatch, capsys):
    """Zappa's "Django with its own WSGI application": DJANGO_SETTINGS_MODULE is set before the app module
    is imported. Built with ``zappa package`` and served through the package's handler."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent / "packaging"))
    from pkgtest import api_gateway_event, serve, unzip
    from zappa_core.cli import run

    project = tmp_path / "project"
    project.mkdir()
    (project / "site_app.py").write_text(
        "import os\n"
        "SETTINGS = os.environ['DJANGO_SETTINGS_MODULE']  # read when the module is imported\n"
        "def application(environ, start_response):\n"
        "    start_response('200 OK', [('Content-Type', 'text/plain')])\n"
        "    return [SETTINGS.encode()]\n")
    (project / "requirements.txt").write_text("")  # no dependencies
    (project / "zappa_settings.json").write_text(json.dumps({"dev": {
        **BASE, "app_function": "site_app.application", "django_settings": "mysite.settings", "project_name": "demo",
        "runtime": f"python{sys.version_info.major}.{sys.version_info.minor}"}}))
    monkeypatch.setenv("ZAPPA_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.chdir(project)
    out = tmp_path / "demo-dev.zip"
    assert run(["package", "dev", "-o", str(out)]) == 0, capsys.readouterr().err
    response = serve(unzip(out, tmp_path / "unzipped"), api_gateway_event("/"))
    assert response["statusCode"] == 200 and response["body"] == "mysite.settings"


def test_vpc_config_has_lambdas_keys_and_lists_of_ids(check):
    result = check("dev:\n  s3_bucket: code-bucket\n  vpc_config:\n    subnets: [subnet-1]\n"
                   "    SecurityGroupIds: sg-1 sg-2\n", name="zappa_settings.yml")
    assert problem_lines(result) == [
        "4, stage 'dev': 'vpc_config.subnets': unknown key; did you mean 'SubnetIds'?",
        "5, stage 'dev': 'vpc_config.SecurityGroupIds': must be a list of ids, such as [\"sg-0abc\"], not 'sg-1 sg-2'"]


def test_a_template_placeholder_is_named_as_one(check):
    result = check("dev:\n  s3_bucket: ${{ secrets.BUCKET }}\n", name="zappa_settings.yml")
    [line] = problem_lines(result)
    assert line.endswith("; it looks like a placeholder that was not filled in")


def test_an_efs_file_system_zappa_would_create_is_refused_not_ignored(check):
    result = check({"dev": {**BASE, "vpc_config": {"SubnetIds": ["subnet-1"]}, "efs_config": True}})
    [line] = problem_lines(result)
    assert "'efs_config': a file system that zappa would create (an entry without 'Arn', or true) is not supported" in line


def test_an_entry_of_events_that_is_not_a_mapping_hides_no_other_entrys_problem(check):
    result = check({"dev": {**BASE, "events": [
        {"function": "app.tick", "expression": "every day"}, "app.other", 5,
        {"function": "app.job", "event_source": {"arn": "arn:aws:sqs:us-east-1:123456789012:jobs", "batch_size": "ten"}}]}})
    assert result.returncode == 2
    assert problem_lines(result) == [
        "10, stage 'dev': 'events[0].expression': 'every day' is not a schedule expression: use 'rate(5 minutes)' or "
        "'cron(0 12 * * ? *)'",
        "12, stage 'dev': 'events[1]': must be a mapping, such as {\"function\": \"app.job\", \"expression\": "
        "\"rate(1 hour)\"}, not 'app.other'",
        "13, stage 'dev': 'events[2]': must be a mapping, such as {\"function\": \"app.job\", \"expression\": "
        "\"rate(1 hour)\"}, not 5",
        "18, stage 'dev': 'events[3].event_source.batch_size': must be a whole number, not 'ten'"]


def test_an_eventbridge_rule_written_as_an_event_source_is_pointed_at_its_own_entry(check):
    """Zappa 0.63 creates a rule for an ``arn:aws:events`` event source, but its handler never passes the
    rule's events to the function; here the message says how to write the entry that works."""
    result = check({"dev": {**BASE, "events": [{"function": "app.on_ec2", "event_source": {
        "arn": "arn:aws:events:us-east-1:123456789012:rule/ec2-changes", "rule_name": "ec2-changes",
        "event_pattern": {"source": ["aws.ec2"]}, "events": []}}]}})
    assert problem_lines(result) == [
        "10, stage 'dev': 'events[0].event_source': an EventBridge rule is not an event_source here: write the entry "
        "without 'event_source', as {\"function\": \"app.on_event\", \"event_pattern\": {\"source\": [\"aws.ec2\"]}, "
        "\"name\": \"my-rule\"} for the events that match a pattern, or with \"expression\" for a schedule; the function "
        "then receives each event"]


@pytest.mark.parametrize(("stage", "line"), [
    ({"extends": [None]}, "'extends': 'extends' must be the name of a stage, not [null]"),
    ({"vpc_config": {"SubnetIds": None, "SecurityGroupIds": [True]}},
     "'vpc_config.SubnetIds': must be a list of ids, such as [\"subnet-0abc\", \"subnet-0def\"], not null"),
    ({"vpc_config": {"SubnetIds": ["subnet-1"]}, "efs_config": {"Arn": "arn:aws:elasticfilesystem:us-east-1:1:"
                                                                "access-point/fsap-1", "LocalMountPath": ["/mnt/a"]}},
     "'efs_config': LocalMountPath must start with '/mnt/' (Lambda's rule), not [\"/mnt/a\"]"),
    ({"vpc_config": {"SubnetIds": ["subnet-1"]}, "efs_config": ["/mnt/a"]},
     "'efs_config[0]': must be a mapping with 'Arn' and 'LocalMountPath', not '/mnt/a'"),
    ({"extra_permissions": [{"Action": "s3:GetObject", "Resource": "*"}]},
     "'extra_permissions[0]': not an IAM statement: it needs 'Effect' and 'Action' (or 'NotAction')"),
    ({"function_url_enabled": True, "function_url_config": {"authorizer": True}},
     "'function_url_config.authorizer': must be 'NONE' or 'AWS_IAM', not true"),
], ids=["extends", "vpc", "efs-mount", "efs-entry", "extra-permissions", "function-url"])
def test_values_of_rules_are_shown_as_the_file_writes_them(check, stage, line):
    """Rules that check loosely typed values quote them as JSON (``null``, ``true``), never as Python."""
    result = check({"dev": {**BASE, **stage}})
    assert result.returncode == 2
    lines = [text.split(": ", 1)[1] for text in problem_lines(result)]
    assert line in lines
    assert not [text for text in lines if any(word in text for word in ("None", "True", "{'", "[None"))]


def test_an_extends_of_a_stage_that_is_not_there_lists_the_stages(check):
    result = check({"dev": {**BASE, "extends": "base"}, "prod": {"extends": "prd"}})
    assert problem_lines(result) == [
        "7, stage 'dev': 'extends': no stage named 'base'; stages: dev, prod",
        "10, stage 'prod': 'extends': no stage named 'prd'; did you mean 'prod'?"]


@pytest.mark.parametrize("name", ["zappa_settings.json", "zappa_settings.yml", "zappa_settings.toml"])
@pytest.mark.parametrize("text", ["", "{}"], ids=["empty", "no-stage"])
def test_a_file_without_stages_is_a_problem_not_a_success(check, name, text):
    if text == "{}" and not name.endswith("json"):
        text = ""
    result = check(text, name=name)
    assert result.returncode == 2 and result.stdout == ""
    assert problem_lines(result) == ["1: the file holds no stages: write at least one, such as {\"dev\": {\"app_function\": "
                                     "\"app.app\", \"s3_bucket\": \"my-code-bucket\"}}"]


@pytest.mark.parametrize(("name", "text", "line"), [
    ("zappa_settings.yml", "dev:\n  s3_bucket: code-bucket\n  environment_variables:\n    LAUNCH: 2024-05-01\n",
     "'environment_variables.LAUNCH': 2024-05-01 is read as a date"),
    ("zappa_settings.toml", '[dev]\ns3_bucket = "code-bucket"\n[dev.aws_environment_variables]\nOPENS = 09:30:00\n',
     "'aws_environment_variables.OPENS': 09:30:00 is read as a time"),
], ids=["yaml-date", "toml-time"])
def test_dates_and_times_read_from_yaml_or_toml_are_not_environment_text(check, name, text, line):
    result = check(text, name=name)
    assert problem_lines(result) == [f"4, stage 'dev': {line}, not a string; environment variables hold text, so "
                                     "quote the value as you wrote it"]


def test_an_environment_variable_without_a_value_says_to_write_one(check):
    """``NAME:`` with nothing after it (or only a comment) is YAML's null: Zappa refuses it in
    ``environment_variables`` and botocore refuses it in ``aws_environment_variables`` half-way through a deploy."""
    text = ("dev:\n  s3_bucket: code-bucket\n  environment_variables:\n    TOKEN:\n"
            "  aws_environment_variables:\n    BUCKET_URL: # from the stack's outputs\n    EMPTY: \"\"\n")
    result = check(text, name="zappa_settings.yml")
    assert result.returncode == 2
    assert problem_lines(result) == [
        "4, stage 'dev': 'environment_variables.TOKEN': has no value (null); environment variables hold text: write "
        "it in quotes, \"\" for an empty one",
        "6, stage 'dev': 'aws_environment_variables.BUCKET_URL': has no value (null); environment variables hold "
        "text: write it in quotes, \"\" for an empty one"]


@pytest.mark.parametrize(("handler", "example"), [("standard_lambda", "standard_lambda"), ("module.", "module"),
                                                  (".handler", "handler")])
def test_a_lambda_handler_the_python_runtime_cannot_load(check, handler, example):
    result = check({"dev": {**BASE, "lambda_handler": handler}})
    assert result.returncode == 2
    assert problem_lines(result) == [
        f"7, stage 'dev': 'lambda_handler': '{handler}' is not a handler Lambda's Python runtime can load: write "
        f"'module.function' (it imports the module and calls the function), such as '{example}.lambda_handler'"]


def test_lambda_handlers_lambda_loads_are_accepted(check):
    for handler in ("standard_lambda.lambda_handler", "handlers/api.handle", "pkg.jobs.run"):
        assert shown(check, {"lambda_handler": handler})["lambda_handler"] == handler


def test_keep_warm_expression_is_checked_only_when_keep_warm_is_on(check):
    """Zappa reads ``keep_warm_expression`` only with ``keep_warm``: a leftover value of a stage that turned the
    ping off loads, as it does in Zappa; with the ping on, a value EventBridge refuses is a problem."""
    assert shown(check, {"keep_warm": False, "keep_warm_expression": "unschedule"})["keep_warm"] is False
    result = check({"dev": {**BASE, "keep_warm": True, "keep_warm_expression": "unschedule"}})
    assert problem_lines(result) == [
        "8, stage 'dev': 'keep_warm_expression': 'unschedule' is not a schedule expression: use 'rate(5 minutes)' or "
        "'cron(0 12 * * ? *)'"]


@pytest.mark.parametrize(("expression", "detail"), [
    ("cron(55 0-5, ? * WED *)", "'0-5,' has an empty item: a ',' too many"),
    ("cron(0 12 * * * *)", "exactly one of day-of-month and day-of-week must be '?'"),
    ("cron(0 25 * * ? *)", "'25' is outside 0-23"),
    ("cron(0/x * * * ? *)", "the step in '0/x' is not a number"),
    ("cron(0 9 ? * MON#x *)", "'MON#x': the week must be 1-5"),
    ("cron(0 9 ? * BLUE *)", "'BLUE' is neither a number nor one of SUN-SAT"),
], ids=["empty-item", "both-days", "hour-range", "step", "nth-week", "weekday-name"])
def test_a_cron_expression_is_checked_field_by_field_as_eventbridge_does(check, expression, detail):
    result = check({"dev": {**BASE, "events": [{"function": "app.tick", "expression": expression}]}})
    assert result.returncode == 2
    assert problem_lines(result) == [f"10, stage 'dev': 'events[0].expression': '{expression}' is not a cron "
                                     f"expression EventBridge takes: {detail}"]


def test_cron_expressions_eventbridge_takes_load(check):
    expressions = ["cron(0/30 * * * ? *)", "cron(0 1 ? * MON-FRI *)", "cron(15 10 ? * 6L 2026-2030)",
                   "cron(0 8 1W * ? *)", "cron(0 9 ? * 2#1 *)", "cron(0 18 L * ? *)", "cron(5,35 14 * jan-mar ? *)"]
    events = [{"function": "app.tick", "expression": e, "name": f"tick{i}"} for i, e in enumerate(expressions)]
    assert [e["expression"] for e in shown(check, {"events": events})["events"]] == expressions
