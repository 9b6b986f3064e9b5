"""Real settings files (``settings_corpus/``, sources in its SOURCES.md) through ``zappa settings check``:
each stage loads where Zappa 0.63 loads it, or fails only with problems of the stricter rules that
docs/migrating.md documents, and exactly with the problems recorded in ``expected.json``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.needs_plugins

CORPUS = Path(__file__).parent / "settings_corpus"
EXPECTED = json.loads((CORPUS / "expected.json").read_text())
MIGRATING = (Path(__file__).parents[2] / "docs" / "migrating.md").read_text()
# Where docs/migrating.md documents each stricter rule a corpus problem comes from.
DOCUMENTED = {
    "runtime": "| `runtime` | `pythonX.Y`, 3.9 or later",
    "unknown-key": "**Unknown keys are errors**",
    "obsolete": "settings Zappa itself removed, named as obsolete with nothing to replace them: `http_methods`",
    "s3_bucket": "| `s3_bucket` | S3's naming rules",
    "vpc_config": "| core | `vpc_config` has only Lambda's keys",
    "environment": "| `environment_variables`, `aws_environment_variables` | values are strings",
    "aws_region": "| `aws_region` | a region of the installed botocore's endpoint data",
    "lambda_handler": "| core | `lambda_handler` is `module.function`",
    "schedule": "or a six-field `cron(...)` whose every field EventBridge takes",
}
SETTINGS_FILES = sorted(p.name for p in CORPUS.iterdir()
                        if p.suffix in (".json", ".yml", ".yaml", ".toml") and p.name != "expected.json")


def check(zappa_cli, tmp_path, monkeypatch, name: str, *stage: str) -> tuple[int, dict]:
    monkeypatch.chdir(tmp_path)
    result = zappa_cli(["settings", "check", *stage, "-s", str(CORPUS / name), "--json"])
    return result.returncode, json.loads(result.stdout)


def test_the_corpus_is_large_and_recorded():
    assert len(SETTINGS_FILES) >= 20
    assert sorted(EXPECTED) == SETTINGS_FILES
    sources = (CORPUS / "SOURCES.md").read_text()
    assert all(f"| `{name}` |" in sources for name in SETTINGS_FILES)


def test_every_rule_a_corpus_problem_comes_from_is_documented():
    rules = {p["rule"] for stages in EXPECTED.values() for stage in stages.values() for p in stage["problems"]}
    assert rules <= set(DOCUMENTED)
    for rule in rules:
        assert DOCUMENTED[rule] in MIGRATING, rule


@pytest.mark.parametrize("name", SETTINGS_FILES)
def test_each_stage_loads_or_fails_as_recorded(zappa_cli, tmp_path, monkeypatch, name):
    for stage, expected in EXPECTED[name].items():
        code, report = check(zappa_cli, tmp_path, monkeypatch, name, stage)
        found = [{k: p[k] for k in ("line", "where", "message", "stage")} for p in report["problems"]]
        # "stage" in expected.json: the stage that writes an inherited value (extends), where it is reported
        wanted = [{**{k: p[k] for k in ("line", "where", "message")}, "stage": p.get("stage", stage)}
                  for p in expected["problems"]]
        assert found == wanted, (name, stage)
        assert code == (2 if wanted else 0), (name, stage)
        if expected["zappa_0_63"] != "loads":  # a stage Zappa cannot load fails here too
            assert wanted, (name, stage)
        for p in report["problems"]:  # an inherited problem names the stage checked as inheriting it
            assert p["inherited_by"] == ([] if p["stage"] == stage else [stage]), (name, stage)


@pytest.mark.parametrize("name", SETTINGS_FILES)
def test_the_whole_file_in_one_run(zappa_cli, tmp_path, monkeypatch, name):
    """``zappa settings check`` on the file reports the problems of every stage at once."""
    code, report = check(zappa_cli, tmp_path, monkeypatch, name)
    # a problem of a value several stages inherit is reported once, at the stage that writes it
    wanted = sorted({(p.get("stage", stage), p["line"], p["where"], p["message"])
                     for stage, expected in EXPECTED[name].items() for p in expected["problems"]})
    assert sorted((p["stage"], p["line"], p["where"], p["message"]) for p in report["problems"]) == wanted
    if not wanted:
        assert code == 0 and report["stages"] == list(EXPECTED[name])
