"""Callbacks get what Zappa's callbacks get: a Zappa callback runs unchanged, apart from its own keys being
named ``x_...``. Through ``zappa package`` (the ``settings`` and ``zip`` callbacks)."""

# ruff: noqa: F401, F811  (pytest fixtures imported from pkgtest, a module of their own: see its docstring)

from __future__ import annotations

import hashlib
import json
import sys
import zipfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "packaging"))
from pkgtest import isolated_cache, make_project, package

# A zip callback as Zappa users write them (it strips files matching their own regexes from the archive
# Zappa built), with the one change this tool asks for: the key is named x_regex_excludes.
STRIP_CALLBACK = '''
import re
import zipfile
from pathlib import Path


def clean_package(zappa):
    archive_path = zappa.zip_path
    excludes = zappa.zappa_settings.get(zappa.api_stage, {}).get("x_regex_excludes")
    if not excludes:
        print("No regex_excludes provided, skipping")
        return
    full_path = Path.cwd() / archive_path
    patterns = [re.compile(p) for p in excludes]
    with zipfile.ZipFile(full_path) as old:
        kept = [(info, old.read(info)) for info in old.infolist()
                if not any(p.search(info.filename) for p in patterns)]
    with zipfile.ZipFile(full_path, "w", zipfile.ZIP_DEFLATED) as new:
        for info, data in kept:
            new.writestr(info, data)
    print(f"cleaned {zappa.lambda_name} for stage {zappa.api_stage}")
'''


def test_a_zappa_zip_callback_reads_its_own_key_and_rewrites_the_package(make_project, package):
    project = make_project("flask_app", callbacks={"zip": "hooks.clean_package"},
                           x_regex_excludes=[r"^static/", r"\.txt$"])
    (project / "hooks.py").write_text(STRIP_CALLBACK)
    (project / "static").mkdir()
    (project / "static" / "big.css").write_text("body {}" * 1000)
    (project / "notes.txt").write_text("not for Lambda")
    build = package(project, None, "--json")
    assert build.code == 0, build.err
    assert "cleaned demo-dev for stage dev" in build.out
    names = build.names()
    assert "app.py" in names and "handler.py" in names
    assert not [n for n in names if n.startswith("static/") or n.endswith(".txt")]
    reported = json.loads(build.out[build.out.index("{"):])
    assert reported["sha256"] == hashlib.sha256(build.zip.read_bytes()).hexdigest()  # described as it was left
    assert reported["files"] == len(names) and reported["changed_by_zip_callback"] is True


def test_the_object_has_zappas_attributes(make_project, package, aws_credentials):
    project = make_project("flask_app", callbacks={"settings": "hooks.look", "zip": "hooks.look"}, x_team="web")
    stages = json.loads((project / "zappa_settings.json").read_text())
    stages["base"] = {"x_owner": "platform", "memory_size": 1024}
    stages["dev"]["extends"] = "base"
    (project / "zappa_settings.json").write_text(json.dumps(stages))
    (project / "hooks.py").write_text(
        "import json, pathlib\n"
        "def look(cli):\n"
        "    seen = {'stage': cli.api_stage, 'lambda_name': cli.lambda_name, 'project_name': cli.project_name,\n"
        "            'raw_stage_keys': sorted(cli.zappa_settings[cli.api_stage]),\n"
        "            'owner': cli.stage_config.get('x_owner'), 'team': cli.stage_config['x_team'],\n"
        "            'memory': cli.stage_config['memory_size'], 'region': cli.aws_region,\n"
        "            'zip': cli.zip_path, 'command': cli.vargs['command'],\n"
        "            's3': cli.zappa.s3_client.meta.service_model.service_name,\n"
        "            'lambda': cli.zappa.lambda_client.meta.region_name}\n"
        "    with open('seen.jsonl', 'a') as fh:\n"
        "        fh.write(json.dumps(seen) + '\\n')\n")
    build = package(project)
    assert build.code == 0, build.err
    settings_call, zip_call = [json.loads(line) for line in (project / "seen.jsonl").read_text().splitlines()]
    assert settings_call == {
        "stage": "dev", "lambda_name": "demo-dev", "project_name": "demo",
        "raw_stage_keys": sorted([*stages["dev"]]), "owner": "platform", "team": "web", "memory": 1024,
        "region": "us-east-1", "zip": None, "command": "package", "s3": "s3", "lambda": "us-east-1"}
    assert zip_call == {**settings_call, "zip": str(build.zip)}


def test_a_settings_callback_may_change_the_stage_which_is_validated_again(make_project, package):
    project = make_project("flask_app", callbacks={"settings": "hooks.stamp"})
    (project / "hooks.py").write_text(
        "def stamp(zappa):\n"
        "    zappa.zappa_settings[zappa.api_stage]['x_build'] = 'b-42'\n"
        "    zappa.zappa_settings[zappa.api_stage]['log_level'] = 'warning'\n")
    build = package(project)
    assert build.code == 0, build.err
    manifest = json.loads(build.read("zappa_manifest.json"))
    assert (manifest["settings"]["x_build"], manifest["settings"]["log_level"]) == ("b-42", "WARNING")

    (project / "hooks_bad.py").write_text(
        "def stamp(zappa):\n"
        "    zappa.zappa_settings[zappa.api_stage]['memory_size'] = 'lots'\n")
    stages = json.loads((project / "zappa_settings.json").read_text())
    stages["dev"]["callbacks"] = {"settings": "hooks_bad.stamp"}
    (project / "zappa_settings.json").write_text(json.dumps(stages))
    build = package(project)
    assert build.code == 2
    assert "'memory_size': must be a whole number, not 'lots' (after the 'settings' callback)" in build.err


def test_a_zip_callback_that_leaves_the_zip_alone_keeps_its_description(make_project, package):
    project = make_project("flask_app", callbacks={"zip": "hooks.clean_package"})
    (project / "hooks.py").write_text(STRIP_CALLBACK)
    build = package(project, None, "--json")
    assert build.code == 0, build.err
    assert "No regex_excludes provided, skipping" in build.out
    with zipfile.ZipFile(build.zip) as archive:
        assert "app.py" in archive.namelist()
