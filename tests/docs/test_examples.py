"""Every settings example in the docs and the README loads through the real settings loader.

A fenced ``json``/``yaml``/``yml``/``toml`` block is either
- a settings file (a mapping of stage name -> settings): written to a temp project as
  ``zappa_settings.<ext>`` unchanged and loaded with every stage;
- a fragment of one stage's keys (``"apigateway_version": "v2", ...``, or a mapping whose keys are settings):
  loaded as the stage ``dev``;
- or something else (an IAM policy, a state file, a pyproject table), marked with ``<!-- not-settings -->``
  on the line above the fence; such a block must still parse.

Policy files an example names (``attach_policy``, ``assume_policy``, ``apigateway_policy``) and the WebSocket
handler module (``websocket_handler_module``) are created in the temp project, as a user would have them. An unknown key, a bad value or a cross-field problem fails the
test with the loader's own message.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import yaml
from docs_markdown import Block, fenced_blocks
from zappa_core.plugins import get_plugin_manager
from zappa_core.settings import SettingsError, load_stages
from zappa_core.settings.compose import key_owners, settings_sections

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

REPO = Path(__file__).resolve().parents[2]
SOURCES = sorted((REPO / "docs").rglob("*.md")) + [REPO / "README.md"]
LANGS = {"json": "json", "yaml": "yml", "yml": "yml", "toml": "toml"}
POLICY_KEYS = ("attach_policy", "assume_policy", "apigateway_policy")
POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}

BLOCKS = [b for page in SOURCES for b in fenced_blocks(page) if b.lang in LANGS]


@pytest.fixture(scope="module")
def pm():
    return get_plugin_manager()


def parse(block: Block) -> tuple[object, bool]:
    """``(data, is_fragment)``: a JSON block that is not a document on its own is read as ``{ ... }``."""
    if block.lang == "json":
        try:
            return json.loads(block.text), False
        except ValueError:
            return json.loads("{" + block.text + "}"), True
    if block.lang == "toml":
        return tomllib.loads(block.text), False
    return yaml.safe_load(block.text), False


def setting_keys(pm) -> set[str]:
    return set(key_owners(settings_sections(pm)))


def project_for(block: Block, pm, folder: Path) -> Path:
    """Write the example into ``folder`` as a settings file (and the files it names); return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    data, fragment = parse(block)
    assert isinstance(data, dict), f"{block.where}: a settings example must be a mapping; mark other blocks {'<!-- not-settings -->'}"
    if fragment or set(data) & setting_keys(pm) or not all(isinstance(v, dict) for v in data.values()):
        data = {"dev": data}
        path = folder / "zappa_settings.json"
        path.write_text(json.dumps(data, indent=2))
    else:
        path = folder / f"zappa_settings.{LANGS[block.lang]}"
        path.write_text(block.text)
    for stage in data.values():
        for key in POLICY_KEYS:
            if isinstance(stage.get(key), str) and not Path(stage[key]).is_absolute():
                target = folder / stage[key]
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(json.dumps(POLICY))
        module = stage.get("websocket_handler_module")
        if isinstance(module, str) and module.replace(".", "").replace("_", "").isalnum():
            target = folder.joinpath(*module.split(".")).with_suffix(".py")  # the handler module it names
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text("from zappa.websocket import on_connect, on_message\n")
    return path


def check(block: Block, pm, folder: Path) -> list[str]:
    """The loader's problems with the example, as the user would read them (empty: it loads)."""
    path = project_for(block, pm, folder)
    try:
        load_stages(pm=pm, settings_file=path, project_dir=folder)
    except SettingsError as exc:
        return [str(p) for p in exc.problems]
    return []


def test_the_docs_have_settings_examples():
    settings_blocks = [b for b in BLOCKS if not b.not_settings]
    assert len(settings_blocks) >= 10, [b.where for b in settings_blocks]
    assert {b.lang for b in settings_blocks} >= {"json", "yaml", "toml"}


@pytest.mark.parametrize("block", [b for b in BLOCKS if not b.not_settings], ids=lambda b: b.where)
def test_settings_example_loads(block, pm, tmp_path):
    assert check(block, pm, tmp_path) == [], f"{block.where}: the example does not load"


@pytest.mark.parametrize("block", [b for b in BLOCKS if b.not_settings], ids=lambda b: b.where)
def test_marked_example_parses(block):
    parse(block)


def test_an_example_with_a_typo_fails(pm, tmp_path):
    """The check can fail: a misspelt key in a stage file, and a bad value in a fragment."""
    page = tmp_path / "page.md"
    page.write_text('```json\n{"dev": {"app_function": "app.app", "remote_evn": "s3://b/k.json"}}\n```\n\n'
                    '```json\n"apigateway_version": "v3"\n```\n\n'
                    "<!-- not-settings -->\n```json\n{\"Statement\": []}\n```\n")
    typo, bad_value, marked = fenced_blocks(page)
    problems = check(typo, pm, tmp_path / "a")
    assert len(problems) == 1 and "remote_evn" in problems[0] and "did you mean 'remote_env'" in problems[0]
    problems = check(bad_value, pm, tmp_path / "b")
    assert len(problems) == 1 and "apigateway_version" in problems[0]
    assert marked.not_settings and not typo.not_settings


def test_a_policy_file_named_by_an_example_is_created(pm, tmp_path):
    page = tmp_path / "page.md"
    page.write_text('```yaml\nprod:\n  app_function: app.app\n  attach_policy: policies/prod.json\n```\n')
    (block,) = fenced_blocks(page)
    folder = tmp_path / "project"
    assert check(block, pm, folder) == []
    assert json.loads((folder / "policies" / "prod.json").read_text())["Statement"]
