"""The settings readers: data and the line of every key, in JSON (tolerant, like Zappa's), YAML and TOML."""

from __future__ import annotations

import pytest
from zappa_core.settings.files import SettingsFileError, load_file


def test_json_with_tabs_comments_and_trailing_commas(tmp_path):
    path = tmp_path / "zappa_settings.json"
    path.write_text('{\n\t"dev": {\n\t\t// the bucket\n\t\t"s3_bucket": "code-bucket",  # inline\n'
                    '\t\t/* block */ "events": [\n\t\t\t{"function": "a.b"},\n\t\t],\n\t},\n}\n')
    loaded = load_file(path)
    assert loaded.data == {"dev": {"s3_bucket": "code-bucket", "events": [{"function": "a.b"}]}}
    assert loaded.line_of("dev") == 2
    assert loaded.line_of("dev", "s3_bucket") == 4
    assert loaded.line_at(("dev", "events", 0, "function")) == 6


def test_json_syntax_error_names_the_line(tmp_path):
    path = tmp_path / "zappa_settings.json"
    path.write_text('{\n  "dev": {\n    "a": 1,\n    "b": 2 "c": 3\n  }\n}\n')
    with pytest.raises(SettingsFileError) as info:
        load_file(path)
    assert info.value.line == 4
    assert "expected ',' or '}'" in str(info.value)


def test_json_members_on_their_own_lines_need_no_comma_as_in_hjson(tmp_path):
    """Zappa reads JSON with hjson, where a line break separates members; its configuration reference
    shows settings written that way ("debug": true, then "delete_zip": true on the next line)."""
    path = tmp_path / "zappa_settings.json"
    path.write_text('{\n  "dev": {\n    "debug": true\n    "delete_zip": true  // no comma\n'
                    '    "exclude": [\n      "*.md"\n      "docs"\n    ]\n    "s3_bucket": "code-bucket"\n  }\n}\n')
    loaded = load_file(path)
    assert loaded.data == {"dev": {"debug": True, "delete_zip": True, "exclude": ["*.md", "docs"],
                                   "s3_bucket": "code-bucket"}}
    assert loaded.line_of("dev", "s3_bucket") == 9 and loaded.line_at(("dev", "exclude", 1)) == 7


def test_yaml_nested_lines(tmp_path):
    path = tmp_path / "zappa_settings.yml"
    path.write_text("dev:\n  s3_bucket: code-bucket  # comment\n  events:\n    - function: a.b\n      expression: rate(1 minute)\n")
    loaded = load_file(path)
    assert loaded.data["dev"]["events"][0]["expression"] == "rate(1 minute)"
    assert loaded.line_at(("dev", "events", 0, "expression")) == 5


def test_toml_nested_tables_and_arrays_of_tables(tmp_path):
    path = tmp_path / "zappa_settings.toml"
    path.write_text('[dev]\ns3_bucket = "code-bucket"\n\n[dev.aws_environment_variables]\nA = "1"\n\n'
                    '[[dev.events]]\nfunction = "a.one"\n\n[[dev.events]]\nfunction = "a.two"\n'
                    '[dev.events.event_source]\narn = "arn:aws:sqs:us-east-1:1:q"\n\n[prod]\nx.y = 1\n')
    loaded = load_file(path)
    assert loaded.data["dev"]["events"][1]["event_source"]["arn"].startswith("arn:aws:sqs")
    assert loaded.line_of("dev", "aws_environment_variables") == 4
    assert loaded.line_at(("dev", "aws_environment_variables", "A")) == 5
    assert loaded.line_at(("dev", "events", 1, "function")) == 11
    assert loaded.line_at(("dev", "events", 1, "event_source", "arn")) == 13
    assert loaded.line_of("prod", "x") == 16


def test_a_stage_must_be_a_mapping(tmp_path):
    path = tmp_path / "zappa_settings.json"
    path.write_text('{"dev": {"s3_bucket": "code-bucket"},\n "prod": 3}')
    with pytest.raises(SettingsFileError, match="stage 'prod' must be a mapping"):
        load_file(path)


def test_yaml_merge_keys_have_the_line_of_the_anchor_that_writes_them(tmp_path):
    path = tmp_path / "zappa_settings.yml"
    path.write_text("base: &base\n  runtime: python3.8\n  tags:\n    team: web\n"
                    "dev:\n  <<: *base\n  s3_bucket: code-bucket\n")
    loaded = load_file(path)
    assert loaded.data["dev"] == {"s3_bucket": "code-bucket", "runtime": "python3.8", "tags": {"team": "web"}}
    assert loaded.line_of("dev", "runtime") == 2 and loaded.line_at(("dev", "tags", "team")) == 4
    assert loaded.line_of("dev", "s3_bucket") == 7
